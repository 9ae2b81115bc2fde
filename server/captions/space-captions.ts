/**
 * Live captions of one Space: a speaker pipeline (SpeakerCaptions, one engine process each) for
 * every microphone on its stage, started when it publishes and closed when it goes; segments
 * formed from the engines' results (domain/captions.ts), stored, sent to the host and co-hosts at
 * once (`captionDraft`) and to everyone else when their hold-back is over (`caption`).
 *
 * The host or a co-host corrects a segment, adds vocabulary (into every engine of the Space, and
 * kept for the host's later Spaces), adds replacement rules (for new text), pauses and resumes,
 * and sets the hold-back. A premiere track playing pauses captions by itself and resumes them
 * after. An engine that cannot start leaves captions off for that speaker with a sentence for the
 * host (`captionStatus.problem`): the Space itself goes on untouched.
 *
 * What is left when the Space ends: nothing running. Held segments are released and stored,
 * pipelines close, timers stop; `drain()` waits for the last writes.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import {
  assertHoldBack,
  assertPhones,
  assertReplacement,
  assertVocabularyWord,
  beginSegment,
  editSegment,
  forListeners,
  HOLD_BACK_DEFAULT_MS,
  pausedBy,
  releaseDue,
  releaseNow,
  updateSegment,
  type CaptionSegment,
  type CaptionSpeaker,
  type HeardUtterance,
  type ReplacementRule,
} from '../domain/captions.ts';
import type { PeerId } from '../domain/space.ts';
import { authorize, roleOf, seatOfProducer } from '../domain/stage.ts';
import { NotFoundError, SpacecraftError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { take } from '../signalling/limits.ts';
import { encodeNotification, type NotificationFrame } from '../signalling/protocol.ts';
import type { CaptionDraft, CaptionStatus } from '../signalling/caption-protocol.ts';
import type { LiveSpace } from '../spaces/live-space.ts';
import { SerialQueue } from '../spaces/serial-queue.ts';
import type { CaptionRecords, VocabularyWord } from './caption-records.ts';

/** What an engine says (the contract of server/captions/caption-engine.ts). */
export type EngineWord = { word: string; start: number; end: number; confidence: number };
export type EngineResult = { kind: 'partial' | 'final'; utterance: number; text: string; words: EngineWord[]; start: number; end: number };

export type SpeakerPipelineEvents = { result: [EngineResult]; error: [SpacecraftError]; restarted: [] };

/** One speaker's pipeline, as SpeakerCaptions (server/captions/speaker-captions.ts) provides it. */
export interface SpeakerPipeline {
  /** Wall clock (ms) of the engine's audio time 0. */
  readonly startedAt: number;
  on<K extends keyof SpeakerPipelineEvents>(event: K, listener: (...args: SpeakerPipelineEvents[K]) => void): () => void;
  addWord(word: string, phones: string): void;
  pause(): void;
  resume(): void;
  close(): void;
}

/** Starts the pipeline for one producer of the Space (rejects with a SpacecraftError when the engine cannot run). */
export type StartSpeaker = (space: LiveSpace, producerId: string, vocabulary: VocabularyWord[]) => Promise<SpeakerPipeline>;

export type SpaceCaptionsDeps = {
  records: CaptionRecords;
  startSpeaker: StartSpeaker;
  /** A pronunciation for a word in the engine's phone set (flite's letter-to-sound rules). */
  pronounce: (word: string) => Promise<string>;
  logger: Logger;
  holdBackMs?: number;
  now?: () => number;
};

/** Segments kept in memory per Space for editing and for the editor's first view; older ones are only stored. */
const KEPT_SEGMENTS = 200;
const RECENT_SHOWN = 50;
/** Released captions a joining listener gets, so the view is not empty. */
const BACKLOG = 10;

// Per connection (a looping client cannot flood the Space's other connections or the database).
const edits = new RateLimiterMemory({ keyPrefix: 'caption-edits', points: 30, duration: 10 });
const settings = new RateLimiterMemory({ keyPrefix: 'caption-settings', points: 30, duration: 60 });

type Speaker = {
  producerId: string;
  who: CaptionSpeaker;
  pipeline: SpeakerPipeline | null;
  /** The engine's utterance number → the segment it is forming. */
  open: Map<number, number>;
  closed: boolean;
  off: Array<() => void>;
};

/** Which Space's captions a LiveSpace has (set while they run). */
const bySpace = new WeakMap<LiveSpace, SpaceCaptions>();

/** The captions of the caller's Space, or UNAVAILABLE when this server runs none. */
export function captionsOf(space: LiveSpace): SpaceCaptions {
  const captions = bySpace.get(space);
  if (!captions) throw new SpacecraftError('UNAVAILABLE', 'Captions are not running in this Space.');
  return captions;
}

export class SpaceCaptions {
  readonly #space: LiveSpace;
  readonly #hostAccountId: string;
  readonly #deps: SpaceCaptionsDeps;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #speakers = new Map<string, Speaker>();
  readonly #segments = new Map<number, CaptionSegment>();
  readonly #timers = new Map<number, NodeJS.Timeout>();
  readonly #writes = new SerialQueue();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #off: Array<() => void> = [];
  #vocabulary: VocabularyWord[];
  #rules: ReplacementRule[];
  #lastId: number;
  #holdBackMs: number;
  #hostPaused = false;
  #premierePlaying = false;
  #problem: string | null = null;
  #closed = false;

  private constructor(space: LiveSpace, hostAccountId: string, deps: SpaceCaptionsDeps, stored: { vocabulary: VocabularyWord[]; rules: ReplacementRule[]; lastId: number }) {
    this.#space = space;
    this.#hostAccountId = hostAccountId;
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#log = deps.logger.child({ module: 'space-captions', spaceId: space.id });
    this.#vocabulary = stored.vocabulary;
    this.#rules = stored.rules;
    this.#lastId = stored.lastId;
    this.#holdBackMs = assertHoldBack(deps.holdBackMs ?? HOLD_BACK_DEFAULT_MS);
    this.#premierePlaying = space.nowPlaying?.playing === true;
  }

  /** Captions for a live Space: its host's vocabulary and rules loaded, following its stage from now on. */
  static async attach(space: LiveSpace, hostAccountId: string, deps: SpaceCaptionsDeps): Promise<SpaceCaptions> {
    const [vocabulary, rules, lastId] = await Promise.all([deps.records.vocabulary(hostAccountId), deps.records.replacements(hostAccountId), deps.records.lastSegmentId(space.id)]);
    const captions = new SpaceCaptions(space, hostAccountId, deps, { vocabulary, rules, lastId });
    if (space.space.status !== 'live') return captions;
    bySpace.set(space, captions);
    captions.#off.push(
      space.on('produced', (_peerId, producerId) => captions.#follow(producerId)),
      space.on('joined', (peerId) => captions.#welcome(peerId)),
      space.on('nowPlaying', (playing) => captions.#setPremiere(playing)),
      space.on('ended', () => captions.close()),
      space.media.on('producerClosed', (producerId) => captions.#unfollow(producerId)),
    );
    for (const seat of space.stage.seats) if (seat.producerId) captions.#follow(seat.producerId);
    captions.#sendStatus();
    return captions;
  }

  get status(): CaptionStatus {
    const running = [...this.#speakers.values()].some((s) => s.pipeline);
    return {
      available: running || this.#problem === null,
      pausedBy: pausedBy({ hostPaused: this.#hostPaused, premierePlaying: this.#premierePlaying }),
      holdBackMs: this.#holdBackMs,
      problem: this.#problem,
    };
  }

  // ---- Requests of the host and co-hosts -------------------------------------------------------

  async edit(peerId: PeerId, segmentId: number, text: string): Promise<{ revision: number; released: boolean }> {
    const editor = this.#authorize(peerId);
    await take(edits, peerId, 'Too many caption corrections at once; wait a few seconds.');
    const segment = this.#segments.get(segmentId);
    if (!segment) throw new NotFoundError('That caption is not in the editor any more.');
    const edited = editSegment(segment, text);
    this.#segments.set(segmentId, edited);
    this.#save(edited);
    this.#write(() => this.#deps.records.saveRevision(this.#space.id, { id: segmentId, revision: edited.revision, text: edited.edited!, editedBy: editor }));
    this.#log.info({ segmentId, revision: edited.revision, released: edited.released }, 'caption corrected');
    this.#toModerators(edited);
    if (edited.released) this.#toAudience(edited);
    return { revision: edited.revision, released: edited.released };
  }

  async addWord(peerId: PeerId, input: { word: string; phones?: string | undefined }): Promise<VocabularyWord> {
    this.#authorize(peerId);
    await take(settings, peerId, 'Too many caption settings changed at once; wait a minute.');
    const word = assertVocabularyWord(input.word);
    let phones: string;
    if (input.phones !== undefined) phones = assertPhones(input.phones);
    else {
      try {
        phones = assertPhones(await this.#deps.pronounce(word));
      } catch (error) {
        this.#log.warn({ err: error, word }, 'no pronunciation');
        throw new SpacecraftError('VALIDATION', `No pronunciation could be made for "${word}"; give its phones.`);
      }
    }
    const entry = { word, phones };
    await this.#deps.records.addWord(this.#hostAccountId, entry);
    this.#vocabulary = [...this.#vocabulary.filter((w) => w.word !== word), entry];
    for (const speaker of this.#speakers.values()) speaker.pipeline?.addWord(word, phones);
    this.#log.info({ word }, 'vocabulary word added');
    return entry;
  }

  async addReplacement(peerId: PeerId, input: ReplacementRule): Promise<ReplacementRule> {
    this.#authorize(peerId);
    await take(settings, peerId, 'Too many caption settings changed at once; wait a minute.');
    const rule = assertReplacement(input);
    await this.#deps.records.addReplacement(this.#hostAccountId, rule);
    this.#rules = [...this.#rules.filter((r) => r.heard !== rule.heard), rule];
    return rule;
  }

  async removeReplacement(peerId: PeerId, heard: string): Promise<void> {
    this.#authorize(peerId);
    await take(settings, peerId, 'Too many caption settings changed at once; wait a minute.');
    const key = assertReplacement({ heard, written: '-' }).heard;
    await this.#deps.records.removeReplacement(this.#hostAccountId, key);
    this.#rules = this.#rules.filter((r) => r.heard !== key);
  }

  async setPaused(peerId: PeerId, paused: boolean): Promise<void> {
    this.#authorize(peerId);
    await take(settings, peerId, 'Too many caption settings changed at once; wait a minute.');
    if (this.#hostPaused === paused) return;
    this.#hostPaused = paused;
    this.#log.info({ paused }, 'captions paused by the host');
    this.#applyPause();
  }

  async setHoldBack(peerId: PeerId, holdBackMs: number): Promise<void> {
    this.#authorize(peerId);
    await take(settings, peerId, 'Too many caption settings changed at once; wait a minute.');
    this.#holdBackMs = assertHoldBack(holdBackMs);
    this.#sendStatus();
  }

  settings(peerId: PeerId): { status: CaptionStatus; vocabulary: VocabularyWord[]; replacements: ReplacementRule[]; recent: CaptionDraft[] } {
    this.#authorize(peerId);
    const recent = [...this.#segments.values()].slice(-RECENT_SHOWN).map((s) => this.#draft(s));
    return { status: this.status, vocabulary: [...this.#vocabulary], replacements: [...this.#rules], recent };
  }

  /** The Space ended (or the server stops): held segments go out and are stored, every pipeline closes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    bySpace.delete(this.#space);
    for (const off of this.#off.splice(0)) off();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    for (const speaker of this.#speakers.values()) this.#stop(speaker);
    this.#speakers.clear();
    const now = this.#now();
    for (const segment of this.#segments.values()) {
      if (segment.released || (segment.status === 'partial' && segment.raw === '')) continue;
      this.#save(releaseNow(segment, now));
    }
  }

  /** Resolves when every write so far is done (before the database closes). */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  // ---- The stage's microphones ----------------------------------------------------------------

  #follow(producerId: string): void {
    if (this.#closed || this.#speakers.has(producerId)) return;
    const seat = seatOfProducer(this.#space.stage, producerId);
    if (!seat) return;
    const speaker: Speaker = {
      producerId,
      who: { peerId: seat.peerId, accountId: seat.accountId, name: seat.displayName },
      pipeline: null,
      open: new Map(),
      closed: false,
      off: [],
    };
    this.#speakers.set(producerId, speaker);
    const started = this.#deps.startSpeaker(this.#space, producerId, [...this.#vocabulary]);
    this.#track(started);
    started.then(
      (pipeline) => {
        if (speaker.closed) return pipeline.close();
        speaker.pipeline = pipeline;
        speaker.off.push(
          pipeline.on('result', (result) => this.#heard(speaker, result)),
          pipeline.on('error', (error) => this.#engineProblem(speaker, error)),
          pipeline.on('restarted', () => this.#restarted(speaker)),
        );
        if (this.status.pausedBy) pipeline.pause();
        this.#log.info({ producerId }, 'captions follow a speaker');
        if (this.#problem) this.#problem = null;
        this.#sendStatus();
      },
      (error: unknown) => {
        this.#speakers.delete(producerId);
        this.#engineProblem(speaker, error);
      },
    );
  }

  #unfollow(producerId: string): void {
    const speaker = this.#speakers.get(producerId);
    if (!speaker) return;
    this.#speakers.delete(producerId);
    this.#stop(speaker);
    this.#finishOpen(speaker);
  }

  #stop(speaker: Speaker): void {
    speaker.closed = true;
    for (const off of speaker.off.splice(0)) off();
    speaker.pipeline?.close();
    speaker.pipeline = null;
  }

  #engineProblem(speaker: Speaker, error: unknown): void {
    const message = error instanceof SpacecraftError ? error.message : 'The caption engine failed.';
    this.#log.warn({ err: error, producerId: speaker.producerId }, 'caption engine problem; the Space goes on');
    this.#problem = message.slice(0, 500);
    this.#sendStatus();
  }

  /** The engine came back after dying: its utterance numbers start again, so what was forming ends here. */
  #restarted(speaker: Speaker): void {
    this.#log.info({ producerId: speaker.producerId }, 'caption engine restarted');
    this.#finishOpen(speaker);
    if (this.status.pausedBy) speaker.pipeline?.pause();
  }

  /** Segments a speaker was forming end as they are (their speaker left or their engine restarted). */
  #finishOpen(speaker: Speaker): void {
    for (const id of speaker.open.values()) {
      const segment = this.#segments.get(id);
      if (!segment || segment.status === 'final') continue;
      this.#ended(updateSegment(segment, { status: 'final', text: segment.raw, words: segment.words, startMs: segment.startMs, endMs: segment.endMs }, [], this.#holdBackMs, this.#now()));
    }
    speaker.open.clear();
  }

  #heard(speaker: Speaker, result: EngineResult): void {
    if (this.#closed || speaker.closed) return;
    const origin = (speaker.pipeline?.startedAt ?? this.#now()) - this.#space.space.startedAt;
    const heard: HeardUtterance = {
      status: result.kind,
      text: result.text,
      words: result.words.map((w) => ({ word: w.word, startMs: origin + w.start * 1000, endMs: origin + w.end * 1000, confidence: w.confidence })),
      startMs: origin + result.start * 1000,
      endMs: origin + result.end * 1000,
    };
    const openId = speaker.open.get(result.utterance);
    const existing = openId === undefined ? undefined : this.#segments.get(openId);
    if (!existing && result.text.trim() === '') return;
    const now = this.#now();
    const segment = existing
      ? updateSegment(existing, heard, this.#rules, this.#holdBackMs, now)
      : beginSegment({ id: ++this.#lastId, speaker: speaker.who, heard, rules: this.#rules, holdBackMs: this.#holdBackMs, now });
    if (result.kind === 'final') speaker.open.delete(result.utterance);
    else speaker.open.set(result.utterance, segment.id);
    if (segment.status === 'final') this.#ended(segment);
    else this.#keep(segment);
    this.#toModerators(segment);
  }

  /** A segment ended: stored, and released when its hold-back is over. An empty one is dropped. */
  #ended(segment: CaptionSegment): void {
    if (segment.raw === '') {
      this.#segments.delete(segment.id);
      return;
    }
    this.#keep(segment);
    this.#save(segment);
    const wait = Math.max(0, (segment.releaseAt ?? 0) - this.#now());
    if (wait === 0) return this.#release(segment.id);
    this.#timers.set(segment.id, setTimeout(() => this.#release(segment.id), wait));
  }

  #release(id: number): void {
    this.#timers.delete(id);
    const segment = this.#segments.get(id);
    if (!segment || this.#closed) return;
    const released = releaseDue(segment, this.#now());
    if (!released.released) {
      // A timer may fire a millisecond before the wall clock reaches its time (Node's timers run on
      // another clock): wait the rest, or the segment is never released.
      if (!segment.released && segment.releaseAt !== null) this.#timers.set(id, setTimeout(() => this.#release(id), Math.max(1, segment.releaseAt - this.#now())));
      return;
    }
    this.#keep(released);
    this.#save(released);
    this.#toModerators(released);
    this.#toAudience(released);
  }

  #keep(segment: CaptionSegment): void {
    this.#segments.set(segment.id, segment);
    while (this.#segments.size > KEPT_SEGMENTS) {
      const oldest = this.#segments.keys().next().value!;
      if (this.#timers.has(oldest)) break;
      this.#segments.delete(oldest);
    }
  }

  #setPremiere(playing: boolean): void {
    if (this.#premierePlaying === playing) return;
    this.#premierePlaying = playing;
    this.#log.info({ playing }, playing ? 'a premiere track plays: captions pause' : 'the premiere track stopped: captions resume');
    this.#applyPause();
  }

  #applyPause(): void {
    const paused = this.status.pausedBy !== null;
    for (const speaker of this.#speakers.values()) {
      if (paused) speaker.pipeline?.pause();
      else speaker.pipeline?.resume();
    }
    this.#sendStatus();
  }

  // ---- Who may, and who is told ---------------------------------------------------------------

  /** The host or a co-host of this Space; returns their account id (for the revision's author). */
  #authorize(peerId: PeerId): string | null {
    if (this.#closed) throw new SpacecraftError('SPACE_ENDED', 'This Space has ended.');
    const role = this.#space.roleOf(peerId);
    if (role === null) throw new NotFoundError('This connection is not in the Space.');
    authorize({ role, signedIn: true }, 'manageCaptions');
    return this.#space.stage.seats.find((s) => s.peerId === peerId)?.accountId ?? null;
  }

  #draft(segment: CaptionSegment): CaptionDraft {
    return {
      id: segment.id,
      speaker: { peerId: segment.speaker.peerId, name: segment.speaker.name },
      status: segment.status,
      raw: segment.raw,
      edited: segment.edited,
      words: segment.words.map((w) => ({ ...w, startMs: Math.round(w.startMs), endMs: Math.round(w.endMs) })),
      revision: segment.revision,
      startMs: segment.startMs,
      endMs: segment.endMs,
      releaseInMs: segment.released || segment.releaseAt === null ? null : Math.max(0, segment.releaseAt - this.#now()),
      released: segment.released,
    };
  }

  #toModerators(segment: CaptionSegment): void {
    this.#space.notify('moderators', encodeNotification('captionDraft', { segment: this.#draft(segment) }));
  }

  #toAudience(segment: CaptionSegment): void {
    const caption = forListeners(segment);
    if (caption) this.#space.notify('audience', encodeNotification('caption', { caption }));
  }

  #sendStatus(): void {
    if (this.#closed) return;
    const frame = encodeNotification('captionStatus', this.status);
    this.#space.notify('moderators', frame);
    this.#space.notify('audience', frame);
  }

  /** A joining connection: where captions stand, and the last few released captions (listeners) so the view is not empty. */
  #welcome(peerId: PeerId): void {
    if (this.#closed) return;
    this.#space.notify(peerId, encodeNotification('captionStatus', this.status));
    const role = roleOf(this.#space.stage, peerId);
    const frames: NotificationFrame[] = [];
    const recent = [...this.#segments.values()].slice(-RECENT_SHOWN);
    if (role === 'host' || role === 'cohost') for (const s of recent) frames.push(encodeNotification('captionDraft', { segment: this.#draft(s) }));
    else {
      for (const s of recent.filter((s) => s.released).slice(-BACKLOG)) frames.push(encodeNotification('caption', { caption: forListeners(s)! }));
    }
    for (const frame of frames) this.#space.notify(peerId, frame);
  }

  // ---- Storage --------------------------------------------------------------------------------

  #save(segment: CaptionSegment): void {
    if (segment.status !== 'final') return;
    this.#write(() => this.#deps.records.saveSegment(this.#space.id, segment));
  }

  #write(task: () => Promise<void>): void {
    this.#track(this.#writes.push(task).catch((error: unknown) => this.#log.error({ err: error }, 'could not store captions')));
  }

  #track(promise: Promise<unknown>): void {
    const tracked = promise.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }
}
