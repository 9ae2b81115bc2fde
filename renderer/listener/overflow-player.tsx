/**
 * The overflow stream of a live Space (issue #12): when every WebRTC seat is taken (the join
 * endpoint says the listening servers are full) or the link asks for it (`?overflow`), the page
 * plays the Space's program as HLS with hls.js (a few seconds behind, carried by plain HTTP and
 * any cache) and says so. When it came here because the Space was full, it asks for a seat again
 * every so often and goes back to live WebRTC as soon as one frees.
 *
 * The playlist URL comes from `GET /api/spaces/:id/overflow` (signed, with an expiry): when the
 * player's requests start failing (an expired link), it asks for a new one.
 */
import type Hls from 'hls.js';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { ErrorAlert } from '../lib/error-alert.tsx';
import type { ListenerSession } from './listener-session.ts';

type Overflow = { playlistUrl: string; expiresAt: string; behindSeconds: number };

/** How often a listener moved to the overflow asks whether a WebRTC seat is free again. */
export const SEAT_CHECK_MS = 15_000;

async function overflowOf(serverUrl: string, spaceId: string, token: string | null): Promise<Overflow> {
  // Signed in: a ticketed Space's overflow checks the listener's ticket (the session token, never in the URL).
  const response = await fetch(new URL(`/api/spaces/${encodeURIComponent(spaceId)}/overflow`, serverUrl), token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const body = (await response.json()) as Overflow & { error?: unknown };
  if (!response.ok) throw body.error ?? { code: 'UNAVAILABLE', message: 'The overflow stream is not available.' };
  return body;
}

/** Whether the join endpoint would seat this listener now (any answer but "full" or "wait"). */
async function seatFree(serverUrl: string, spaceId: string): Promise<boolean> {
  const response = await fetch(new URL(`/api/spaces/${encodeURIComponent(spaceId)}/join`, serverUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return response.ok;
}

export function OverflowPlayer({ serverUrl, spaceId, returnWhenSeatFree, onSeatFree, token = null }: { serverUrl: string; spaceId: string; returnWhenSeatFree: boolean; onSeatFree: () => void; token?: string | null }) {
  const audio = useRef<HTMLAudioElement>(null);
  const [behind, setBehind] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let hls: Hls | null = null;
    let cancelled = false;
    // hls.js is loaded only by a page that goes to the overflow (it is a third of the page's size).
    Promise.all([overflowOf(serverUrl, spaceId, token), import('hls.js')]).then(
      ([overflow, { default: HlsPlayer }]) => {
        const element = audio.current;
        if (cancelled || !element) return;
        setBehind(overflow.behindSeconds);
        setError(null);
        const url = new URL(overflow.playlistUrl, serverUrl).toString();
        if (!HlsPlayer.isSupported()) {
          // Safari plays HLS itself.
          element.src = url;
          element.play().catch(() => undefined);
          return;
        }
        // No worker: the page's content security policy allows no blob: scripts.
        hls = new HlsPlayer({ enableWorker: false, lowLatencyMode: true, liveSyncDurationCount: 2, manifestLoadingMaxRetry: 4 });
        hls.on(HlsPlayer.Events.ERROR, (_event, data) => {
          if (!data.fatal) return;
          // An expired link or a stream that restarted: ask for a new URL (a few seconds later).
          hls?.destroy();
          hls = null;
          setTimeout(() => !cancelled && setAttempt((a) => a + 1), 2000);
        });
        hls.loadSource(url);
        hls.attachMedia(element);
        element.play().catch(() => undefined);
      },
      (e: unknown) => {
        if (cancelled) return;
        setError(e);
        setTimeout(() => !cancelled && setAttempt((a) => a + 1), 5000);
      },
    );
    return () => {
      cancelled = true;
      hls?.destroy();
    };
  }, [serverUrl, spaceId, attempt]);

  useEffect(() => {
    if (!returnWhenSeatFree) return;
    const timer = setInterval(() => {
      seatFree(serverUrl, spaceId).then((free) => free && onSeatFree(), () => undefined);
    }, SEAT_CHECK_MS);
    return () => clearInterval(timer);
  }, [serverUrl, spaceId, returnWhenSeatFree, onSeatFree]);

  return (
    <div className="overflow-player">
      <p className="state" role="status" data-phase="overflow">
        {behind === null
          ? 'Connecting to the overflow stream…'
          : `Live on the overflow stream: about ${behind} s behind the Space.${returnWhenSeatFree ? ' You move to live audio as soon as a seat frees.' : ''}`}
      </p>
      <audio ref={audio} className="overflow-audio" autoPlay />
      <ErrorAlert error={error} />
    </div>
  );
}

/** How long a listener told to wait for a seat waits before the page moves to the overflow stream by itself. */
export const OVERFLOW_AFTER_WAITING_MS = 10_000;

/**
 * While the join endpoint tells this listener to wait (every seat taken, or a join storm): a button
 * to listen on the overflow stream now, and the move to it once the wait has lasted long enough.
 */
export function OverflowOffer({ session, onChoose }: { session: ListenerSession; onChoose: () => void }) {
  const snapshot = useSyncExternalStore((f) => session.subscribe(f), () => session.snapshot);
  const waiting = Boolean(snapshot.waitSeconds) && snapshot.phase === 'connecting';
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(onChoose, OVERFLOW_AFTER_WAITING_MS);
    return () => clearTimeout(timer);
  }, [waiting, onChoose]);
  if (!waiting) return null;
  return (
    <button type="button" className="secondary overflow-offer" onClick={onChoose}>
      Listen now on the overflow stream (a few seconds behind)
    </button>
  );
}
