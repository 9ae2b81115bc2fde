/**
 * The premiere's part of the signalling protocol, merged into protocol.ts's
 * maps; clients import them from there.
 *
 *   setNowPlaying { track | null }    the host: what plays now (sent on play, pause, seek and
 *                                     track change, never continuously; rate-limited per connection)
 *
 *   nowPlaying { nowPlaying | null }  to everyone, coalesced like the state; to a joining
 *                                     connection at once. `positionMs` is the play head when the
 *                                     frame left the server: a page moves it on by its own clock
 *                                     while `playing`. `artwork` is left out when it is the same
 *                                     as in the frame before (one 48 KB image per track, not per
 *                                     pause); a page keeps the one it has.
 */
import { z } from 'zod';
import { MAX_ARTWORK_CHARS, MAX_TRACK_MS, MAX_TRACK_TEXT } from '../domain/premiere.ts';

/** The largest artwork data: URL (characters), for the studio to fit its JPEG under. */
export const ARTWORK_MAX_CHARS = MAX_ARTWORK_CHARS;

const id = z.string().min(1).max(64);
const ms = z.number().int().min(0).max(MAX_TRACK_MS);

/** A small image as a data: URL: JPEG, PNG or WebP only (never SVG, which can carry script). */
export const artworkSchema = z
  .string()
  .max(MAX_ARTWORK_CHARS)
  .regex(/^data:image\/(?:jpeg|png|webp);base64,[A-Za-z0-9+/]+={0,2}$/, 'artwork must be a base64 data: URL of a JPEG, PNG or WebP image');

export const nowPlayingTrackSchema = z
  .object({
    id,
    title: z.string().trim().min(1).max(MAX_TRACK_TEXT),
    artist: z.string().trim().max(MAX_TRACK_TEXT),
    artwork: artworkSchema.nullable(),
    durationMs: ms,
    positionMs: ms,
    playing: z.boolean(),
  })
  .strict();
export type NowPlayingTrack = z.infer<typeof nowPlayingTrackSchema>;

/** What a page gets: the track (artwork left out when unchanged), its play head and the server's time of it. */
export const nowPlayingWireSchema = z.object({
  id,
  title: z.string().max(MAX_TRACK_TEXT),
  artist: z.string().max(MAX_TRACK_TEXT),
  artwork: artworkSchema.nullable().optional(),
  durationMs: ms,
  positionMs: ms,
  playing: z.boolean(),
  at: z.number(),
});
export type NowPlayingWire = z.infer<typeof nowPlayingWireSchema>;

export const premiereRequests = {
  setNowPlaying: { data: z.object({ track: nowPlayingTrackSchema.nullable() }).strict(), result: z.object({}) },
} as const;

export const premiereNotifications = {
  nowPlaying: z.object({ nowPlaying: nowPlayingWireSchema.nullable() }),
} as const;
