/**
 * The caption editor: the live captions of each speaker as they form; a finished line can be
 * corrected while its hold-back runs (a countdown shows how long is left; what is saved then is
 * all listeners ever see) and afterwards as a revision. Click a word to correct it (the line opens
 * with that word selected). Pause and resume, the hold-back, vocabulary, replacement rules and the
 * transcript export sit beside it.
 */
import { useEffect, useRef, useState, useSyncExternalStore, type FormEvent } from 'react';
import { describeError } from '../../../../lib/error-messages.ts';
import { useAction } from '../../../../lib/use-action.ts';
import { exportTranscript } from '../api/export-transcript.ts';
import { bySpeaker, type CaptionDesk, type DeskSegment } from '../lib/caption-desk.ts';
import './captions.css';

/** How often countdowns move. */
const TICK_MS = 100;

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

function stateOf(segment: DeskSegment, now: number): string {
  if (segment.status === 'partial') return 'forming…';
  if (!segment.released && segment.releaseAt !== null) return `goes out in ${Math.max(0, (segment.releaseAt - now) / 1000).toFixed(1)} s`;
  return segment.revision > 0 ? `sent · revision ${segment.revision}` : 'sent';
}

export function CaptionEditor({ desk, spaceId }: { desk: CaptionDesk; spaceId: string }) {
  const snapshot = useSyncExternalStore(
    (f) => desk.subscribe(f),
    () => desk.snapshot,
  );
  const action = useAction();
  const counting = snapshot.segments.some((s) => !s.released && s.releaseAt !== null);
  const now = useNow(counting);
  const [editing, setEditing] = useState<{ id: number; text: string; select: [number, number] | null } | null>(null);
  useEffect(() => {
    desk.load().catch(() => undefined);
  }, [desk]);
  const status = snapshot.status;
  const paused = status?.pausedBy ?? null;
  const lanes = bySpeaker(snapshot.segments);

  const startEdit = (segment: DeskSegment, wordIndex: number | null) => {
    if (segment.status !== 'final') return;
    const text = segment.edited ?? segment.raw;
    let select: [number, number] | null = null;
    if (wordIndex !== null) {
      const words = text.split(' ');
      const start = words.slice(0, wordIndex).join(' ').length + (wordIndex > 0 ? 1 : 0);
      select = [start, start + (words[wordIndex]?.length ?? 0)];
    }
    setEditing({ id: segment.id, text, select });
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    const { id, text } = editing;
    action.run(async () => {
      await desk.edit(id, text);
      setEditing(null);
    });
  };

  return (
    <section className="panel captions-editor" aria-labelledby="captions-heading">
      <div className="panel-head">
        <h2 id="captions-heading">Captions</h2>
        <span className="pill" data-paused={paused ?? 'no'}>
          {!status ? '…' : !status.available ? 'Off' : paused === 'host' ? 'Paused' : paused === 'premiere' ? 'Paused: music' : 'Live'}
        </span>
      </div>
      {status?.problem ? (
        <p className="error" role="alert">
          Captions are off: {status.problem}
        </p>
      ) : null}
      <div className="cap-bar">
        <button type="button" disabled={action.busy || !status} onClick={() => action.run(() => desk.setPaused(paused !== 'host'))}>
          {paused === 'host' ? 'Resume captions' : 'Pause captions'}
        </button>
        <HoldBack value={status?.holdBackMs ?? 2000} disabled={action.busy || !status} onChange={(ms) => action.run(() => desk.setHoldBack(ms))} />
      </div>
      <div className="cap-lanes" aria-live="off">
        {lanes.length === 0 ? <p className="muted">Captions appear here as people on stage speak.</p> : null}
        {lanes.map((lane) => (
          <div className="cap-lane" key={lane.peerId} aria-label={`Captions of ${lane.name}`} role="group">
            <h3>{lane.name}</h3>
            <ol>
              {lane.segments.slice(-30).map((segment) => (
                <li key={segment.id} className="cap-segment" data-status={segment.status} data-released={segment.released} data-segment={segment.id}>
                  {editing?.id === segment.id ? (
                    <form onSubmit={save} className="cap-edit">
                      <EditBox
                        value={editing.text}
                        select={editing.select}
                        onChange={(text) => setEditing({ ...editing, text, select: null })}
                        onCancel={() => setEditing(null)}
                      />
                      <button type="submit" className="primary" disabled={action.busy}>
                        Save
                      </button>
                      <button type="button" onClick={() => setEditing(null)}>
                        Cancel
                      </button>
                    </form>
                  ) : (
                    <p className="cap-text">
                      {(segment.edited ?? segment.raw).split(' ').map((word, i) => (
                        <span key={i}>
                          {i > 0 ? ' ' : null}
                          <button type="button" className="cap-word" disabled={segment.status !== 'final'} onClick={() => startEdit(segment, i)}>
                            {word}
                          </button>
                        </span>
                      ))}
                      {segment.edited !== null ? <span className="cap-heard"> (heard: {segment.raw})</span> : null}
                    </p>
                  )}
                  <span className="cap-state" data-countdown={!segment.released && segment.releaseAt !== null}>
                    {stateOf(segment, now)}
                  </span>
                </li>
              ))}
            </ol>
          </div>
        ))}
      </div>
      {action.error ? (
        <p className="error" role="alert">
          {describeError(action.error)}
        </p>
      ) : null}
      <Vocabulary desk={desk} words={snapshot.vocabulary} />
      <Replacements desk={desk} rules={snapshot.replacements} />
      <Transcript spaceId={spaceId} />
    </section>
  );
}

function EditBox({ value, select, onChange, onCancel }: { value: string; select: [number, number] | null; onChange: (text: string) => void; onCancel: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    if (select) input.current?.setSelectionRange(select[0], select[1]);
  }, [select]);
  return (
    <input
      ref={input}
      aria-label="Corrected caption"
      value={value}
      maxLength={1000}
      onChange={(e) => onChange(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    />
  );
}

function HoldBack({ value, disabled, onChange }: { value: number; disabled: boolean; onChange: (ms: number) => void }) {
  const [seconds, setSeconds] = useState(String(value / 1000));
  useEffect(() => setSeconds(String(value / 1000)), [value]);
  return (
    <label className="cap-holdback">
      <span>Hold-back (s)</span>
      <input
        type="number"
        min={0}
        max={10}
        step={0.5}
        value={seconds}
        disabled={disabled}
        onChange={(e) => setSeconds(e.target.value)}
        onBlur={() => {
          const ms = Math.round(Number(seconds) * 1000);
          if (Number.isFinite(ms) && ms >= 0 && ms <= 10_000 && ms !== value) onChange(ms);
          else setSeconds(String(value / 1000));
        }}
      />
    </label>
  );
}

function Vocabulary({ desk, words }: { desk: CaptionDesk; words: ReadonlyArray<{ word: string; phones: string }> }) {
  const action = useAction();
  const [word, setWord] = useState('');
  const [phones, setPhones] = useState('');
  return (
    <form
      className="cap-form"
      aria-label="Vocabulary"
      onSubmit={(e) => {
        e.preventDefault();
        action.run(async () => {
          await desk.addWord(word.trim(), phones.trim() || undefined);
          setWord('');
          setPhones('');
        });
      }}
    >
      <h3>Vocabulary</h3>
      <p className="muted">Names and terms the engine should know, from the next sentence on.</p>
      <input aria-label="Word" placeholder="Zorblax" value={word} maxLength={48} onChange={(e) => setWord(e.target.value)} />
      <input aria-label="Pronunciation (optional)" placeholder="Z AO R B L AE K S" value={phones} maxLength={240} onChange={(e) => setPhones(e.target.value)} />
      <button type="submit" disabled={action.busy || word.trim() === ''}>
        Add word
      </button>
      {action.error ? <p className="error">{describeError(action.error)}</p> : null}
      {words.length > 0 ? (
        <ul className="cap-list">
          {words.map((w) => (
            <li key={w.word}>
              {w.word} <span className="muted">{w.phones}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}

function Replacements({ desk, rules }: { desk: CaptionDesk; rules: ReadonlyArray<{ heard: string; written: string }> }) {
  const action = useAction();
  const [heard, setHeard] = useState('');
  const [written, setWritten] = useState('');
  return (
    <form
      className="cap-form"
      aria-label="Replacements"
      onSubmit={(e) => {
        e.preventDefault();
        action.run(async () => {
          await desk.addReplacement(heard, written);
          setHeard('');
          setWritten('');
        });
      }}
    >
      <h3>Replacements</h3>
      <p className="muted">What the engine hears → what captions say, for new text.</p>
      <input aria-label="Heard" placeholder="space craft" value={heard} maxLength={200} onChange={(e) => setHeard(e.target.value)} />
      <input aria-label="Written" placeholder="Spacecraft" value={written} maxLength={200} onChange={(e) => setWritten(e.target.value)} />
      <button type="submit" disabled={action.busy || heard.trim() === '' || written.trim() === ''}>
        Add rule
      </button>
      {action.error ? <p className="error">{describeError(action.error)}</p> : null}
      {rules.length > 0 ? (
        <ul className="cap-list">
          {rules.map((rule) => (
            <li key={rule.heard}>
              {rule.heard} → {rule.written}{' '}
              <button type="button" aria-label={`Remove the rule for ${rule.heard}`} disabled={action.busy} onClick={() => action.run(() => desk.removeReplacement(rule.heard))}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}

function Transcript({ spaceId }: { spaceId: string }) {
  const action = useAction();
  return (
    <div className="cap-form" role="group" aria-label="Transcript">
      <h3>Transcript</h3>
      <button type="button" disabled={action.busy} onClick={() => action.run(() => exportTranscript(spaceId, 'vtt'))}>
        Export WebVTT
      </button>{' '}
      <button type="button" disabled={action.busy} onClick={() => action.run(() => exportTranscript(spaceId, 'srt'))}>
        Export SRT
      </button>
      {action.error ? <p className="error">{describeError(action.error)}</p> : null}
    </div>
  );
}
