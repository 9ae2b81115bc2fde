/**
 * The program stream of a Space: everything on stage mixed into one Opus stream, produced back
 * into the Space's router as the "program" producer. Listeners past a threshold, other workers
 * (pipeToRouter), other nodes (PipeTransports) and the HLS overflow consume this one producer,
 * so a listener costs one stream however many people speak.
 *
 * The mixer is a GStreamer child process (`gst-launch-1.0`): its `audiomixer` is live-aware (an
 * aggregator that mixes on the clock and treats an input without packets as silence), which
 * ffmpeg's `amix` is not (it stalls when one RTP input goes quiet, e.g. a muted speaker whose
 * producer is paused). It has a fixed number of input slots, one per possible stage seat, each
 * a UDP port on loopback: a stage producer is consumed through a PlainTransport that sends to
 * its slot, and leaving the stage closes that consumer. The process is never restarted for a
 * change on stage (no gap for the others). A silent live source keeps the output clock running
 * when nobody speaks, so the program never stops (HLS and pipes need a steady stream).
 *
 *   stage producer → Consumer → PlainTransport → udp:slot → jitterbuffer → opusdec ─┐
 *   silence (clock) ───────────────────────────────────────────────────────────────── audiomixer
 *        → opusenc → rtppay → udp → PlainTransport (comedia) → program Producer
 */
import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import { InvalidStateError, SpacecraftError } from '../errors.ts';
import { TypedEmitter } from '../lib/typed-emitter.ts';
import type { Logger } from '../logger.ts';
import { freeUdpPortPair } from './udp-ports.ts';
import { SupervisedChild } from '../lib/supervised-child.ts';

export type ProgramMixerOptions = {
  /** Input slots: the most producers mixed at once (the stage's seats). */
  slots: number;
  /** Program bitrate (bits/s). */
  bitrate?: number;
  /** How long each input's jitter buffer waits for late packets (ms). */
  jitterMs?: number;
  /** The GStreamer launcher (gst-launch-1.0 when not given). */
  command?: string;
  logger: Logger;
};

export type ProgramMixerEvents = {
  /** The mixer is gone: closed, or its process died more often than it is restarted. */
  close: [];
};

const LOOPBACK = '127.0.0.1';

type Slot = { port: number; consumer: types.Consumer | null; transport: types.PlainTransport | null };

/** The gst-launch pipeline (one argument per token) for the given ports. */
export function mixerPipeline(input: { slotPorts: number[]; payloadType: number; outPort: number; ssrc: number; bitrate: number; jitterMs: number }): string[] {
  const raw = 'audio/x-raw,format=S16LE,rate=48000,channels=2,layout=interleaved';
  const rtpCaps = `application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=${input.payloadType}`;
  const out = [
    'audiomixer', 'name=mix', 'latency=20000000', 'start-time-selection=first', '!', raw, '!',
    'opusenc', `bitrate=${input.bitrate}`, 'frame-size=20', 'audio-type=generic', '!',
    'rtpopuspay', `pt=${input.payloadType}`, `ssrc=${input.ssrc}`, '!',
    'udpsink', `host=${LOOPBACK}`, `port=${input.outPort}`, 'sync=false', 'async=false',
    'audiotestsrc', 'is-live=true', 'wave=silence', 'samplesperbuffer=960', '!', raw, '!', 'mix.',
  ];
  for (const port of input.slotPorts) {
    out.push(
      'udpsrc', `address=${LOOPBACK}`, `port=${port}`, `caps=${rtpCaps}`, '!',
      'rtpjitterbuffer', `latency=${input.jitterMs}`, 'drop-on-latency=true', '!',
      'rtpopusdepay', '!', 'opusdec', 'plc=true', '!', 'audioconvert', '!', 'audioresample', '!', raw, '!', 'mix.',
      // RTCP from the slot's consumer lands here and is dropped.
      'udpsrc', `address=${LOOPBACK}`, `port=${port + 1}`, '!', 'fakesink', 'sync=false', 'async=false',
    );
  }
  return out;
}

export class ProgramMixer {
  readonly #router: types.Router;
  readonly #options: Required<Omit<ProgramMixerOptions, 'logger'>>;
  readonly #log: Logger;
  readonly #events: TypedEmitter<ProgramMixerEvents>;
  readonly #slots: Slot[];
  readonly #inputs = new Map<string, Slot>();
  readonly #outTransport: types.PlainTransport;
  readonly #producer: types.Producer;
  readonly #pipeline: string[];
  #process: SupervisedChild | null = null;
  #closed = false;

  static async create(router: types.Router, options: ProgramMixerOptions): Promise<ProgramMixer> {
    const settings = { bitrate: 64_000, jitterMs: 30, command: 'gst-launch-1.0', ...options };
    if (!Number.isInteger(settings.slots) || settings.slots < 1 || settings.slots > 32) throw new TypeError('slots must be 1–32');
    const opus = router.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'audio/opus');
    if (!opus?.preferredPayloadType) throw new SpacecraftError('UNAVAILABLE', 'The router has no Opus codec to mix.');
    const payloadType = opus.preferredPayloadType;
    const ssrc = randomInt(1, 2 ** 31);
    const outTransport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOOPBACK }, rtcpMux: true, comedia: true, appData: { program: true } });
    try {
      const producer = await outTransport.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/opus', payloadType, clockRate: 48000, channels: 2, parameters: { 'sprop-stereo': 1 } }],
          encodings: [{ ssrc }],
        },
        appData: { program: true },
      });
      const slotPorts: number[] = [];
      for (let i = 0; i < settings.slots; i++) {
        let port = await freeUdpPortPair();
        while (slotPorts.includes(port)) port = await freeUdpPortPair();
        slotPorts.push(port);
      }
      const pipeline = mixerPipeline({ slotPorts, payloadType, outPort: outTransport.tuple.localPort, ssrc, bitrate: settings.bitrate, jitterMs: settings.jitterMs });
      const mixer = new ProgramMixer(router, settings, outTransport, producer, slotPorts, pipeline, options.logger);
      mixer.#spawn();
      return mixer;
    } catch (error) {
      outTransport.close();
      throw error;
    }
  }

  private constructor(
    router: types.Router,
    options: Required<Omit<ProgramMixerOptions, 'logger'>>,
    outTransport: types.PlainTransport,
    producer: types.Producer,
    slotPorts: number[],
    pipeline: string[],
    logger: Logger,
  ) {
    this.#router = router;
    this.#options = options;
    this.#outTransport = outTransport;
    this.#producer = producer;
    this.#slots = slotPorts.map((port) => ({ port, consumer: null, transport: null }));
    this.#pipeline = pipeline;
    this.#log = logger.child({ module: 'program-mixer', routerId: router.id });
    this.#events = new TypedEmitter((error, event) => this.#log.error({ err: error, event }, 'program mixer listener failed'));
    router.observer.once('close', () => this.close());
  }

  /** The program producer (in the Space's router): what listeners past the threshold, other workers, other nodes and HLS consume. */
  get producer(): types.Producer {
    return this.#producer;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The router the program is produced in (the Space's own). */
  get router(): types.Router {
    return this.#router;
  }

  /** The producers mixed now. */
  get inputs(): string[] {
    return [...this.#inputs.keys()];
  }

  /** The mixer process id (benchmarks read its CPU). */
  get pid(): number | undefined {
    return this.#process?.pid;
  }

  on<K extends keyof ProgramMixerEvents>(event: K, listener: (...args: ProgramMixerEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Mixes a producer of the router into the program (idempotent); LIMIT_EXCEEDED when every slot is taken. */
  async addInput(producerId: string): Promise<void> {
    if (this.#closed) throw new InvalidStateError('The program mixer has closed.');
    if (this.#inputs.has(producerId)) return;
    const slot = this.#slots.find((s) => !s.transport && ![...this.#inputs.values()].includes(s));
    if (!slot) throw new SpacecraftError('LIMIT_EXCEEDED', `The program mixes at most ${this.#slots.length} voices.`);
    this.#inputs.set(producerId, slot);
    try {
      const transport = await this.#router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOOPBACK }, rtcpMux: false, comedia: false, appData: { programInput: producerId } });
      slot.transport = transport;
      await transport.connect({ ip: LOOPBACK, port: slot.port, rtcpPort: slot.port + 1 });
      const consumer = await transport.consume({ producerId, rtpCapabilities: this.#router.rtpCapabilities, paused: false });
      if (this.#closed || this.#inputs.get(producerId) !== slot) {
        transport.close();
        return;
      }
      slot.consumer = consumer;
      consumer.observer.once('close', () => this.removeInput(producerId));
    } catch (error) {
      this.removeInput(producerId);
      if (error instanceof Error && error.name === 'InvalidStateError') return;
      throw error;
    }
  }

  /** Stops mixing a producer (it left the stage); its slot is free again. */
  removeInput(producerId: string): void {
    const slot = this.#inputs.get(producerId);
    if (!slot) return;
    this.#inputs.delete(producerId);
    const transport = slot.transport;
    slot.transport = null;
    slot.consumer = null;
    transport?.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#inputs.keys()]) this.removeInput(id);
    this.#outTransport.close();
    void this.#process?.stop();
    this.#events.safeEmit('close');
    this.#events.removeAllListeners();
  }

  #spawn(): void {
    this.#process = SupervisedChild.start({
      command: this.#options.command,
      args: ['-q', ...this.#pipeline],
      name: 'mixer',
      logger: this.#log,
      onGiveUp: () => this.close(),
      logFields: { slots: this.#slots.length },
    });
  }
}
