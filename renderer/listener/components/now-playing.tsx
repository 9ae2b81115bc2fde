/**
 * What the host plays (a premiere track) on the listener page: artwork, title,
 * artist and a progress bar that moves by this page's clock between what the
 * server says (it says only on play, pause, seek and track change). A new
 * track is announced politely to screen readers; the bar itself is not.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ListenerNowPlaying, ListenerSession } from '../listener-session.ts';
import './now-playing.css';

/** How often the bar and the clock move while playing. */
const TICK_MS = 500;

/** "m:ss" (or "h:mm:ss") of milliseconds. */
export function clockOf(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The play head at `now`: moved on by the time since it was received while playing, never past the end. */
export function positionOf(track: ListenerNowPlaying, now: number): number {
  if (!track.playing) return track.positionMs;
  return Math.min(track.durationMs, track.positionMs + Math.max(0, now - track.receivedAt));
}

export function NowPlayingCard({ track }: { track: ListenerNowPlaying }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    if (!track.playing) return;
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [track]);
  const position = positionOf(track, now);
  const fraction = track.durationMs > 0 ? position / track.durationMs : 0;
  const by = track.artist ? ` by ${track.artist}` : '';
  return (
    <section className="now-playing" aria-label="Now playing" data-playing={track.playing} data-track-id={track.id} data-position-ms={Math.round(position)}>
      {track.artwork ? <img className="np-art" src={track.artwork} alt={`Artwork for ${track.title}`} /> : <span className="np-art none" aria-hidden="true">♪</span>}
      <div className="np-body">
        <p className="np-label">
          {track.playing ? (
            <>
              <span className="np-bars" aria-hidden="true">
                <i />
                <i />
                <i />
              </span>
              Now playing
            </>
          ) : (
            'Paused'
          )}
        </p>
        <p className="np-title">{track.title}</p>
        {track.artist ? <p className="np-artist">{track.artist}</p> : null}
        <div
          className="np-progress"
          role="progressbar"
          aria-label="Track progress"
          aria-valuemin={0}
          aria-valuemax={Math.round(track.durationMs / 1000)}
          aria-valuenow={Math.round(position / 1000)}
          aria-valuetext={`${clockOf(position)} of ${clockOf(track.durationMs)}${track.playing ? '' : ', paused'}`}
        >
          <span className="np-fill" style={{ transform: `scaleX(${Math.min(1, Math.max(0, fraction))})` }} />
        </div>
        <p className="np-times" aria-hidden="true">
          <span className="np-elapsed">{clockOf(position)}</span>
          <span>{clockOf(track.durationMs)}</span>
        </p>
      </div>
      {/* Only the track's name and whether it is paused are announced, politely: never the ticking time. */}
      <p className="visually-hidden" aria-live="polite">
        {track.playing ? `Now playing: ${track.title}${by}` : `Paused: ${track.title}${by}`}
      </p>
    </section>
  );
}

/** The card for a listener session, while it is in the Space and something plays. */
export function SessionNowPlaying({ session }: { session: ListenerSession }) {
  const snapshot = useSyncExternalStore(
    (onChange) => session.subscribe(onChange),
    () => session.snapshot,
  );
  if (!snapshot.nowPlaying || snapshot.phase === 'ended' || snapshot.phase === 'disconnected') return null;
  return <NowPlayingCard track={snapshot.nowPlaying} />;
}
