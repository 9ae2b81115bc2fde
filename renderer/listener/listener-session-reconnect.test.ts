/**
 * ListenerSession taking its Space back after the connection is lost, with a
 * fake server that hands out a new fake connection per connect: a dropped
 * socket, a server that is down for a while, a dead socket found by the
 * heartbeat, failed ICE; a speaker's seat and microphone coming back; giving up
 * and trying again; a Space that ended meanwhile.
 */
import { describe, expect, it } from 'vitest';
import type { SpaceState, StageMember, YourRole } from '../../server/signalling/protocol.ts';
import type { MediaSession } from '../lib/media-session.ts';
import type { SignallingClient } from '../lib/signalling-client.ts';
import { fakeProducer, type FakeProducer as BaseFakeProducer } from '../test/fake-media.ts';
import { liveSpace, stageMember } from '../test/fake-signalling.ts';
import { ListenerSession, type ListenerDeps } from './listener-session.ts';

type FakeTrack = { id: string; stopped: boolean; readyState: string; stop(): void };
type FakeProducer = BaseFakeProducer & { track: unknown };
type IceListener = (direction: 'send' | 'recv', state: string) => void;

const member = stageMember;
const state = (others: StageMember[] = []): SpaceState => liveSpace([member('host', 'host', 'h1'), ...others]);

const unavailable = () => Object.assign(new Error('The connection to the server was lost.'), { code: 'UNAVAILABLE' });

class FakeConnection {
  open = true;
  readonly requests: Array<[string, unknown]> = [];
  readonly #listeners = new Map<string, Set<(data: unknown) => void>>();
  readonly #closeListeners = new Set<() => void>();
  readonly #pending = new Set<(error: Error) => void>();

  readonly server: FakeServer;
  readonly index: number;

  constructor(server: FakeServer, index: number) {
    this.server = server;
    this.index = index;
  }

  on(name: string, listener: (data: unknown) => void) {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  onClose(listener: () => void) {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  notify(name: string, data: unknown): void {
    for (const listener of this.#listeners.get(name) ?? []) listener(data);
  }

  async request(method: string, data: unknown): Promise<unknown> {
    if (!this.open) throw unavailable();
    this.requests.push([method, data]);
    const server = this.server;
    if (method === 'ping' && server.deaf) return new Promise((_, reject) => this.#pending.add(reject));
    const refusal = server.refuse[method];
    if (refusal) throw Object.assign(new Error(refusal), { code: refusal });
    if (method === 'joinSpace') {
      const you: YourRole = { peerId: `me${this.index}`, role: server.role, requestPending: false };
      return { space: server.space(you.peerId), routerRtpCapabilities: {}, you };
    }
    return {};
  }

  /** The network or the server dropped it. */
  drop(): void {
    if (!this.open) return;
    this.open = false;
    for (const reject of this.#pending) reject(unavailable());
    for (const listener of this.#closeListeners) listener();
  }

  /** Closed by the client: the socket says so a moment later, as a real one does. */
  close(): void {
    setTimeout(() => this.drop(), 0);
  }
}

class FakeServer {
  up = true;
  /** Pings go unanswered (a dead socket the browser has not noticed). */
  deaf = false;
  role: YourRole['role'] = 'listener';
  refuse: Record<string, string> = {};
  /** How many of the next medias never get ICE-connected. */
  blockIce = 0;
  readonly connections: FakeConnection[] = [];
  readonly medias: FakeMedia[] = [];
  readonly delays: number[] = [];

  /** The stage as the joining connection `me` sees it: a speaker's seat is theirs. */
  space(me: string): SpaceState {
    return this.role === 'speaker' ? state([member(me, 'speaker', null, { muted: true })]) : state();
  }

  get last(): FakeConnection {
    return this.connections.at(-1)!;
  }

  deps(extra: Partial<ListenerDeps> = {}): Partial<ListenerDeps> {
    return {
      connect: async () => {
        if (!this.up) throw unavailable();
        const connection = new FakeConnection(this, this.connections.length);
        this.connections.push(connection);
        return connection as unknown as SignallingClient;
      },
      createMedia: async () => {
        const media = new FakeMedia();
        media.iceBlocked = this.blockIce > 0;
        this.blockIce = Math.max(0, this.blockIce - 1);
        this.medias.push(media);
        return media as unknown as MediaSession;
      },
      streamOf: (track) => ({ track, getTracks: () => [track] }) as unknown as MediaStream,
      retryDelayMs: (attempt) => {
        this.delays.push(attempt);
        return attempt === 1 ? 0 : 5;
      },
      reconnectWindowMs: 10_000,
      heartbeatMs: 0,
      iceGraceMs: 10_000,
      onNetworkBack: () => () => undefined,
      ...extra,
    };
  }
}

class FakeMedia {
  closed = false;
  readonly consumers: Array<{ producerId: string; track: FakeTrack; closed: boolean; close(): void }> = [];
  readonly producers: FakeProducer[] = [];
  readonly #ice = new Set<IceListener>();

  /** Its receiving transport connects with the first consumer, as a real one does (unless `iceBlocked`). */
  iceBlocked = false;

  async listen(producerId: string) {
    if (this.consumers.length === 0 && !this.iceBlocked) setTimeout(() => this.ice('recv', 'connected'), 0);
    const track: FakeTrack = { id: `track-${producerId}`, stopped: false, readyState: 'live', stop: () => void (track.stopped = true) };
    const consumer = { producerId, track, closed: false, close: () => void (consumer.closed = true) };
    this.consumers.push(consumer);
    return consumer;
  }

  async publish(track: unknown) {
    const producer: FakeProducer = Object.assign(fakeProducer(), { track });
    this.producers.push(producer);
    return producer;
  }

  unpublish(): void {}

  onConnectionState(listener: IceListener) {
    this.#ice.add(listener);
    return () => this.#ice.delete(listener);
  }

  get connected(): boolean {
    return this.#connected;
  }

  #connected = false;

  ice(direction: 'send' | 'recv', state: string): void {
    if (direction === 'recv') this.#connected = state === 'connected';
    for (const listener of this.#ice) listener(direction, state);
  }

  close(): void {
    this.closed = true;
  }
}

const mic = { id: 'mic', readyState: 'live' } as unknown as MediaStreamTrack;
const methods = (connection: FakeConnection) => connection.requests.map(([m]) => m);
const streamTrack = (session: ListenerSession) => (session.snapshot.stream as unknown as { track: FakeTrack } | null)?.track.id ?? null;

async function listening(server: FakeServer, extra: Partial<ListenerDeps> = {}, token?: string) {
  const session = new ListenerSession(server.deps(extra));
  await session.join('http://127.0.0.1:4400', 'space1', { sessionToken: token ?? null });
  expect(session.snapshot.phase).toBe('listening');
  // Its media connects.
  await expect.poll(() => server.medias[0]!.connected).toBe(true);
  const phases: string[] = [];
  session.subscribe((s) => {
    if (phases.at(-1) !== s.phase) phases.push(s.phase);
  });
  return { session, phases };
}

/** Signed in and listening, then seated as a speaker (the server seats them again on a reconnect until its role changes) and publishing `mic`, muted. */
async function onStage(server: FakeServer) {
  const { session } = await listening(server, {}, 'token');
  server.role = 'speaker';
  server.connections[0]!.notify('yourRole', { peerId: 'me0', role: 'speaker', requestPending: false });
  await session.joinStage(mic);
  return session;
}

describe('ListenerSession reconnect', () => {
  it('a dropped socket: says it is reconnecting, joins again on a new connection and hears the stage again', async () => {
    const server = new FakeServer();
    const { session, phases } = await listening(server);
    const first = server.medias[0]!;
    server.connections[0]!.drop();
    expect(session.snapshot.phase).toBe('reconnecting');
    // The page keeps its stream (and so its <audio> element) while it reconnects.
    expect(streamTrack(session)).toBe('track-h1');
    await expect.poll(() => session.snapshot.phase).toBe('listening');
    expect(phases).toEqual(['reconnecting', 'listening']);
    expect(server.connections).toHaveLength(2);
    expect(methods(server.last)).toEqual(['joinSpace']);
    // The old media is closed, the host consumed again on the new one.
    expect(first.closed).toBe(true);
    expect(first.consumers[0]).toMatchObject({ closed: true });
    expect(server.medias[1]!.consumers.map((c) => [c.producerId, c.closed])).toEqual([['h1', false]]);
    expect(streamTrack(session)).toBe('track-h1');
    expect(session.snapshot.you?.peerId).toBe('me1');
    expect(session.snapshot.reconnectAttempt).toBe(0);
  });

  it('signs in again before joining when the page was signed in', async () => {
    const server = new FakeServer();
    const { session } = await listening(server, {}, 'token-1');
    server.connections[0]!.drop();
    await expect.poll(() => session.snapshot.phase).toBe('listening');
    expect(server.last.requests.slice(0, 2)).toEqual([
      ['signIn', { sessionToken: 'token-1' }],
      ['joinSpace', { spaceId: 'space1' }],
    ]);
    expect(session.snapshot.signedIn).toBe(true);
  });

  it('a token no longer valid after the drop: comes back as a guest listener', async () => {
    const server = new FakeServer();
    const { session } = await listening(server, {}, 'token-1');
    server.refuse = { signIn: 'PERMISSION_DENIED' };
    server.connections[0]!.drop();
    await expect.poll(() => session.snapshot.phase).toBe('listening');
    expect(methods(server.last)).toEqual(['signIn', 'joinSpace']);
    expect(session.snapshot.signedIn).toBe(false);
  });

  it('keeps trying while the server is down, backing off, and comes back when it is up', async () => {
    const server = new FakeServer();
    const { session } = await listening(server);
    server.up = false;
    server.connections[0]!.drop();
    await expect.poll(() => server.delays.length).toBeGreaterThanOrEqual(4);
    expect(session.snapshot.phase).toBe('reconnecting');
    expect(session.snapshot.reconnectAttempt).toBeGreaterThanOrEqual(3);
    server.up = true;
    await expect.poll(() => session.snapshot.phase).toBe('listening');
    expect(server.delays.slice(0, 4)).toEqual([1, 2, 3, 4]);
  });

  it('gives up after its window (disconnected), and retry() tries again', async () => {
    const server = new FakeServer();
    const { session } = await listening(server, { reconnectWindowMs: 30 });
    server.up = false;
    server.connections[0]!.drop();
    await expect.poll(() => session.snapshot.phase).toBe('disconnected');
    const attempts = server.delays.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(server.delays.length).toBe(attempts);
    server.up = true;
    session.retry();
    expect(session.snapshot.phase).toBe('reconnecting');
    await expect.poll(() => session.snapshot.phase).toBe('listening');
    expect(streamTrack(session)).toBe('track-h1');
  });

  it('goes at once when the network comes back, not after its wait', async () => {
    const server = new FakeServer();
    let networkBack: (() => void) | null = null;
    const { session } = await listening(server, {
      retryDelayMs: (attempt) => (attempt === 1 ? 0 : 60_000),
      onNetworkBack: (listener) => {
        networkBack = listener;
        return () => (networkBack = null);
      },
    });
    server.up = false;
    server.connections[0]!.drop();
    await expect.poll(() => networkBack).not.toBeNull();
    server.up = true;
    networkBack!();
    await expect.poll(() => session.snapshot.phase).toBe('listening');
  });

  it('ends when the Space is gone meanwhile (NOT_FOUND), and when this account was removed (PERMISSION_DENIED)', async () => {
    for (const [code, reason] of [
      ['NOT_FOUND', null],
      ['SPACE_ENDED', null],
      ['PERMISSION_DENIED', 'removed'],
    ] as const) {
      const server = new FakeServer();
      const { session } = await listening(server);
      server.refuse = { joinSpace: code };
      server.connections[0]!.drop();
      await expect.poll(() => session.snapshot.phase).toBe('ended');
      expect(session.snapshot).toMatchObject({ endReason: reason, streams: [], stream: null });
      await new Promise((r) => setTimeout(r, 20));
      expect(server.connections).toHaveLength(2);
    }
  });

  it('a speaker comes back on stage with the same microphone, live again if it was live', async () => {
    const server = new FakeServer();
    const session = await onStage(server);
    await session.setMuted(false);
    expect(server.medias[0]!.producers[0]).toMatchObject({ paused: false });
    server.connections[0]!.drop();
    expect(session.snapshot.publishing).toBe(true);
    await expect.poll(() => session.snapshot.phase).toBe('listening');
    expect(server.medias[0]!.producers[0]!.closed).toBe(true);
    const producer = server.medias[1]!.producers[0]!;
    expect(producer).toMatchObject({ track: mic, paused: false, closed: false });
    expect(methods(server.last)).toEqual(['signIn', 'joinSpace', 'setMuted']);
    expect(server.last.requests.at(-1)).toEqual(['setMuted', { muted: false }]);
    expect(session.snapshot).toMatchObject({ publishing: true, you: { role: 'speaker', peerId: 'me1' } });
    // Its own producer is never consumed; the host is.
    expect(server.medias[1]!.consumers.map((c) => c.producerId)).toEqual(['h1']);
  });

  it('a muted speaker comes back muted (no unmute asked)', async () => {
    const server = new FakeServer();
    const session = await onStage(server);
    server.connections[0]!.drop();
    await expect.poll(() => session.snapshot.phase).toBe('listening');
    expect(server.medias[1]!.producers[0]).toMatchObject({ track: mic, paused: true });
    expect(methods(server.last)).not.toContain('setMuted');
  });

  it('a speaker a moderator locked meanwhile comes back muted: the refused unmute keeps the microphone paused', async () => {
    const server = new FakeServer();
    const session = await onStage(server);
    await session.setMuted(false);
    server.refuse = { setMuted: 'PERMISSION_DENIED' };
    server.connections[0]!.drop();
    await expect.poll(() => session.snapshot.phase).toBe('listening');
    expect(server.medias[1]!.producers[0]).toMatchObject({ paused: true, closed: false });
    expect(session.snapshot.publishing).toBe(true);
  });

  it('a speaker whose seat did not come back listens, and nothing is published', async () => {
    const server = new FakeServer();
    const session = await onStage(server);
    server.role = 'listener';
    server.connections[0]!.drop();
    await expect.poll(() => session.snapshot.phase).toBe('listening');
    expect(server.medias[1]!.producers).toHaveLength(0);
    expect(session.snapshot).toMatchObject({ publishing: false, you: { role: 'listener' } });
  });

  it('ICE: a blip shows as reconnecting and clears by itself; failed ICE reconnects from scratch', async () => {
    const server = new FakeServer();
    const { session } = await listening(server);
    server.medias[0]!.ice('recv', 'disconnected');
    expect(session.snapshot.phase).toBe('reconnecting');
    server.medias[0]!.ice('recv', 'connected');
    expect(session.snapshot.phase).toBe('listening');
    expect(server.connections).toHaveLength(1);
    server.medias[0]!.ice('recv', 'failed');
    await expect.poll(() => server.connections.length).toBe(2);
    await expect.poll(() => session.snapshot.phase).toBe('listening');
    await expect.poll(() => server.connections[0]!.open).toBe(false);
    // The old media's late states change nothing.
    server.medias[0]!.ice('recv', 'failed');
    await new Promise((r) => setTimeout(r, 20));
    expect(server.connections).toHaveLength(2);
  });

  it('after a reconnect, says it is reconnecting until the media connects, and starts again if it does not in time', async () => {
    const server = new FakeServer();
    const { session, phases } = await listening(server, { iceGraceMs: 40 });
    // The next media's ICE never connects (its path is still cut); the one after does.
    server.blockIce = 1;
    server.connections[0]!.drop();
    await expect.poll(() => server.connections.length).toBe(3);
    expect(server.medias[1]!.consumers).toHaveLength(1);
    await expect.poll(() => session.snapshot.phase).toBe('listening');
    // Never said "listening" on the second connection, whose media could not be heard.
    expect(phases).toEqual(['reconnecting', 'listening']);
  });

  it('ICE disconnected for longer than its grace reconnects from scratch', async () => {
    const server = new FakeServer();
    const { session } = await listening(server, { iceGraceMs: 30 });
    server.medias[0]!.ice('recv', 'disconnected');
    await expect.poll(() => server.connections.length).toBe(2);
    await expect.poll(() => session.snapshot.phase).toBe('listening');
  });

  it('the heartbeat: an unanswered ping means the socket is dead, and the session reconnects', async () => {
    const server = new FakeServer();
    const { session } = await listening(server, { heartbeatMs: 20 });
    expect(server.connections).toHaveLength(1);
    server.deaf = true;
    await expect.poll(() => server.connections.length).toBe(2);
    server.deaf = false;
    await expect.poll(() => session.snapshot.phase).toBe('listening');
    expect(methods(server.connections[0]!)).toContain('ping');
    session.close();
  });

  it('stops trying once closed', async () => {
    const server = new FakeServer();
    const { session } = await listening(server);
    server.up = false;
    server.connections[0]!.drop();
    await expect.poll(() => server.delays.length).toBeGreaterThanOrEqual(2);
    session.close();
    const attempts = server.delays.length;
    await new Promise((r) => setTimeout(r, 40));
    expect(server.delays.length).toBe(attempts);
  });

  it('a spaceEnded is an end, not a drop: no reconnect', async () => {
    const server = new FakeServer();
    const { session } = await listening(server);
    server.connections[0]!.notify('spaceEnded', { spaceId: 'space1', reason: 'host-ended' });
    server.connections[0]!.drop();
    await new Promise((r) => setTimeout(r, 20));
    expect(session.snapshot).toMatchObject({ phase: 'ended', endReason: 'host-ended' });
    expect(server.connections).toHaveLength(1);
  });
});
