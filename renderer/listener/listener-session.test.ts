/** ListenerSession with fake signalling and media: what it does when the host's producer changes. */
import { describe, expect, it } from 'vitest';
import type { SpaceState } from '../../server/signalling/protocol.ts';
import type { MediaSession } from '../lib/media-session.ts';
import type { SignallingClient } from '../lib/signalling-client.ts';
import { ListenerSession } from './listener-session.ts';

type FakeTrack = { id: string; stopped: boolean; stop(): void };
type FakeConsumer = { producerId: string; track: FakeTrack; closed: boolean; close(): void };
type FakeStream = { track: FakeTrack; getTracks(): FakeTrack[] };

const state = (hostProducerId: string | null): SpaceState =>
  ({ spaceId: 'space1', title: 'Show', status: 'live', listenerCount: 1, hostConnected: true, hostMuted: false, hostProducerId }) as SpaceState;

function fakes(initial: SpaceState) {
  const notifications = new Map<string, (data: unknown) => void>();
  const consumers: FakeConsumer[] = [];
  const signalling = {
    open: true,
    on: (name: string, listener: (data: unknown) => void) => {
      notifications.set(name, listener);
      return () => undefined;
    },
    onClose: () => () => undefined,
    request: async (method: string) => {
      if (method === 'joinSpace') return { space: initial, routerRtpCapabilities: {} };
      throw new Error(`unexpected ${method}`);
    },
    close: () => undefined,
  };
  const media = {
    closed: false,
    listen: async (producerId: string) => {
      const track: FakeTrack = { id: `track-${producerId}`, stopped: false, stop: () => void (track.stopped = true) };
      const consumer: FakeConsumer = { producerId, track, closed: false, close: () => void (consumer.closed = true) };
      consumers.push(consumer);
      return consumer;
    },
    onConnectionState: () => () => undefined,
    close: () => void (media.closed = true),
  };
  const session = new ListenerSession({
    connect: async () => signalling as unknown as SignallingClient,
    createMedia: async () => media as unknown as MediaSession,
    streamOf: (track) => ({ track, getTracks: () => [track] }) as unknown as MediaStream,
  });
  const push = (space: SpaceState) => notifications.get('spaceState')!(space);
  return { session, consumers, media, push };
}

const streamTrack = (session: ListenerSession) => (session.snapshot.stream as unknown as FakeStream | null)?.track.id ?? null;

describe('ListenerSession', () => {
  it('closes the old consumer and its stream when the host publishes a new producer', async () => {
    const { session, consumers, push } = fakes(state('producer1'));
    await session.join('http://127.0.0.1:4400', 'space1');
    expect(session.snapshot.phase).toBe('listening');
    expect(streamTrack(session)).toBe('track-producer1');

    push(state('producer2'));
    await expect.poll(() => streamTrack(session)).toBe('track-producer2');
    expect(consumers.map((c) => [c.producerId, c.closed, c.track.stopped])).toEqual([
      ['producer1', true, true],
      ['producer2', false, false],
    ]);
  });

  it('closes the consumer when the host stops publishing, and waits', async () => {
    const { session, consumers, push } = fakes(state('producer1'));
    await session.join('http://127.0.0.1:4400', 'space1');
    push(state(null));
    await expect.poll(() => session.snapshot.phase).toBe('waiting');
    expect(session.snapshot.stream).toBeNull();
    expect(consumers[0]).toMatchObject({ closed: true, track: { stopped: true } });
  });

  it('closes the consumer and media when closed', async () => {
    const { session, consumers, media } = fakes(state('producer1'));
    await session.join('http://127.0.0.1:4400', 'space1');
    session.close();
    expect(consumers[0]).toMatchObject({ closed: true, track: { stopped: true } });
    expect(media.closed).toBe(true);
  });
});
