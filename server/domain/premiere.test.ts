import { describe, expect, it } from 'vitest';
import { advance, authorizeNowPlaying, nowPlayingOf, positionAt } from './premiere.ts';

const TRACK = { id: 't', title: 'Night Drive', artist: 'The Tones', artwork: null, durationMs: 10_000, positionMs: 2_000, playing: true };

describe('premiere rules', () => {
  it('lets only the host say what plays', () => {
    expect(() => authorizeNowPlaying('host')).not.toThrow();
    for (const role of ['cohost', 'speaker', 'listener'] as const) expect(() => authorizeNowPlaying(role)).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED' }));
  });

  it('refuses a position past the end', () => {
    expect(() => nowPlayingOf({ ...TRACK, positionMs: 10_001 }, 0)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(nowPlayingOf({ ...TRACK, positionMs: 10_000 }, 5)).toMatchObject({ positionMs: 10_000, at: 5 });
  });

  it('moves the play head with the clock while playing, never past the end, and holds it while paused', () => {
    const playing = nowPlayingOf(TRACK, 1_000);
    expect(positionAt(playing, 1_000)).toBe(2_000);
    expect(positionAt(playing, 4_500)).toBe(5_500);
    expect(positionAt(playing, 60_000)).toBe(10_000);
    expect(positionAt(playing, 0)).toBe(2_000);
    const paused = nowPlayingOf({ ...TRACK, playing: false }, 1_000);
    expect(positionAt(paused, 9_000)).toBe(2_000);
    expect(advance(playing, 2_000)).toMatchObject({ positionMs: 3_000, at: 2_000 });
  });
});
