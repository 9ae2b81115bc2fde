/**
 * A Space's captions with a real LiveSpace (fake media) and fake engines: pipelines follow the
 * stage, the studio gets drafts at once and listeners only released text after the hold-back, a
 * correction inside it replaces the raw text for listeners and after it is a revision, vocabulary
 * reaches every engine, rules apply to new text, the host's pause and a premiere pause captions, an
 * engine that cannot start leaves the Space going, and only the host and co-hosts may do any of it.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PeerId, SpaceId } from '../domain/space.ts';
import { SpacecraftError } from '../errors.ts';
import { TypedEmitter } from '../lib/typed-emitter.ts';
import type { types } from 'mediasoup';
import { FakeSpaceMedia } from '../spaces/fake-space-media.ts';
import { FakeSpacePeer } from '../spaces/fake-space-peer.ts';
import { LiveSpace } from '../spaces/live-space.ts';
import { MemoryStageRecords } from '../spaces/space-records.ts';
import { MemoryCaptionRecords } from './caption-records.ts';
import { captionsOf, SpaceCaptions, type EngineResult, type SpeakerPipeline, type SpeakerPipelineEvents } from './space-captions.ts';
import { codeOf } from '../../test/support/error-codes.ts';

class FakePipeline implements SpeakerPipeline {
  readonly startedAt: number;
  readonly words: Array<[string, string]> = [];
  paused = false;
  closed = false;
  readonly #events = new TypedEmitter<SpeakerPipelineEvents>((error) => {
    throw error;
  });
  constructor(startedAt: number) {
    this.startedAt = startedAt;
  }
  on<K extends keyof SpeakerPipelineEvents>(event: K, listener: (...args: SpeakerPipelineEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }
  addWord(word: string, phones: string): void {
    this.words.push([word, phones]);
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  close(): void {
    this.closed = true;
  }
  say(kind: 'partial' | 'final', utterance: number, text: string, start = 1, end = 2): void {
    const words = text.split(' ').map((word, i) => ({ word, start: start + i * 0.3, end: start + i * 0.3 + 0.25, confidence: 0.9 }));
    this.#events.safeEmit('result', { kind, utterance, text, words, start, end } satisfies EngineResult);
  }
  restart(): void {
    this.#events.safeEmit('restarted');
  }
}

const START = 1_000_000;
const RTP = { codecs: [] } as unknown as types.RtpParameters;
let host: FakeSpacePeer;
let media: FakeSpaceMedia;
let stageRecords: MemoryStageRecords;
let records: MemoryCaptionRecords;
let pipelines: FakePipeline[];
let failEngine: boolean;

function liveSpace(hostGraceMs = 0): LiveSpace {
  return new LiveSpace({
    id: 'space-1' as SpaceId,
    title: 'Captions',
    host,
    media,
    logger: pino({ level: 'silent' }),
    options: { stateIntervalMs: 300, hostGraceMs, stageRecords },
  });
}

async function captioned(holdBackMs = 2_000, hostGraceMs = 0, now?: () => number) {
  const space = liveSpace(hostGraceMs);
  const captions = await SpaceCaptions.attach(space, 'acc-creator', {
    records,
    startSpeaker: async () => {
      if (failEngine) throw new SpacecraftError('UNAVAILABLE', 'The caption engine "nope" could not start.');
      const pipeline = new FakePipeline(Date.now());
      pipelines.push(pipeline);
      return pipeline;
    },
    pronounce: async (word) => (word === 'Zorblax' ? 'Z AO R B L AE K S' : 'X'),
    logger: pino({ level: 'silent' }),
    holdBackMs,
    ...(now ? { now } : {}),
  });
  return { space, captions };
}

async function publish(space: LiveSpace, peer: FakeSpacePeer): Promise<string> {
  const transport = await space.createTransport(peer.id, 'send');
  const producerId = await space.produce(peer.id, transport.id, RTP);
  await vi.advanceTimersByTimeAsync(0);
  return producerId;
}

const drafts = (peer: FakeSpacePeer) => peer.notifications('captionDraft').map((d) => d.segment as { id: number; raw: string; edited: string | null; status: string; released: boolean; releaseInMs: number | null });
const captions = (peer: FakeSpacePeer) => peer.notifications('caption').map((d) => d.caption as { id: number; text: string; revision: number; speaker: string });

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
  host = new FakeSpacePeer('host', 'creator');
  media = new FakeSpaceMedia();
  stageRecords = new MemoryStageRecords();
  records = new MemoryCaptionRecords();
  pipelines = [];
  failEngine = false;
});
afterEach(() => vi.useRealTimers());

describe('space captions', () => {
  it('follows a microphone on stage: drafts to the studio at once, captions to listeners after the hold-back', async () => {
    const { space } = await captioned(2_000);
    const listener = new FakeSpacePeer('l1');
    await space.join(listener);
    await publish(space, host);
    expect(pipelines).toHaveLength(1);
    const engine = pipelines[0]!;
    engine.say('partial', 0, 'hello');
    engine.say('partial', 0, 'hello there');
    expect(drafts(host).map((d) => [d.raw, d.status])).toEqual([
      ['hello', 'partial'],
      ['hello there', 'partial'],
    ]);
    expect(listener.notifications('captionDraft')).toEqual([]);
    engine.say('final', 0, 'hello there friend');
    expect(drafts(host).at(-1)).toMatchObject({ raw: 'hello there friend', status: 'final', released: false, releaseInMs: 2_000 });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(captions(listener)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(captions(listener)).toEqual([{ id: 1, speaker: 'CREATOR', text: 'hello there friend', startMs: 1_000, endMs: 2_000, revision: 0 }]);
    expect(drafts(host).at(-1)).toMatchObject({ released: true, releaseInMs: null });
    expect(captions(host)).toEqual([]);
    await captionsOf(space).drain();
    expect((await records.segments('space-1')).map((s) => [s.raw, s.released])).toEqual([['hello there friend', true]]);
  });

  it('a release timer that fires before the wall clock reaches its time waits the rest (it was never released)', async () => {
    let lag = 0;
    const { space } = await captioned(2_000, 0, () => Date.now() - lag);
    const listener = new FakeSpacePeer('l1');
    await space.join(listener);
    await publish(space, host);
    pipelines[0]!.say('final', 0, 'on time at last');
    lag = 1;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(captions(listener)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(captions(listener)).toEqual([expect.objectContaining({ id: 1, text: 'on time at last' })]);
  });

  it('a correction inside the hold-back is what listeners get; the raw text never reaches them', async () => {
    const { space, captions: c } = await captioned(2_000);
    const listener = new FakeSpacePeer('l1');
    await space.join(listener);
    await publish(space, host);
    pipelines[0]!.say('final', 0, 'welcome to the a');
    expect(await c.edit(host.id, 1, 'Welcome to Theia!')).toEqual({ revision: 0, released: false });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(captions(listener)).toEqual([expect.objectContaining({ id: 1, text: 'Welcome to Theia!', revision: 0 })]);
    expect(JSON.stringify(listener.frames)).not.toContain('the a');
    // After release: a revision.
    expect(await c.edit(host.id, 1, 'Welcome to Theia.')).toEqual({ revision: 1, released: true });
    expect(captions(listener).at(-1)).toMatchObject({ id: 1, text: 'Welcome to Theia.', revision: 1 });
    await c.drain();
    expect(records.revisions.map((r) => [r.revision, r.text, r.editedBy])).toEqual([
      [0, 'Welcome to Theia!', 'acc-creator'],
      [1, 'Welcome to Theia.', 'acc-creator'],
    ]);
  });

  it('adds vocabulary to every engine (made from the spelling or given) and keeps it for the host', async () => {
    const { space, captions: c } = await captioned();
    await publish(space, host);
    expect(await c.addWord(host.id, { word: 'Zorblax' })).toEqual({ word: 'Zorblax', phones: 'Z AO R B L AE K S' });
    expect(await c.addWord(host.id, { word: 'Theia', phones: 'TH IY AH' })).toEqual({ word: 'Theia', phones: 'TH IY AH' });
    expect(pipelines[0]!.words).toEqual([
      ['Zorblax', 'Z AO R B L AE K S'],
      ['Theia', 'TH IY AH'],
    ]);
    expect(await records.vocabulary('acc-creator')).toHaveLength(2);
    expect(await codeOf(c.addWord(host.id, { word: 'two words' }))).toBe('VALIDATION');
    expect(await codeOf(c.addWord(host.id, { word: 'Ok', phones: 'rm -rf /' }))).toBe('VALIDATION');
  });

  it('applies replacement rules to new text only', async () => {
    const { space, captions: c } = await captioned(0);
    await publish(space, host);
    const engine = pipelines[0]!;
    engine.say('final', 0, 'zor blacks is here');
    await c.addReplacement(host.id, { heard: 'Zor Blacks', written: 'Zorblax' });
    engine.say('final', 1, 'zor blacks again');
    expect(drafts(host).filter((d) => d.status === 'final' && !d.released).map((d) => d.raw)).toEqual(['zor blacks is here', 'Zorblax again']);
    await c.removeReplacement(host.id, 'zor blacks');
    engine.say('final', 2, 'zor blacks');
    expect(drafts(host).at(-1)!.raw).toBe('zor blacks');
  });

  it('pauses for the host and for a playing premiere, and resumes after both', async () => {
    const { space, captions: c } = await captioned();
    const listener = new FakeSpacePeer('l1');
    await space.join(listener);
    await publish(space, host);
    const engine = pipelines[0]!;
    await c.setPaused(host.id, true);
    expect(engine.paused).toBe(true);
    expect(listener.last('captionStatus')).toMatchObject({ pausedBy: 'host' });
    await space.setNowPlaying(host.id, { id: 't', title: 'Song', artist: 'A', artwork: null, durationMs: 60_000, positionMs: 0, playing: true });
    await c.setPaused(host.id, false);
    expect(engine.paused).toBe(true);
    expect(listener.last('captionStatus')).toMatchObject({ pausedBy: 'premiere' });
    await space.setNowPlaying(host.id, null);
    expect(engine.paused).toBe(false);
    expect(listener.last('captionStatus')).toMatchObject({ pausedBy: null });
  });

  it('ends what was forming when an engine restarts, and goes on with new utterances', async () => {
    const { space } = await captioned(0);
    await publish(space, host);
    const engine = pipelines[0]!;
    engine.say('partial', 0, 'cut off mid');
    engine.restart();
    engine.say('partial', 0, 'back again');
    engine.say('final', 0, 'back again now');
    const finals = drafts(host).filter((d) => d.released);
    expect(finals.map((d) => [d.id, d.raw])).toEqual([
      [1, 'cut off mid'],
      [2, 'back again now'],
    ]);
  });

  it('an engine that cannot start leaves captions off with a sentence, and the Space goes on', async () => {
    failEngine = true;
    const { space } = await captioned();
    await publish(space, host);
    expect(host.last('captionStatus')).toMatchObject({ available: false, problem: 'The caption engine "nope" could not start.' });
    expect(space.space.status).toBe('live');
    const listener = new FakeSpacePeer('l1');
    await space.join(listener);
    expect(space.state().listenerCount).toBe(1);
  });

  it('stops following a microphone that leaves, and closes everything when the Space ends (held text released and stored)', async () => {
    const { space, captions: c } = await captioned(5_000);
    await publish(space, host);
    const engine = pipelines[0]!;
    engine.say('final', 0, 'last words');
    await space.end(host.id, 'host-ended');
    expect(engine.closed).toBe(true);
    await c.drain();
    expect((await records.segments('space-1')).map((s) => [s.raw, s.released])).toEqual([['last words', true]]);
    expect(() => captionsOf(space)).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
  });

  it('lets only the host and co-hosts control captions; a listener and a speaker are refused', async () => {
    await stageRecords.saveRole('space-1' as SpaceId, 'acc-cohost', 'cohost');
    await stageRecords.saveRole('space-1' as SpaceId, 'acc-speaker', 'speaker');
    const { space, captions: c } = await captioned(2_000);
    const cohost = new FakeSpacePeer('co', 'cohost');
    const speaker = new FakeSpacePeer('sp', 'speaker');
    const listener = new FakeSpacePeer('l1', 'listener');
    for (const p of [cohost, speaker, listener]) await space.join(p);
    await publish(space, host);
    pipelines[0]!.say('final', 0, 'hello');
    for (const peer of [speaker, listener]) {
      expect(await codeOf(c.edit(peer.id, 1, 'hacked'))).toBe('PERMISSION_DENIED');
      expect(await codeOf(c.addWord(peer.id, { word: 'x' }))).toBe('PERMISSION_DENIED');
      expect(await codeOf(c.setPaused(peer.id, true))).toBe('PERMISSION_DENIED');
      expect(await codeOf(c.setHoldBack(peer.id, 0))).toBe('PERMISSION_DENIED');
      expect(await codeOf(c.addReplacement(peer.id, { heard: 'a', written: 'b' }))).toBe('PERMISSION_DENIED');
      expect(() => c.settings(peer.id)).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED' }));
    }
    expect(await codeOf(c.edit('stranger' as PeerId, 1, 'x'))).toBe('NOT_FOUND');
    expect(await codeOf(c.edit(cohost.id, 1, 'Hello.'))).toBe('OK');
    // The co-host and host see drafts; the speaker and listener never do.
    expect(drafts(cohost).length).toBeGreaterThan(0);
    expect(speaker.notifications('captionDraft')).toEqual([]);
    expect(listener.notifications('captionDraft')).toEqual([]);
    expect(await codeOf(c.edit(host.id, 99, 'x'))).toBe('NOT_FOUND');
  });

  it('limits corrections per connection (a flood is RATE_LIMITED)', async () => {
    host = new FakeSpacePeer('flooding-host', 'creator'); // the limits are per connection, across tests
    const { space, captions: c } = await captioned(10_000);
    await publish(space, host);
    pipelines[0]!.say('final', 0, 'hello');
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => codeOf(c.edit(host.id, 1, `hello ${i}`))));
    expect(results.filter((r) => r === 'OK')).toHaveLength(30);
    expect(results.filter((r) => r === 'RATE_LIMITED')).toHaveLength(10);
  });

  it('gives a joining listener the last released captions and the studio its recent drafts', async () => {
    const { space, captions: c } = await captioned(0);
    await publish(space, host);
    for (let i = 0; i < 12; i++) pipelines[0]!.say('final', i, `line ${i}`);
    const late = new FakeSpacePeer('late');
    await space.join(late);
    expect(captions(late).map((x) => x.text)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i + 2}`));
    expect(late.last('captionStatus')).toMatchObject({ available: true, pausedBy: null, holdBackMs: 0 });
    expect(c.settings(host.id).recent).toHaveLength(12);
  });

  it('tells a host who comes back on a new connection where captions stand, with the recent lines', async () => {
    const { space, captions: c } = await captioned(0, 60_000);
    await publish(space, host);
    pipelines[0]!.say('final', 0, 'before the drop');
    await c.setPaused(host.id, true);
    await space.leave(host.id);
    const back = new FakeSpacePeer('host-again', 'creator');
    await space.resume(back, space.hostKey);
    expect(back.last('captionStatus')).toMatchObject({ pausedBy: 'host' });
    expect(drafts(back).map((d) => d.raw)).toEqual(['before the drop']);
    expect(await codeOf(c.setPaused(back.id, false))).toBe('OK');
  });
});
