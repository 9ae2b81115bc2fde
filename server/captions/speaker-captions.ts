/**
 * One speaker's caption pipeline on the server:
 *
 *   Producer → DirectTransport consumer (RTP in Node) → AudioTimeline (order, gaps)
 *     → OpusDecoder (16 kHz mono) → CaptionEngine (child process) → results
 *
 * Result times are seconds since `startedAt` (wall clock), so they map to when the
 * words were said. The engine is restarted if it dies (results resume, the Space is
 * untouched); a command that cannot run makes `start` reject with CAPTIONS_UNAVAILABLE.
 * `close()` releases the consumer, the transport, the decoder and the process; closing
 * the producer or its router closes the pipeline too.
 */
import type { types } from 'mediasoup';
import { SpacecraftError } from '../errors.ts';
import { TypedEmitter } from '../lib/typed-emitter.ts';
import type { Logger } from '../logger.ts';
import { AudioTimeline } from './audio-timeline.ts';
import { CaptionEngine, type EngineResult, type VocabularyWord } from './caption-engine.ts';
import { OpusDecoder, parseRtp } from './opus-decoder.ts';

export type { EngineResult, EngineWord } from './caption-engine.ts';

export type SpeakerCaptionsEvents = {
  result: [EngineResult];
  error: [SpacecraftError];
  restarted: [];
  /** The pipeline closed (by `close()`, its producer or router closing, or the engine giving up). */
  closed: [];
};

/** How often the timeline checks the wall clock for a silent speaker. */
const TICK_MS = 100;

export type SpeakerCaptionsInput = {
  router: types.Router;
  producer: types.Producer;
  engineCommand: string[];
  vocabulary: VocabularyWord[];
  logger: Logger;
  /** Passed on to the engine (tests shorten them). */
  engine?: { readyTimeoutMs?: number; restartDelayMs?: { first: number; max: number } };
};

export class SpeakerCaptions extends TypedEmitter<SpeakerCaptionsEvents> {
  /** Wall-clock ms (Date.now()) of audio time 0, so result times map to wall clock. */
  readonly startedAt: number;
  readonly #engine: CaptionEngine;
  readonly #transport: types.DirectTransport;
  readonly #consumer: types.Consumer;
  readonly #decoder: OpusDecoder;
  readonly #timeline: AudioTimeline;
  readonly #ticker: NodeJS.Timeout;
  readonly #log: Logger;
  #paused = false;
  #closed = false;

  private constructor(parts: {
    engine: CaptionEngine;
    transport: types.DirectTransport;
    consumer: types.Consumer;
    decoder: OpusDecoder;
    startedAt: number;
    log: Logger;
  }) {
    super((error, event) => parts.log.error({ err: error, event }, 'speaker captions listener failed'));
    this.startedAt = parts.startedAt;
    this.#engine = parts.engine;
    this.#transport = parts.transport;
    this.#consumer = parts.consumer;
    this.#decoder = parts.decoder;
    this.#log = parts.log;
    this.#timeline = new AudioTimeline({
      startedAtMs: parts.startedAt,
      decode: (payload) => this.#decoder.decode(payload),
      write: (pcm) => this.#engine.write(pcm),
    });
    this.#ticker = setInterval(() => {
      if (!this.#paused) this.#timeline.tick(Date.now());
    }, TICK_MS);
    this.#ticker.unref();

    this.#engine.events.on('result', (result) => this.safeEmit('result', this.#toSpeakerTime(result)));
    this.#engine.events.on('restarted', () => this.safeEmit('restarted'));
    this.#engine.events.on('error', (error) => {
      this.safeEmit('error', error);
      this.close();
    });
    this.#consumer.on('rtp', (packet: Buffer) => this.#onRtp(packet));
    this.#consumer.observer.once('close', () => this.close());
    this.#transport.observer.once('close', () => this.close());
  }

  static async start(input: SpeakerCaptionsInput): Promise<SpeakerCaptions> {
    const log = input.logger.child({ module: 'speaker-captions', producerId: input.producer.id });
    if (input.producer.kind !== 'audio') throw new SpacecraftError('VALIDATION', 'Captions follow audio producers only.');
    const engine = await CaptionEngine.start({
      command: input.engineCommand,
      vocabulary: input.vocabulary,
      logger: log,
      ...input.engine,
    });
    let transport: types.DirectTransport | undefined;
    try {
      transport = await input.router.createDirectTransport({ appData: { captionsFor: input.producer.id } });
      const consumer = await transport.consume({
        producerId: input.producer.id,
        rtpCapabilities: input.router.rtpCapabilities,
        appData: { captions: true },
      });
      const decoder = new OpusDecoder();
      const captions = new SpeakerCaptions({ engine, transport, consumer, decoder, startedAt: Date.now(), log });
      log.debug('speaker captions started');
      return captions;
    } catch (error) {
      engine.close();
      transport?.close();
      if (error instanceof SpacecraftError) throw error;
      throw new SpacecraftError('CAPTIONS_UNAVAILABLE', `Captions cannot follow this speaker: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** The engine (for tests and diagnostics: its process id, restarts). */
  get engine(): CaptionEngine {
    return this.#engine;
  }

  /** Packet counters of the audio path (received, lost, late, undecodable, skipped seconds). */
  get audioStats(): AudioTimeline['stats'] {
    return this.#timeline.stats;
  }

  addWord(word: string, phones: string): void {
    if (this.#closed) return;
    this.#engine.addWord(word, phones);
  }

  /** Stops feeding audio and ends the current utterance (its final follows). */
  pause(): void {
    if (this.#closed || this.#paused) return;
    this.#paused = true;
    this.#engine.flush();
    this.#consumer.pause().catch((error: unknown) => this.#log.debug({ err: error }, 'consumer pause failed'));
  }

  resume(): void {
    if (this.#closed || !this.#paused) return;
    this.#paused = false;
    this.#timeline.resync();
    this.#timeline.tick(Date.now());
    this.#consumer.resume().catch((error: unknown) => this.#log.debug({ err: error }, 'consumer resume failed'));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#ticker);
    this.#consumer.close();
    this.#transport.close();
    this.#engine.close();
    this.#decoder.close();
    this.#log.debug({ audio: this.#timeline.stats }, 'speaker captions closed');
    this.safeEmit('closed');
    this.removeAllListeners();
  }

  #onRtp(packet: Buffer): void {
    if (this.#closed || this.#paused) return;
    const rtp = parseRtp(packet);
    if (!rtp) return;
    this.#timeline.push(rtp.sequenceNumber, rtp.timestamp, rtp.payload, Date.now());
  }

  #toSpeakerTime(result: EngineResult): EngineResult {
    const t = (seconds: number): number => this.#timeline.toSpeakerSeconds(seconds);
    return { ...result, start: t(result.start), end: t(result.end), words: result.words.map((w) => ({ ...w, start: t(w.start), end: t(w.end) })) };
  }
}
