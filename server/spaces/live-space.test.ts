import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PeerId, SpaceId } from '../domain/space.ts';
import type { NotificationFrame } from '../signalling/protocol.ts';
import { FakeSpaceMedia } from './fake-space-media.ts';
import { LiveSpace } from './live-space.ts';
import type { SpacePeer } from './space-peer.ts';

class FakePeer implements SpacePeer {
  readonly frames: NotificationFrame[] = [];
  detached = false;
  readonly id: PeerId;
  constructor(id: PeerId) {
    this.id = id;
  }
  send(frame: NotificationFrame): void {
    this.frames.push(frame);
  }
  detach(): void {
    this.detached = true;
  }
  notifications(name: string): Array<Record<string, unknown>> {
    return this.frames.map((f) => JSON.parse(f) as { notification: string; data: Record<string, unknown> }).filter((m) => m.notification === name).map((m) => m.data);
  }
}

const INTERVAL = 300;
let media: FakeSpaceMedia;
let host: FakePeer;

function liveSpace(options: Partial<{ hostGraceMs: number }> = {}): LiveSpace {
  return new LiveSpace({
    id: 'space-1' as SpaceId,
    title: 'Morning show',
    host,
    media,
    logger: pino({ level: 'silent' }),
    options: { stateIntervalMs: INTERVAL, hostGraceMs: options.hostGraceMs ?? 0 },
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  media = new FakeSpaceMedia();
  host = new FakePeer('host' as PeerId);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('state to peers', () => {
  it('coalesces a join storm: one frame at once, then at most one per interval, serialised once for everybody, count exact', async () => {
    const space = liveSpace();
    const stringify = vi.spyOn(JSON, 'stringify');
    const listeners = Array.from({ length: 1000 }, (_, i) => new FakePeer(`l${i}` as PeerId));
    await Promise.all(listeners.map((peer) => space.join(peer)));
    expect(host.notifications('spaceState')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    const states = host.notifications('spaceState');
    expect(states).toHaveLength(2);
    expect(states.at(-1)).toMatchObject({ listenerCount: 1000 });
    // Two frames in all, each serialised once (not once per peer).
    expect(stringify.mock.calls.filter(([value]) => (value as { notification?: string })?.notification === 'spaceState')).toHaveLength(2);
    expect(listeners.at(-1)!.notifications('spaceState').at(-1)).toMatchObject({ listenerCount: 1000 });
    await vi.advanceTimersByTimeAsync(INTERVAL * 5);
    expect(host.notifications('spaceState')).toHaveLength(2);
  });

  it('sends a change at once after a quiet interval', async () => {
    const space = liveSpace();
    await space.join(new FakePeer('a' as PeerId));
    await vi.advanceTimersByTimeAsync(INTERVAL * 2);
    await space.setMuted(host.id, true);
    expect(host.notifications('spaceState').at(-1)).toMatchObject({ hostMuted: true });
  });

  it('forgets the host producer when it closes on its own, and says so', async () => {
    const space = liveSpace();
    const transport = await space.createTransport(host.id, 'send');
    const producerId = await space.produce(host.id, transport.id, { codecs: [] } as never);
    expect(space.state().hostProducerId).toBe(producerId);
    expect(space.state().stage[0]).toMatchObject({ role: 'host', producerId });
    media.closePeer(host.id);
    expect(space.state().hostProducerId).toBeNull();
    expect(space.state().stage[0]).toMatchObject({ role: 'host', producerId: null });
  });
});

describe('ending', () => {
  it('ends for every peer even when an `ended` listener throws', async () => {
    const space = liveSpace();
    const listener = new FakePeer('a' as PeerId);
    await space.join(listener);
    const heard: string[] = [];
    space.on('ended', () => {
      throw new Error('listener bug');
    });
    space.on('ended', (state) => heard.push(state.status));
    await space.end(host.id, 'host-ended');
    expect(heard).toEqual(['ended']);
    expect(listener.notifications('spaceEnded')).toEqual([{ spaceId: 'space-1', reason: 'host-ended' }]);
    expect(listener.detached).toBe(true);
    expect(media.closed).toBe(true);
  });

  it('answers a media request that races the end with SPACE_ENDED, not an internal error', async () => {
    const space = liveSpace();
    const listener = new FakePeer('a' as PeerId);
    await space.join(listener);
    const transport = await space.createTransport(listener.id, 'recv');
    const ending = space.end(host.id, 'host-ended');
    const consuming = space.consume(listener.id, transport.id, 'p1', { codecs: [] });
    await ending;
    await expect(consuming).rejects.toMatchObject({ code: 'SPACE_ENDED' });
    await expect(space.createTransport(listener.id, 'recv')).rejects.toMatchObject({ code: 'SPACE_ENDED' });
  });

  it('lets a request already in flight finish before the end runs', async () => {
    const space = liveSpace();
    const listener = new FakePeer('a' as PeerId);
    await space.join(listener);
    const transport = await space.createTransport(listener.id, 'recv');
    let open!: () => void;
    media.gate = new Promise((resolve) => (open = resolve));
    const consuming = space.consume(listener.id, transport.id, 'p1', { codecs: [] });
    const ending = space.end(host.id, 'host-ended');
    open();
    await expect(consuming).resolves.toMatchObject({ producerId: 'p1' });
    await ending;
    expect(media.closed).toBe(true);
  });

  it('refuses media requests from a connection that is not in the Space', async () => {
    const space = liveSpace();
    await expect(space.createTransport('stranger' as PeerId, 'recv')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(space.createTransport(new FakePeer('a' as PeerId).id, 'send')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('the host dropping', () => {
  it('waits for the host during the grace, then ends with host-left', async () => {
    const space = liveSpace({ hostGraceMs: 10_000 });
    const listener = new FakePeer('a' as PeerId);
    await space.join(listener);
    await space.leave(host.id);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(listener.notifications('spaceState').at(-1)).toMatchObject({ hostConnected: false });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(space.space.status).toBe('live');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(listener.notifications('spaceEnded')).toEqual([{ spaceId: 'space-1', reason: 'host-left' }]);
  });

  it('keeps the Space when the host comes back with its key, and the new connection is the host', async () => {
    const space = liveSpace({ hostGraceMs: 10_000 });
    await space.leave(host.id);
    const back = new FakePeer('host-again' as PeerId);
    await expect(space.resume(back, 'wrong')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await space.resume(back, space.hostKey);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(space.space).toMatchObject({ status: 'live', hostConnected: true, hostPeerId: 'host-again' });
    await expect(space.createTransport(back.id, 'send')).resolves.toMatchObject({ id: expect.any(String) });
    await expect(space.createTransport(host.id, 'send')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('ends at once without a grace', async () => {
    const space = liveSpace({ hostGraceMs: 0 });
    await space.leave(host.id);
    expect(space.space).toMatchObject({ status: 'ended', endReason: 'host-left' });
  });
});
