/** The premiere's messages: what a host may say plays, bounded (text, times, artwork), and what pages get. */
import { describe, expect, it } from 'vitest';
import { MAX_ARTWORK_CHARS, MAX_TRACK_MS } from '../domain/premiere.ts';
import { MAX_MESSAGE_BYTES, notifications, requests } from './protocol.ts';

const schema = requests.setNowPlaying.data;
const JPEG = `data:image/jpeg;base64,${'A'.repeat(64)}==`;
const TRACK = { id: 'track-1', title: 'Night Drive', artist: 'The Tones', artwork: JPEG, durationMs: 180_000, positionMs: 0, playing: true };

function issues(track: unknown): Array<{ path: string; code: string }> {
  const result = schema.safeParse({ track });
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code }));
}

describe('setNowPlaying', () => {
  it('accepts a track, a track without artwork or artist, and null (nothing plays)', () => {
    expect(issues(TRACK)).toEqual([]);
    expect(issues({ ...TRACK, artwork: null, artist: '' })).toEqual([]);
    expect(issues(null)).toEqual([]);
    expect(schema.parse({ track: { ...TRACK, title: '  Night Drive ' } }).track?.title).toBe('Night Drive');
  });

  it('refuses each field out of bounds, for that field', () => {
    expect(issues({ ...TRACK, title: '   ' })).toEqual([{ path: 'track.title', code: 'too_small' }]);
    expect(issues({ ...TRACK, title: 'x'.repeat(201) })).toEqual([{ path: 'track.title', code: 'too_big' }]);
    expect(issues({ ...TRACK, artist: 'x'.repeat(201) })).toEqual([{ path: 'track.artist', code: 'too_big' }]);
    expect(issues({ ...TRACK, id: '' })).toEqual([{ path: 'track.id', code: 'too_small' }]);
    expect(issues({ ...TRACK, durationMs: -1 })).toEqual([{ path: 'track.durationMs', code: 'too_small' }]);
    expect(issues({ ...TRACK, durationMs: MAX_TRACK_MS + 1 })).toEqual([{ path: 'track.durationMs', code: 'too_big' }]);
    expect(issues({ ...TRACK, positionMs: 1.5 })).toEqual([{ path: 'track.positionMs', code: 'invalid_type' }]);
    expect(issues({ ...TRACK, playing: 'yes' })).toEqual([{ path: 'track.playing', code: 'invalid_type' }]);
    expect(issues({ ...TRACK, volume: 11 })).toEqual([{ path: 'track', code: 'unrecognized_keys' }]);
    expect(schema.safeParse({ track: TRACK, listeners: 'all' }).success).toBe(false);
  });

  it('takes artwork only as a bounded base64 data: URL of a JPEG, PNG or WebP (never SVG, never a link)', () => {
    for (const type of ['jpeg', 'png', 'webp']) expect(issues({ ...TRACK, artwork: `data:image/${type};base64,AAAA` })).toEqual([]);
    for (const artwork of [
      'data:image/svg+xml;base64,PHN2Zz4=',
      'https://example.com/cover.jpg',
      'data:text/html;base64,PHNjcmlwdD4=',
      'data:image/jpeg;base64,AAAA"><script>',
      'javascript:alert(1)',
      '',
    ]) {
      expect(issues({ ...TRACK, artwork }), artwork).toEqual([{ path: 'track.artwork', code: 'invalid_format' }]);
    }
    const prefix = 'data:image/jpeg;base64,';
    expect(issues({ ...TRACK, artwork: prefix + 'A'.repeat(MAX_ARTWORK_CHARS - prefix.length) })).toEqual([]);
    expect(issues({ ...TRACK, artwork: prefix + 'A'.repeat(MAX_ARTWORK_CHARS - prefix.length + 1) })).toEqual([{ path: 'track.artwork', code: 'too_big' }]);
  });

  it('fits the largest request in one frame the server reads', () => {
    const prefix = 'data:image/jpeg;base64,';
    const largest = { id: 1, method: 'setNowPlaying', data: { track: { ...TRACK, id: 'i'.repeat(64), title: '𝄞'.repeat(200), artist: '𝄞'.repeat(200), artwork: prefix + 'A'.repeat(MAX_ARTWORK_CHARS - prefix.length) } } };
    expect(schema.safeParse(largest.data).success).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(largest))).toBeLessThan(MAX_MESSAGE_BYTES);
  });
});

describe('nowPlaying notification', () => {
  it('carries a track with or without its artwork (left out when unchanged), or null', () => {
    const wire = { ...TRACK, at: 1 };
    expect(notifications.nowPlaying.safeParse({ nowPlaying: wire }).success).toBe(true);
    const withoutArtwork: Partial<typeof wire> = { ...wire };
    delete withoutArtwork.artwork;
    expect(notifications.nowPlaying.parse({ nowPlaying: withoutArtwork }).nowPlaying).not.toHaveProperty('artwork');
    expect(notifications.nowPlaying.safeParse({ nowPlaying: null }).success).toBe(true);
    expect(notifications.nowPlaying.safeParse({ nowPlaying: { ...wire, artwork: 'https://evil.example/x.svg' } }).success).toBe(false);
  });
});
