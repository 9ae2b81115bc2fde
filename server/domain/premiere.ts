/**
 * A premiere: the track the host is playing to the Space, as the server keeps
 * it. Pure rules, no I/O: who may say what plays, and where the play head is
 * now (the host tells only on play, pause, seek and track change; between
 * those the position runs with the clock while playing).
 */
import { PermissionError, ValidationError } from '../errors.ts';
import type { Role } from './stage.ts';

/** The largest artwork a track may carry: a data: URL of a small JPEG (the studio makes ≤ 256 px). */
export const MAX_ARTWORK_CHARS = 48 * 1024;
/** The longest track the server accepts (the studio's player takes 20 minutes; a DJ set may be longer). */
export const MAX_TRACK_MS = 6 * 60 * 60 * 1000;
export const MAX_TRACK_TEXT = 200;

/** What the host says plays: a track and where its play head is. */
export type NowPlayingInput = {
  id: string;
  title: string;
  artist: string;
  /** A data: URL of an image (JPEG, PNG or WebP), or null. */
  artwork: string | null;
  durationMs: number;
  positionMs: number;
  playing: boolean;
};

/** What the server keeps: the input and when (server clock, ms) its position was true. */
export type NowPlaying = NowPlayingInput & { at: number };

/** Only the host says what plays: a premiere is the host's show, and a Space has one now-playing slot. */
export function authorizeNowPlaying(role: Role): void {
  if (role !== 'host') throw new PermissionError('Only the host says what is playing in this Space.');
}

/** Checks what the protocol's schema cannot (a position past the end) and stamps it with `now`. */
export function nowPlayingOf(input: NowPlayingInput, now: number): NowPlaying {
  if (input.positionMs > input.durationMs) throw new ValidationError('The position is past the end of the track.');
  return { ...input, at: now };
}

/** The play head at `now`: moves with the clock while playing, never past the end. */
export function positionAt(playing: NowPlaying, now: number): number {
  if (!playing.playing) return playing.positionMs;
  return Math.min(playing.durationMs, playing.positionMs + Math.max(0, now - playing.at));
}

/** The same track as of `now` (its position moved on, stamped `now`). */
export function advance(playing: NowPlaying, now: number): NowPlaying {
  return { ...playing, positionMs: Math.round(positionAt(playing, now)), at: now };
}
