/** A Space's now-playing: the host sets it, everyone is told (coalesced), a joiner gets it at once, a host that leaves clears it. */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SpaceId } from '../domain/space.ts';
import { FakeSpaceMedia } from './fake-space-media.ts';
import { FakeSpacePeer } from './fake-space-peer.ts';
import { LiveSpace } from './live-space.ts';
import { MemoryStageRecords } from './space-records.ts';

const INTERVAL = 300;
const ART = `data:image/jpeg;base64,${'Q'.repeat(4000)}`;
const TRACK = { id: 'track-1', title: 'Night Drive', artist: 'The Tones', artwork: ART, durationMs: 180_000, positionMs: 0, playing: true };

let host: FakeSpacePeer;

function liveSpace(hostGraceMs = 0, records = new MemoryStageRecords()): LiveSpace {
  return new LiveSpace({
    id: 'space-1' as SpaceId,
    title: 'Premiere',
    host,
    media: new FakeSpaceMedia(),
    logger: pino({ level: 'silent' }),
    options: { stateIntervalMs: INTERVAL, hostGraceMs, stageRecords: records },
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
  host = new FakeSpacePeer('host', 'creator');
});
afterEach(() => vi.useRealTimers());

describe('now playing', () => {
  it('is what the host set, its position moving with the clock while playing and held while paused', async () => {
    const space = liveSpace();
    expect(space.nowPlaying).toBeNull();
    await space.setNowPlaying(host.id, { ...TRACK, positionMs: 5_000 });
    vi.advanceTimersByTime(2_500);
    expect(space.nowPlaying).toMatchObject({ id: 'track-1', title: 'Night Drive', positionMs: 7_500, playing: true });
    await space.setNowPlaying(host.id, { ...TRACK, positionMs: 7_500, playing: false });
    vi.advanceTimersByTime(10_000);
    expect(space.nowPlaying).toMatchObject({ positionMs: 7_500, playing: false });
    await space.setNowPlaying(host.id, null);
    expect(space.nowPlaying).toBeNull();
  });

  it('tells everyone at once, then coalesces a burst into one frame per interval with the latest', async () => {
    const space = liveSpace();
    const a = new FakeSpacePeer('a');
    await space.join(a);
    await space.setNowPlaying(host.id, TRACK);
    expect(a.notifications('nowPlaying')).toEqual([{ nowPlaying: { ...TRACK, at: 1_000_000 } }]);
    for (let i = 1; i <= 10; i++) await space.setNowPlaying(host.id, { ...TRACK, positionMs: i * 1000, playing: i % 2 === 0 });
    expect(a.notifications('nowPlaying')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(a.notifications('nowPlaying')).toHaveLength(2);
    expect(host.notifications('nowPlaying')).toHaveLength(2);
    // The latest (played on by the 300 ms it waited); the same artwork is not sent again: the page keeps the one it has.
    expect(a.last('nowPlaying')).toEqual({ nowPlaying: { id: 'track-1', title: 'Night Drive', artist: 'The Tones', durationMs: 180_000, positionMs: 10_300, playing: true, at: 1_000_300 } });
    await vi.advanceTimersByTimeAsync(INTERVAL * 5);
    expect(a.notifications('nowPlaying')).toHaveLength(2);
  });

  it('sends the artwork again when it changes (a new track), and after nothing played', async () => {
    const space = liveSpace();
    const a = new FakeSpacePeer('a');
    await space.join(a);
    await space.setNowPlaying(host.id, TRACK);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await space.setNowPlaying(host.id, { ...TRACK, id: 'track-2', artwork: null });
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await space.setNowPlaying(host.id, null);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await space.setNowPlaying(host.id, { ...TRACK, id: 'track-3' });
    const frames = a.notifications('nowPlaying').map((f) => f['nowPlaying'] as Record<string, unknown> | null);
    expect(frames.map((f) => f && { id: f['id'], artwork: 'artwork' in f ? (f['artwork'] === null ? null : 'image') : 'kept' })).toEqual([
      { id: 'track-1', artwork: 'image' },
      { id: 'track-2', artwork: null },
      null,
      { id: 'track-3', artwork: 'image' },
    ]);
  });

  it('reaches a joiner at once with its artwork and the position as of the join', async () => {
    const space = liveSpace();
    await space.setNowPlaying(host.id, { ...TRACK, positionMs: 1_000 });
    await vi.advanceTimersByTimeAsync(INTERVAL);
    vi.advanceTimersByTime(4_000);
    const late = new FakeSpacePeer('late');
    await space.join(late);
    expect(late.notifications('nowPlaying')).toEqual([{ nowPlaying: { ...TRACK, positionMs: 5_300, at: 1_004_300 } }]);
    const nobody = liveSpace();
    const b = new FakeSpacePeer('b');
    await nobody.join(b);
    expect(b.notifications('nowPlaying')).toEqual([]);
  });

  it('is the host’s alone: a co-host, a speaker, a listener and a stranger are refused and nothing changes', async () => {
    const records = new MemoryStageRecords();
    const space = liveSpace(0, records);
    await records.saveRole('space-1' as SpaceId, 'acc-cyd', 'cohost');
    const cohost = new FakeSpacePeer('cohost', 'cyd');
    const listener = new FakeSpacePeer('listener', 'bob');
    await space.join(cohost);
    await space.join(listener);
    expect(space.roleOf(cohost.id)).toBe('cohost');
    await expect(space.setNowPlaying(cohost.id, TRACK)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(space.setNowPlaying(listener.id, TRACK)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(space.setNowPlaying(new FakeSpacePeer('stranger').id, TRACK)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(space.setNowPlaying(host.id, { ...TRACK, positionMs: 180_001 })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(space.nowPlaying).toBeNull();
    expect(listener.notifications('nowPlaying')).toEqual([]);
  });

  it('clears when the host’s connection goes (told to everyone), and the host that comes back says it again', async () => {
    const space = liveSpace(15_000);
    const a = new FakeSpacePeer('a');
    await space.join(a);
    await space.setNowPlaying(host.id, TRACK);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await space.leave(host.id);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(space.nowPlaying).toBeNull();
    expect(a.last('nowPlaying')).toEqual({ nowPlaying: null });
    const back = new FakeSpacePeer('host-2', 'creator');
    await space.resume(back, space.hostKey);
    await space.setNowPlaying(back.id, { ...TRACK, positionMs: 20_000 });
    expect(space.nowPlaying).toMatchObject({ positionMs: 20_000 });
  });

  it('tells listeners it cleared even when the host leaves right after a change and the Space ends at once', async () => {
    const space = liveSpace(0);
    const a = new FakeSpacePeer('a');
    await space.join(a);
    await space.setNowPlaying(host.id, TRACK);
    await space.setNowPlaying(host.id, { ...TRACK, playing: false });
    await space.leave(host.id);
    expect(a.notifications('nowPlaying').map((f) => f['nowPlaying'] && (f['nowPlaying'] as { id: string }).id)).toEqual(['track-1', null]);
    expect(a.last('spaceEnded')).toMatchObject({ reason: 'host-left' });
  });

  it('sends nothing more once the Space ended', async () => {
    const space = liveSpace();
    const a = new FakeSpacePeer('a');
    await space.join(a);
    await space.setNowPlaying(host.id, TRACK);
    await space.setNowPlaying(host.id, { ...TRACK, playing: false });
    await space.end(host.id, 'host-ended');
    await vi.advanceTimersByTimeAsync(INTERVAL * 3);
    expect(a.notifications('nowPlaying')).toHaveLength(1);
    await expect(space.setNowPlaying(host.id, TRACK)).rejects.toMatchObject({ code: 'SPACE_ENDED' });
  });
});
