/**
 * LiveSession with fake signalling and media: nothing it opened outlives a
 * failed start, and a dropped connection is taken back with the host key.
 */
import { describe, expect, it } from 'vitest';
import { SignallingError } from '../../../../lib/signalling-client.ts';
import type { MediaSession } from '../../../../lib/media-session.ts';
import type { SignallingClient } from '../../../../lib/signalling-client.ts';
import { fakeProducer, type FakeProducer } from '../../../../test/fake-media.ts';
import { LiveSession, type LiveDeps } from './live-session.ts';

const member = (peerId: string, role: 'host' | 'cohost' | 'speaker', producerId: string | null) => ({
  peerId,
  accountId: `acc-${peerId}`,
  handle: peerId,
  displayName: peerId,
  role,
  producerId,
  muted: false,
  mutedByHost: false,
});
const space = { spaceId: 'space1', title: 'Show', status: 'live', listenerCount: 0, hostConnected: true, hostMuted: false, hostProducerId: null, stage: [member('me', 'host', null)] };
const hosted = (hostKey: string) => ({ space, listenerPath: '/s/space1', hostKey, routerRtpCapabilities: {} });

type Reply = (method: string, data: unknown) => Promise<unknown>;

class FakeSignalling {
  open = true;
  closed = false;
  readonly requests: Array<[string, unknown]> = [];
  readonly #close = new Set<() => void>();
  readonly #notifications = new Map<string, (data: unknown) => void>();
  readonly #reply: Reply;

  constructor(reply: Reply) {
    this.#reply = reply;
  }

  request(method: string, data: unknown) {
    this.requests.push([method, data]);
    return this.#reply(method, data);
  }

  on(name: string, listener: (data: unknown) => void) {
    this.#notifications.set(name, listener);
    return () => undefined;
  }

  notify(name: string, data: unknown) {
    this.#notifications.get(name)!(data);
  }

  onClose(listener: () => void) {
    this.#close.add(listener);
    return () => this.#close.delete(listener);
  }

  close() {
    this.closed = true;
  }

  /** The connection drops. */
  drop() {
    this.open = false;
    for (const listener of this.#close) listener();
  }
}

type FakeConsumer = { producerId: string; closed: boolean; track: { stopped: boolean; stop(): void }; close(): void };

class FakeMedia {
  closed = false;
  unpublished = 0;
  readonly producers: FakeProducer[] = [];
  readonly consumers: FakeConsumer[] = [];
  readonly #publish: () => Promise<void>;
  constructor(publish: () => Promise<void> = async () => undefined) {
    this.#publish = publish;
  }
  async publish() {
    await this.#publish();
    const producer = fakeProducer();
    this.producers.push(producer);
    return producer;
  }
  async listen(producerId: string) {
    const track = { stopped: false, stop: () => void (track.stopped = true) };
    const consumer: FakeConsumer = { producerId, closed: false, track, close: () => void (consumer.closed = true) };
    this.consumers.push(consumer);
    return consumer;
  }
  unpublish() {
    this.unpublished++;
  }
  close() {
    this.closed = true;
  }
}

/** Connections in order: each a fake signalling, or an error for a connection that fails. */
function network(connections: Array<FakeSignalling | Error>, publish?: () => Promise<void>) {
  const medias: FakeMedia[] = [];
  let next = 0;
  const deps: Partial<LiveDeps> = {
    connect: async () => {
      const connection = connections[next++];
      if (!connection) throw new SignallingError({ code: 'UNAVAILABLE', message: 'Could not reach the server.' });
      if (connection instanceof Error) throw connection;
      return connection as unknown as SignallingClient;
    },
    createMedia: async () => {
      const media = new FakeMedia(publish);
      medias.push(media);
      return media as unknown as MediaSession;
    },
    resumeWindowMs: 2000,
    retryDelayMs: () => 5,
    streamOf: (track) => ({ track, getTracks: () => [track] }) as unknown as MediaStream,
  };
  return { deps, medias };
}

const host = (hostKey = 'key-1') =>
  new FakeSignalling(async (method) => {
    if (method === 'createSpace' || method === 'resumeSpace') return hosted(hostKey);
    return {};
  });

const input = { serverUrl: 'http://127.0.0.1:4400', sessionToken: 'session-token-0123456789', title: 'Show', track: {} as MediaStreamTrack };

describe('LiveSession.start', () => {
  it('closes its media session and connection when publishing fails', async () => {
    const signalling = host();
    const { deps, medias } = network([signalling], () => Promise.reject(new Error('DTLS failed')));
    await expect(LiveSession.start(input, deps)).rejects.toThrow('DTLS failed');
    expect(medias[0]!.closed).toBe(true);
    expect(signalling.closed).toBe(true);
  });

  it('keeps them open when it succeeds', async () => {
    const signalling = host();
    const { deps, medias } = network([signalling]);
    const live = await LiveSession.start(input, deps);
    expect(live.snapshot).toMatchObject({ listenerUrl: 'http://127.0.0.1:4400/s/space1', muted: false, reconnecting: false, ended: null });
    expect(medias[0]!.closed).toBe(false);
    expect(signalling.closed).toBe(false);
  });
});

describe('LiveSession after a dropped connection', () => {
  it('takes the Space back with its host key and publishes again', async () => {
    const first = host('key-1');
    const second = host('key-2');
    const third = host('key-3');
    const { deps, medias } = network([first, second, third]);
    const live = await LiveSession.start(input, deps);
    const seen: boolean[] = [];
    live.subscribe((s) => seen.push(s.reconnecting));
    first.drop();
    await expect.poll(() => live.snapshot.reconnecting).toBe(false);
    expect(seen[0]).toBe(true);
    expect(live.snapshot.ended).toBeNull();
    expect(second.requests.slice(0, 2)).toEqual([
      ['signIn', { sessionToken: input.sessionToken }],
      ['resumeSpace', { spaceId: 'space1', hostKey: 'key-1' }],
    ]);
    expect(medias.map((m) => [m.closed, m.producers.length])).toEqual([
      [true, 1],
      [false, 1],
    ]);
    // The new connection is the one used from now on, and a second drop uses the key the server gave last.
    await live.setMuted(true);
    expect(second.requests.at(-1)).toEqual(['setMuted', { muted: true }]);
    expect(medias[1]!.producers[0]!.paused).toBe(true);
    second.drop();
    await expect.poll(() => third.requests[1]).toEqual(['resumeSpace', { spaceId: 'space1', hostKey: 'key-2' }]);
    await expect.poll(() => live.snapshot.reconnecting).toBe(false);
    // Still muted on the new producer.
    expect(medias[2]!.producers[0]!.paused).toBe(true);
    expect(live.snapshot).toMatchObject({ muted: true, ended: null });
  });

  it('retries while the server cannot be reached, within the window', async () => {
    const first = host();
    const back = host();
    const down = new SignallingError({ code: 'UNAVAILABLE', message: 'Could not reach the server.' });
    const { deps } = network([first, down, down, back]);
    const live = await LiveSession.start(input, deps);
    first.drop();
    await expect.poll(() => back.requests.length).toBeGreaterThan(0);
    await expect.poll(() => live.snapshot.reconnecting).toBe(false);
    expect(live.snapshot.ended).toBeNull();
  });

  it('after a server restart (the key forgotten) takes the Space back as its signed-in account', async () => {
    const first = host('key-1');
    // A restarted server: refuses the old key on a connection that is not signed in as the host.
    const restarted = new FakeSignalling(async (method) => {
      if (method === 'resumeSpace' && !restarted.requests.some(([m]) => m === 'signIn')) throw new SignallingError({ code: 'PERMISSION_DENIED', message: 'That is not the key of this Space.' });
      if (method === 'resumeSpace') return hosted('key-new');
      return {};
    });
    const down = new SignallingError({ code: 'UNAVAILABLE', message: 'Could not reach the server.' });
    const { deps, medias } = network([first, down, down, down, restarted]);
    const live = await LiveSession.start(input, deps);
    first.drop();
    await expect.poll(() => live.snapshot.reconnecting).toBe(false);
    expect(live.snapshot.ended).toBeNull();
    expect(restarted.requests.map(([m]) => m).slice(0, 2)).toEqual(['signIn', 'resumeSpace']);
    expect(medias.at(-1)!.producers).toHaveLength(1);
  });

  it('gives up at once when the server no longer has the Space', async () => {
    const first = host();
    const gone = new FakeSignalling(async (method) => {
      if (method === 'resumeSpace') throw new SignallingError({ code: 'NOT_FOUND', message: 'There is no Space at this link.' });
      return {};
    });
    const never = host();
    const { deps, medias } = network([first, gone, never]);
    const live = await LiveSession.start(input, deps);
    first.drop();
    await expect.poll(() => live.snapshot.ended).toBe('connection-lost');
    expect(gone.closed).toBe(true);
    expect(never.requests).toEqual([]);
    expect(medias.every((m) => m.closed)).toBe(true);
  });

  it('gives up when the window is over', async () => {
    const first = host();
    const { deps } = network([first]);
    const live = await LiveSession.start(input, { ...deps, resumeWindowMs: 50 });
    first.drop();
    await expect.poll(() => live.snapshot.ended).toBe('connection-lost');
    expect(live.snapshot.reconnecting).toBe(false);
  });
});

describe('the stage from the studio', () => {
  it('follows the queue, who speaks, reactions, and hears everyone else on stage', async () => {
    const signalling = host();
    const { deps, medias } = network([signalling]);
    const live = await LiveSession.start(input, deps);
    expect(live.snapshot).toMatchObject({ role: 'host', myPeerId: 'me', requests: [], speaking: [], reactions: null, streams: [] });
    const request = { peerId: 'ana', accountId: 'acc-ana', handle: 'ana', displayName: 'Ana', at: 1 };
    signalling.notify('stageRequests', { requests: [request] });
    expect(live.snapshot.requests).toEqual([request]);
    signalling.notify('speaking', { producerIds: ['p-ana'] });
    expect(live.snapshot.speaking).toEqual(['p-ana']);
    signalling.notify('reactions', { counts: [{ emoji: '👏', count: 3 }] });
    expect(live.snapshot.reactions).toEqual([{ emoji: '👏', count: 3 }]);
    signalling.notify('spaceState', { ...space, hostProducerId: 'mine', stage: [member('me', 'host', 'mine'), member('ana', 'speaker', 'p-ana')] });
    await expect.poll(() => live.snapshot.streams.map((s) => s.producerId)).toEqual(['p-ana']);
    expect(medias[0]!.consumers.map((c) => c.producerId)).toEqual(['p-ana']);
    signalling.notify('spaceState', { ...space, hostProducerId: 'mine', stage: [member('me', 'host', 'mine')] });
    await expect.poll(() => live.snapshot.streams).toEqual([]);
    expect(medias[0]!.consumers[0]).toMatchObject({ closed: true, track: { stopped: true } });
  });

  it('sends each moderation request as the protocol names it', async () => {
    const signalling = host();
    const { deps } = network([signalling]);
    const live = await LiveSession.start(input, deps);
    await live.answer('ana', true);
    await live.mute('ana', true);
    await live.moveToListener('ana');
    await live.remove('bob');
    expect(signalling.requests.slice(-4)).toEqual([
      ['answerRequest', { peerId: 'ana', accept: true }],
      ['muteSpeaker', { peerId: 'ana', muted: true }],
      ['moveToListener', { peerId: 'ana' }],
      ['removeFromSpace', { peerId: 'bob' }],
    ]);
  });
});

describe('a co-host studio', () => {
  const cohostServer = (role: 'cohost' | 'listener', refuseUnmute = false) =>
    new FakeSignalling(async (method) => {
      if (method === 'joinSpace') return { space: { ...space, stage: [member('h', 'host', 'p-host'), member('me', 'cohost', null)] }, routerRtpCapabilities: {}, you: { peerId: 'me', role, requestPending: false } };
      if (method === 'setMuted' && refuseUnmute) throw new SignallingError({ code: 'PERMISSION_DENIED', message: 'The host muted you.' });
      return {};
    });
  const joinInput = { serverUrl: 'http://127.0.0.1:4400', sessionToken: 'session-token-0123456789', spaceId: 'space1', track: {} as MediaStreamTrack };

  it('signs in, joins the Space as co-host, publishes its mix unmuted, and hears the host', async () => {
    const signalling = cohostServer('cohost');
    const { deps, medias } = network([signalling]);
    const live = await LiveSession.join(joinInput, deps);
    expect(signalling.requests.map(([m]) => m)).toEqual(['signIn', 'joinSpace', 'setMuted']);
    expect(live.snapshot).toMatchObject({ role: 'cohost', myPeerId: 'me', muted: false, listenerUrl: 'http://127.0.0.1:4400/s/space1' });
    expect(medias[0]!.producers[0]!.paused).toBe(false);
    await expect.poll(() => live.snapshot.streams.map((s) => s.producerId)).toEqual(['p-host']);
  });

  it('stays muted when the host has locked it', async () => {
    const { deps, medias } = network([cohostServer('cohost', true)]);
    const live = await LiveSession.join(joinInput, deps);
    expect(live.snapshot.muted).toBe(true);
    expect(medias[0]!.producers[0]!.paused).toBe(true);
  });

  it('is refused before publishing when the account is not a co-host, and closes what it opened', async () => {
    const signalling = cohostServer('listener');
    const { deps, medias } = network([signalling]);
    await expect(LiveSession.join(joinInput, deps)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(medias).toEqual([]);
    expect(signalling.closed).toBe(true);
  });

  it('stops sending its mix when moved off the stage, and ends with `removed` when removed', async () => {
    const signalling = cohostServer('cohost');
    const { deps, medias } = network([signalling]);
    const live = await LiveSession.join(joinInput, deps);
    signalling.notify('yourRole', { peerId: 'me', role: 'listener', requestPending: false });
    expect(live.snapshot.role).toBe('listener');
    expect(medias[0]!.producers[0]!.closed).toBe(true);
    expect(medias[0]!.unpublished).toBe(1);
    signalling.notify('spaceEnded', { spaceId: 'space1', reason: 'removed' });
    expect(live.snapshot.ended).toBe('removed');
    expect(medias[0]!.closed).toBe(true);
  });

  it('comes back on its own after a dropped connection by joining again (no host key)', async () => {
    const first = cohostServer('cohost');
    const second = cohostServer('cohost');
    const { deps } = network([first, second]);
    const live = await LiveSession.join(joinInput, deps);
    first.drop();
    await expect.poll(() => live.snapshot.reconnecting).toBe(false);
    expect(second.requests.map(([m]) => m)).toEqual(['signIn', 'joinSpace', 'setMuted']);
    expect(live.snapshot).toMatchObject({ role: 'cohost', ended: null, muted: false });
  });
});
