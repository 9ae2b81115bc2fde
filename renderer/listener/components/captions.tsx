/**
 * Live captions on the listener page: on/off, a size, high contrast (kept on this device), the
 * speaker's name on each line, and a pause of the view to read at one's own pace, with "jump to
 * live" and how many lines came meanwhile. A polite live region reads each new line to screen
 * readers (not while the view is paused or captions are off).
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Caption } from '../../../server/signalling/protocol.ts';
import type { CaptionFeed, CaptionFeedSnapshot } from '../lib/caption-feed.ts';
import './captions.css';

export const CAPTION_SIZES = ['small', 'medium', 'large'] as const;
export type CaptionSize = (typeof CAPTION_SIZES)[number];
export type CaptionPrefs = { on: boolean; size: CaptionSize; contrast: boolean };

const PREFS_KEY = 'spacecraft.captions';
const DEFAULT_PREFS: CaptionPrefs = { on: true, size: 'medium', contrast: false };
/** Lines shown: the latest few (the panel scrolls back over what the page keeps). */
const SHOWN = 50;

export function readPrefs(storage: Pick<Storage, 'getItem'> | null = globalThis.localStorage ?? null): CaptionPrefs {
  try {
    const stored = JSON.parse(storage?.getItem(PREFS_KEY) ?? 'null') as Partial<CaptionPrefs> | null;
    if (!stored || typeof stored !== 'object') return DEFAULT_PREFS;
    return {
      on: typeof stored.on === 'boolean' ? stored.on : DEFAULT_PREFS.on,
      size: CAPTION_SIZES.includes(stored.size as CaptionSize) ? (stored.size as CaptionSize) : DEFAULT_PREFS.size,
      contrast: typeof stored.contrast === 'boolean' ? stored.contrast : DEFAULT_PREFS.contrast,
    };
  } catch {
    return DEFAULT_PREFS;
  }
}

function savePrefs(prefs: CaptionPrefs): void {
  try {
    globalThis.localStorage?.setItem(PREFS_KEY, JSON.stringify(prefs));
  } catch {
    // A page without storage (private mode) keeps them for this visit only.
  }
}

function statusLine(snapshot: CaptionFeedSnapshot): string | null {
  const status = snapshot.status;
  if (!status) return null;
  if (!status.available) return 'Captions are not available in this Space right now.';
  if (status.pausedBy === 'premiere') return 'Captions pause while music plays.';
  if (status.pausedBy === 'host') return 'The host paused captions.';
  return null;
}

export function SessionCaptions({ feed }: { feed: CaptionFeed }) {
  const snapshot = useSyncExternalStore(
    (f) => feed.subscribe(f),
    () => feed.snapshot,
  );
  return <ListenerCaptions snapshot={snapshot} />;
}

export function ListenerCaptions({ snapshot }: { snapshot: CaptionFeedSnapshot }) {
  const [prefs, setPrefs] = useState(readPrefs);
  /** The view held at these captions while the listener reads; null follows live. */
  const [held, setHeld] = useState<readonly Caption[] | null>(null);
  const list = useRef<HTMLOListElement>(null);
  const update = (patch: Partial<CaptionPrefs>) => {
    const next = { ...prefs, ...patch };
    setPrefs(next);
    savePrefs(next);
  };
  const live = snapshot.captions;
  const shown = (held ?? live).slice(-SHOWN);
  const newer = held ? live.filter((c) => !held.some((h) => h.id === c.id)).length : 0;
  useEffect(() => {
    if (!held && list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [live, held]);
  const latest = live.at(-1);
  const status = statusLine(snapshot);
  return (
    <section className="captions" data-size={prefs.size} data-contrast={prefs.contrast} aria-label="Captions">
      <div className="cap-controls">
        <button type="button" aria-pressed={prefs.on} onClick={() => update({ on: !prefs.on })}>
          {prefs.on ? 'Captions on' : 'Captions off'}
        </button>
        {prefs.on ? (
          <>
            <label>
              <span>Size</span>
              <select value={prefs.size} onChange={(e) => update({ size: e.target.value as CaptionSize })}>
                {CAPTION_SIZES.map((size) => (
                  <option key={size} value={size}>
                    {size[0]!.toUpperCase() + size.slice(1)}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" aria-pressed={prefs.contrast} onClick={() => update({ contrast: !prefs.contrast })}>
              High contrast
            </button>
            {held ? (
              <button type="button" className="cap-live" onClick={() => setHeld(null)}>
                Jump to live{newer > 0 ? ` (${newer} new)` : ''}
              </button>
            ) : (
              <button type="button" onClick={() => setHeld(live)}>
                Pause captions
              </button>
            )}
          </>
        ) : null}
      </div>
      {prefs.on ? (
        <>
          {status ? <p className="cap-status">{status}</p> : null}
          <ol className="cap-lines" ref={list} tabIndex={0} aria-label={held ? 'Captions (paused)' : 'Captions'}>
            {shown.length === 0 ? <li className="cap-empty">Captions appear here as people speak.</li> : null}
            {shown.map((caption) => (
              <li key={caption.id} data-caption={caption.id} data-revision={caption.revision}>
                <span className="cap-speaker">{caption.speaker}:</span> <span className="cap-text">{caption.text}</span>
              </li>
            ))}
          </ol>
        </>
      ) : null}
      {/* The screen reader hears each new line once, politely; nothing while paused or off. */}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {prefs.on && !held && latest ? `${latest.speaker}: ${latest.text}` : ''}
      </div>
    </section>
  );
}

/**
 * Links to a Space's transcript (released captions) as WebVTT and SRT, served by the Space's server.
 * Signed in, the file is fetched with the session (a ticketed Space's transcript needs the ticket)
 * and saved from memory; a refusal is said beside the links.
 */
export function TranscriptLinks({ serverUrl, spaceId, token = null }: { serverUrl: string; spaceId: string; token?: string | null }) {
  const [refusal, setRefusal] = useState<string | null>(null);
  const href = (format: 'vtt' | 'srt') => new URL(`/api/spaces/${encodeURIComponent(spaceId)}/transcript.${format}`, serverUrl).href;
  const download = (format: 'vtt' | 'srt') => async (event: React.MouseEvent<HTMLAnchorElement>) => {
    if (!token) return;
    event.preventDefault();
    setRefusal(null);
    try {
      const response = await fetch(href(format), { headers: { authorization: `Bearer ${token}` } });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: unknown } } | null;
        setRefusal(typeof body?.error?.message === 'string' ? body.error.message : 'The transcript could not be fetched.');
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = `spacecraft-${spaceId}.${format}`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      setRefusal('The server cannot be reached right now.');
    }
  };
  return (
    <p className="cap-transcript">
      Transcript:{' '}
      <a href={href('vtt')} download onClick={download('vtt')}>
        WebVTT
      </a>{' '}
      ·{' '}
      <a href={href('srt')} download onClick={download('srt')}>
        SRT
      </a>
      {refusal ? <span role="alert"> {refusal}</span> : null}
    </p>
  );
}
