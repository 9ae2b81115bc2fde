import { useRef, useState } from 'react';
import { describeError } from '../../../../lib/error-messages.ts';
import { AUDIO_FILES, SingleFileInput } from '../../../../lib/file-input.tsx';
import { openTrackThroughApp, type OpenedTrack } from '../api/open-track.ts';
import { artworkFromImage } from '../lib/artwork.ts';
import type { PremiereController, PremiereState, Told } from '../lib/premiere-controller.ts';
import type { PremiereEntry } from '../lib/premiere-queue.ts';
import './premiere.css';

const TOLD: Record<Told, string> = {
  'not-live': 'Not live: listeners see what plays once you go live.',
  told: 'Listeners see what plays.',
  'not-host': 'Only the host’s premiere shows on listener pages.',
  failed: 'Listeners could not be told what plays.',
};

/** The premiere: a queue of tracks (title, artist, artwork); playing one switches the mixer to music mode and shows it on every listener page. */
export function PremierePanel({ controller, state }: { controller: PremiereController; state: PremiereState }) {
  const current = state.queue.find((e) => e.id === state.current) ?? null;
  return (
    <section className="panel premiere" aria-labelledby="premiere-heading">
      <div className="panel-head">
        <h2 id="premiere-heading">Premiere</h2>
        <span className={`pill premiere-told told-${state.told}${current ? ' on' : ''}`} data-told={state.told}>
          {state.told === 'told' ? (current ? '● On listener pages' : 'Live') : state.told === 'not-live' ? 'Not live' : state.told === 'not-host' ? 'Co-host' : 'Not told'}
        </span>
      </div>
      {current ? (
        <div className="premiere-now" aria-label="Premiere playing" data-playing={state.playing}>
          <Artwork src={current.artwork} size="large" />
          <div className="premiere-now-text">
            <span className="premiere-now-label">{state.playing ? 'Now playing · music mode' : 'Paused · music mode'}</span>
            <strong className="premiere-title">{current.title}</strong>
            {current.artist ? <span className="premiere-artist">{current.artist}</span> : null}
          </div>
          <div className="premiere-now-actions">
            {state.playing ? (
              <button type="button" onClick={() => controller.pause()}>
                Pause
              </button>
            ) : (
              <button type="button" onClick={() => controller.resume()}>
                Resume
              </button>
            )}
            <button type="button" onClick={() => controller.stop()}>
              Stop premiere
            </button>
          </div>
        </div>
      ) : null}
      <p className="hint premiere-status" role="status">
        {state.told === 'told' && !current ? 'Live: play a track and every listener page shows it.' : TOLD[state.told]}
      </p>
      <QueueList controller={controller} state={state} />
      <AddTrack controller={controller} disabled={state.queue.length >= 24} />
      {state.error ? (
        <p className="error" role="alert">
          {state.error}
        </p>
      ) : null}
    </section>
  );
}

function QueueList({ controller, state }: { controller: PremiereController; state: PremiereState }) {
  if (state.queue.length === 0) return <p className="hint premiere-empty">The queue is empty: add the tracks you will premiere.</p>;
  return (
    <ol className="premiere-queue" aria-label="Premiere queue">
      {state.queue.map((entry, i) => {
        const isCurrent = entry.id === state.current;
        const played = state.played.includes(entry.id);
        return (
          <li key={entry.id} className="premiere-entry" data-current={isCurrent} data-played={played}>
            <Artwork src={entry.artwork} />
            <div className="premiere-entry-text">
              <span className="premiere-title">{entry.title}</span>
              <span className="premiere-artist">
                {entry.artist || 'No artist'}
                {isCurrent ? ' · playing' : played ? ' · played' : state.loading === entry.id ? ' · loading…' : ''}
              </span>
            </div>
            <div className="premiere-entry-actions">
              <button type="button" className="primary" disabled={state.loading !== null || isCurrent} aria-label={`Play ${entry.title}`} onClick={() => void controller.play(entry.id)}>
                ▶ Play
              </button>
              <button type="button" disabled={isCurrent} aria-label={`Play ${entry.title} next`} onClick={() => controller.playNext(entry.id)}>
                Next
              </button>
              <button type="button" disabled={i === 0} aria-label={`Move ${entry.title} up`} onClick={() => controller.move(entry.id, -1)}>
                ↑
              </button>
              <button type="button" disabled={i === state.queue.length - 1} aria-label={`Move ${entry.title} down`} onClick={() => controller.move(entry.id, 1)}>
                ↓
              </button>
              <button type="button" aria-label={`Remove ${entry.title}`} onClick={() => controller.remove(entry.id)}>
                ✕
              </button>
            </div>
          </li>
        );
      })}
    </ol>
  );
}

function Artwork({ src, size = 'small' }: { src: string | null; size?: 'small' | 'large' }) {
  return src ? <img className={`premiere-art ${size}`} src={src} alt="" /> : <span className={`premiere-art ${size} none`} aria-hidden="true">♪</span>;
}

let nextId = 1;
const newId = () => `t${Date.now().toString(36)}-${nextId++}`;

/** Title from a file name: its extension off, separators as spaces. */
function titleOf(fileName: string): string {
  return fileName.replace(/\.[^.]+$/, '').replace(/[_]+/g, ' ').trim().slice(0, 200) || 'Untitled';
}

function AddTrack({ controller, disabled }: { controller: PremiereController; disabled: boolean }) {
  const [audio, setAudio] = useState<OpenedTrack | null>(null);
  const [title, setTitle] = useState('');
  const [artist, setArtist] = useState('');
  const [artwork, setArtwork] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const audioInput = useRef<HTMLInputElement>(null);
  const imageInput = useRef<HTMLInputElement>(null);

  const chose = (opened: OpenedTrack) => {
    setAudio(opened);
    setTitle((t) => t || titleOf(opened.name));
  };
  const chooseAudio = async () => {
    setError(null);
    try {
      const opened = await openTrackThroughApp();
      if (opened === 'use-file-input') audioInput.current?.click();
      else if (opened) chose(opened);
    } catch (e) {
      setError(describeError(e));
    }
  };
  const chooseImage = async (file: File) => {
    setBusy(true);
    setError(null);
    try {
      setArtwork(await artworkFromImage(file));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = () => {
    if (!audio) return;
    try {
      const entry: PremiereEntry = { id: newId(), title: title.trim() || titleOf(audio.name), artist: artist.trim(), artwork, fileName: audio.name, bytes: audio.bytes };
      controller.add(entry);
      setAudio(null);
      setTitle('');
      setArtist('');
      setArtwork(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <form
      className="premiere-add"
      aria-label="Add a track to the premiere"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="premiere-add-files">
        <button type="button" onClick={() => void chooseAudio()} disabled={disabled}>
          {audio ? 'Audio ✓' : 'Audio file…'}
        </button>
        <SingleFileInput ref={audioInput} hidden accept={AUDIO_FILES} label="Premiere audio file" onFile={(file) => chose({ name: file.name, bytes: () => file.arrayBuffer() })} />
        <button type="button" className="premiere-art-button" onClick={() => imageInput.current?.click()} disabled={disabled || busy} aria-label="Artwork image">
          {artwork ? <img className="premiere-art small" src={artwork} alt="Artwork preview" /> : busy ? 'Reading…' : 'Artwork…'}
        </button>
        <SingleFileInput ref={imageInput} hidden accept="image/*" label="Premiere artwork file" onFile={(file) => void chooseImage(file)} />
        <span className="hint premiere-file" title={audio?.name ?? ''}>
          {audio ? audio.name : 'No file chosen'}
        </span>
      </div>
      <div className="premiere-add-fields">
        <label className="field">
          <span>Title</span>
          <input aria-label="Track title" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <label className="field">
          <span>Artist</span>
          <input aria-label="Track artist" value={artist} maxLength={200} onChange={(e) => setArtist(e.target.value)} />
        </label>
      </div>
      <button type="submit" disabled={!audio || disabled || busy}>
        Add to queue
      </button>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
