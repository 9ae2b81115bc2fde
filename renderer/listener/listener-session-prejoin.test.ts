/**
 * ListenerSession's pre-join with fake connections and media: what a click
 * sends after a pre-join (only the resume), and when it goes the whole way
 * instead — another account than the pre-join's, a connection that dropped
 * before the click, a Space that ended meanwhile — and that a pre-joined page
 * never reconnects on its own or holds its connection past the idle bound.
 */
import { describe, expect, it } from 'vitest';
import type { MediaSession } from '../lib/media-session.ts';
import type { SignallingClient } from '../lib/signalling-client.ts';
import { liveSpace, stageMember } from '../test/fake-signalling.ts';
import { ListenerSession } from './listener-session.ts';

type Connection = { index: number; open: boolean; closed: boolean; requests: string[]; close(): void; drop(): void; notify(name: string, data: unknown): void };

function fakes(options: { idleMs?: number } = {}) {
  const connections: Connection[] = [];
  const medias: Array<{ held: boolean; closed: boolean; consumers: Array<{ producerId: string; resumed: boolean; closed: boolean }> }> = [];
  let attention: (() => void) | null = null;
  const connect = async (): Promise<SignallingClient> => {
    const listeners = new Map<string, (data: unknown) => void>();
    const closeListeners = new Set<() => void>();
    const connection: Connection = {
      index: connections.length,
      open: true,
      closed: false,
      requests: [],
      close: () => {
        connection.open = false;
        connection.closed = true;
      },
      drop: () => {
        connection.open = false;
        for (const listener of closeListeners) listener();
      },
      notify: (name, data) => listeners.get(name)?.(data),
    };
    connections.push(connection);
    const client = {
      get open() {
        return connection.open;
      },
      on: (name: string, listener: (data: unknown) => void) => {
        listeners.set(name, listener);
        return () => undefined;
      },
      onClose: (listener: () => void) => {
        closeListeners.add(listener);
        return () => closeListeners.delete(listener);
      },
      request: async (method: string) => {
        if (!connection.open) throw Object.assign(new Error('lost'), { code: 'UNAVAILABLE' });
        connection.requests.push(method);
        if (method === 'joinSpace') return { space: liveSpace([stageMember('host', 'host', 'h1')]), routerRtpCapabilities: {}, you: { peerId: `me${connection.index}`, role: 'listener', requestPending: false } };
        return {};
      },
      close: () => connection.close(),
    };
    return client as unknown as SignallingClient;
  };
  const createMedia = async (signalling: SignallingClient) => {
    const state = { held: false, closed: false, consumers: [] as Array<{ producerId: string; resumed: boolean; closed: boolean }> };
    medias.push(state);
    const media = {
      holdConsumers: () => void (state.held = true),
      resumeHeld: async () => {
        state.held = false;
        for (const c of state.consumers) if (!c.resumed) await signalling.request('resumeConsumer', {} as never).then(() => (c.resumed = true));
      },
      listen: async (producerId: string) => {
        await signalling.request('consume', {} as never);
        const consumer = { producerId, resumed: !state.held, closed: false, track: { id: producerId, stop: () => undefined }, close: () => void (consumer.closed = true) };
        if (consumer.resumed) await signalling.request('resumeConsumer', {} as never);
        state.consumers.push(consumer);
        return consumer;
      },
      onConnectionState: () => () => undefined,
      unpublish: () => undefined,
      close: () => void (state.closed = true),
    };
    return media as unknown as MediaSession;
  };
  const session = new ListenerSession({
    connect,
    createMedia,
    streamOf: (track) => ({ getTracks: () => [track] }) as unknown as MediaStream,
    heartbeatMs: 0,
    retryDelayMs: () => 0,
    prejoinIdleMs: options.idleMs ?? 60_000,
    onAttention: (listener) => {
      attention = listener;
      return () => (attention = null);
    },
  });
  return { session, connections, medias, attention: () => attention };
}

const URL = 'http://127.0.0.1:4400';

describe('ListenerSession pre-join', () => {
  it('joins, consumes held and stays quiet until the click, which sends the resume only', async () => {
    const { session, connections, medias } = fakes();
    session.prejoin(URL, 'space1');
    await expect.poll(() => session.prejoined).toBe(true);
    expect(connections[0]!.requests).toEqual(['joinSpace', 'consume']);
    expect(medias[0]!.consumers).toMatchObject([{ producerId: 'h1', resumed: false }]);
    await session.join(URL, 'space1');
    expect(connections).toHaveLength(1);
    expect(connections[0]!.requests).toEqual(['joinSpace', 'consume', 'resumeConsumer', 'startListening']);
    expect(medias[0]!.consumers).toMatchObject([{ producerId: 'h1', resumed: true }]);
    expect(session.snapshot.phase).toBe('listening');
  });

  it('a click while the pre-join is still under way waits for it and only resumes', async () => {
    const { session, connections } = fakes();
    session.prejoin(URL, 'space1');
    await session.join(URL, 'space1');
    expect(connections).toHaveLength(1);
    expect(connections[0]!.requests).toEqual(['joinSpace', 'consume', 'resumeConsumer', 'startListening']);
  });

  it('signed in on the page after the pre-join: the click joins again as that account, the guest connection closed', async () => {
    const { session, connections, medias } = fakes();
    session.prejoin(URL, 'space1');
    await expect.poll(() => session.prejoined).toBe(true);
    await session.join(URL, 'space1', { sessionToken: 'token' });
    expect(connections[0]!.closed).toBe(true);
    expect(medias[0]!.closed).toBe(true);
    expect(connections[1]!.requests).toEqual(['signIn', 'joinSpace', 'consume', 'resumeConsumer']);
    expect(session.snapshot).toMatchObject({ phase: 'listening', signedIn: true });
  });

  it('pre-joining again as another account drops the first pre-join', async () => {
    const { session, connections } = fakes();
    session.prejoin(URL, 'space1');
    session.prejoin(URL, 'space1', { sessionToken: 'token' });
    await expect.poll(() => connections.length).toBe(2);
    await expect.poll(() => session.prejoined).toBe(true);
    expect(connections[0]!.closed).toBe(true);
    await session.join(URL, 'space1', { sessionToken: 'token' });
    expect(connections).toHaveLength(2);
    expect(connections[1]!.requests).toEqual(['signIn', 'joinSpace', 'consume', 'resumeConsumer', 'startListening']);
  });

  it('a pre-joined connection that drops is released, not reconnected; the next attention or the click joins again', async () => {
    const { session, connections, attention } = fakes();
    session.prejoin(URL, 'space1');
    await expect.poll(() => session.prejoined).toBe(true);
    connections[0]!.drop();
    await expect.poll(() => attention()).not.toBeNull();
    expect(session.prejoined).toBe(false);
    expect(connections).toHaveLength(1);
    expect(session.snapshot.phase).toBe('connecting');
    await session.join(URL, 'space1');
    expect(attention()).toBeNull();
    // The whole way: counted as it joins, nothing held.
    expect(connections[1]!.requests).toEqual(['joinSpace', 'consume', 'resumeConsumer']);
  });

  it('past the idle bound the connection and media close; attention pre-joins again', async () => {
    const { session, connections, medias, attention } = fakes({ idleMs: 50 });
    session.prejoin(URL, 'space1');
    await expect.poll(() => attention()).not.toBeNull();
    expect(connections[0]!.closed).toBe(true);
    expect(medias[0]).toMatchObject({ closed: true, consumers: [{ closed: true }] });
    expect(session.snapshot).toMatchObject({ phase: 'connecting', streams: [], stream: null });
    attention()!();
    await expect.poll(() => session.prejoined).toBe(true);
    expect(connections).toHaveLength(2);
    await session.join(URL, 'space1');
    expect(connections[1]!.requests).toEqual(['joinSpace', 'consume', 'resumeConsumer', 'startListening']);
  });

  it('a Space that ended while pre-joined: the click says so', async () => {
    const { session, connections } = fakes();
    session.prejoin(URL, 'space1');
    await expect.poll(() => session.prejoined).toBe(true);
    connections[0]!.notify('spaceEnded', { spaceId: 'space1', reason: 'host-ended' });
    await expect(session.join(URL, 'space1')).rejects.toMatchObject({ code: 'SPACE_ENDED' });
    expect(connections).toHaveLength(1);
  });
});
