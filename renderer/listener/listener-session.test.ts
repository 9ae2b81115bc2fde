/** ListenerSession with fake signalling and media: following the stage's producers, and taking part. */
import { describe, expect, it } from 'vitest';
import type { SpaceState, StageMember } from '../../server/signalling/protocol.ts';
import type { MediaSession } from '../lib/media-session.ts';
import { fakeProducer, type FakeProducer } from '../test/fake-media.ts';
import { fakeSignalling, liveSpace, stageMember } from '../test/fake-signalling.ts';
import { ListenerSession, type ListenerDeps } from './listener-session.ts';

type FakeTrack = { id: string; stopped: boolean; stop(): void };
type FakeConsumer = { producerId: string; track: FakeTrack; closed: boolean; close(): void };
type FakeStream = { track: FakeTrack; getTracks(): FakeTrack[] };

const member = stageMember;
const state = (hostProducerId: string | null, others: StageMember[] = []): SpaceState => liveSpace([member('host', 'host', hostProducerId), ...others]);

function fakes(initial: SpaceState, refuse: Record<string, string> = {}, extra: Partial<ListenerDeps> = {}) {
  const consumers: FakeConsumer[] = [];
  const producers: FakeProducer[] = [];
  const connects: string[] = [];
  let unpublished = 0;
  const { client, requests, notify } = fakeSignalling((method) => {
    if (refuse[method]) throw Object.assign(new Error(refuse[method]), { code: refuse[method] });
    if (method === 'joinSpace') return { space: initial, routerRtpCapabilities: {}, you: { peerId: 'me', role: 'listener', requestPending: false } };
    return {};
  });
  const media = {
    closed: false,
    listen: async (producerId: string) => {
      const track: FakeTrack = { id: `track-${producerId}`, stopped: false, stop: () => void (track.stopped = true) };
      const consumer: FakeConsumer = { producerId, track, closed: false, close: () => void (consumer.closed = true) };
      consumers.push(consumer);
      return consumer;
    },
    publish: async () => {
      const producer = fakeProducer();
      producers.push(producer);
      return producer;
    },
    unpublish: () => void unpublished++,
    onConnectionState: () => () => undefined,
    close: () => void (media.closed = true),
  };
  const session = new ListenerSession({
    connect: async (url) => {
      connects.push(url);
      return client;
    },
    createMedia: async () => media as unknown as MediaSession,
    streamOf: (track) => ({ track, getTracks: () => [track] }) as unknown as MediaStream,
    ...extra,
  });
  const push = (space: SpaceState) => notify('spaceState', space);
  return { session, consumers, media, push, notify, requests, producers, connects, unpublished: () => unpublished };
}

const streamTrack = (session: ListenerSession) => (session.snapshot.stream as unknown as FakeStream | null)?.track.id ?? null;
const streamTracks = (session: ListenerSession) => session.snapshot.streams.map((s) => (s.stream as unknown as FakeStream).track.id);

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

  it('hears everyone on stage: a stream per producer as they come, closed as they go; the host stays the main stream', async () => {
    const { session, consumers, push } = fakes(state('h1'));
    await session.join('http://127.0.0.1:4400', 'space1');
    push(state('h1', [member('ana', 'speaker', null), member('cora', 'cohost', 'c1')]));
    await expect.poll(() => streamTracks(session)).toEqual(['track-h1', 'track-c1']);
    push(state('h1', [member('ana', 'speaker', 'a1'), member('cora', 'cohost', 'c1')]));
    await expect.poll(() => streamTracks(session)).toEqual(['track-h1', 'track-c1', 'track-a1']);
    expect(session.snapshot.streams.find((s) => s.producerId === 'a1')?.peerId).toBe('ana');
    push(state('h1', [member('cora', 'cohost', 'c1')]));
    await expect.poll(() => streamTracks(session)).toEqual(['track-h1', 'track-c1']);
    expect(consumers.find((c) => c.producerId === 'a1')).toMatchObject({ closed: true, track: { stopped: true } });
    expect(streamTrack(session)).toBe('track-h1');
  });

  it('signs in before joining, follows its own role and request, and who is speaking', async () => {
    const { session, requests, notify } = fakes(state('h1'));
    await session.join('http://127.0.0.1:4400', 'space1', { sessionToken: 'token' });
    expect(requests.slice(0, 2).map(([m]) => m)).toEqual(['signIn', 'joinSpace']);
    expect(session.snapshot).toMatchObject({ signedIn: true, you: { peerId: 'me', role: 'listener', requestPending: false } });
    await session.requestToSpeak();
    notify('yourRole', { peerId: 'me', role: 'listener', requestPending: true });
    expect(session.snapshot.you?.requestPending).toBe(true);
    notify('speaking', { producerIds: ['h1'] });
    expect(session.snapshot.speaking).toEqual(['h1']);
    await session.react('👏');
    await expect(session.react('💩')).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(requests.filter(([m]) => m === 'react')).toEqual([['react', { emoji: '👏' }]]);
  });

  it('as a speaker: publishes muted, never hears itself, unmutes, and stops sending when moved back', async () => {
    const { session, producers, push, notify, consumers, unpublished } = fakes(state('h1'));
    await session.join('http://127.0.0.1:4400', 'space1', { sessionToken: 'token' });
    notify('yourRole', { peerId: 'me', role: 'speaker', requestPending: false });
    await session.joinStage({} as MediaStreamTrack);
    expect(session.snapshot.publishing).toBe(true);
    expect(producers[0]).toMatchObject({ paused: true });
    push(state('h1', [member('me', 'speaker', 'mine', { muted: true })]));
    await expect.poll(() => streamTracks(session)).toEqual(['track-h1']);
    expect(consumers.map((c) => c.producerId)).toEqual(['h1']);
    await session.setMuted(false);
    expect(producers[0]!.paused).toBe(false);
    notify('yourRole', { peerId: 'me', role: 'listener', requestPending: false });
    expect(session.snapshot.publishing).toBe(false);
    expect(producers[0]!.closed).toBe(true);
    expect(unpublished()).toBe(1);
  });

  it('keeps the microphone paused when the server refuses an unmute (the host muted them)', async () => {
    const { session, producers, notify } = fakes(state('h1'), { setMuted: 'PERMISSION_DENIED' });
    await session.join('http://127.0.0.1:4400', 'space1');
    notify('yourRole', { peerId: 'me', role: 'speaker', requestPending: false });
    await session.joinStage({} as MediaStreamTrack);
    await expect(session.setMuted(false)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(producers[0]!.paused).toBe(true);
  });

  it('ends with `removed` when the host removes this listener', async () => {
    const { session, notify, media } = fakes(state('h1'));
    await session.join('http://127.0.0.1:4400', 'space1');
    notify('spaceEnded', { spaceId: 'space1', reason: 'removed' });
    expect(session.snapshot).toMatchObject({ phase: 'ended', endReason: 'removed', streams: [], stream: null });
    expect(media.closed).toBe(true);
  });
});

describe('ListenerSession through the join endpoint (a multi-node deployment)', () => {
  it('waits as told during a join storm, counting down, then joins the edge it is sent to with its ticket', async () => {
    const answers = [{ kind: 'wait', retryInMs: 1200 } as const, { kind: 'admitted', url: 'http://edge-2.test', ticket: 'signed' } as const];
    const { session, requests, connects } = fakes(state('p1'), {}, { admit: async () => answers.shift()! });
    const waits: number[] = [];
    session.subscribe((snapshot) => {
      if (snapshot.waitSeconds) waits.push(snapshot.waitSeconds);
    });
    await session.join('http://origin.test', 's1');
    expect(waits).toEqual([2, 1]);
    expect(session.snapshot.waitSeconds).toBeNull();
    expect(connects).toEqual(['ws://edge-2.test/ws']);
    expect(requests.find(([method]) => method === 'joinSpace')?.[1]).toEqual({ spaceId: 's1', ticket: 'signed' });
  });
});
