/**
 * The media side of one Space over mediasoup: a Router on one worker, and each
 * peer's WebRtcTransports, Producers and Consumers (the `SpaceMedia` port).
 * Limits per peer: one transport per direction, one producer, one consumer per
 * producer. A transport whose DTLS fails is closed at once.
 *
 * Who is speaking: an AudioLevelObserver on the router watches every producer
 * and the room says `speaking` only when the set of loud producers changes
 * (at most once per SPEAKING_INTERVAL_MS).
 */
import type { types } from 'mediasoup';
import type { PeerId } from '../domain/space.ts';
import { InvalidStateError, NotFoundError, SpacecraftError, ValidationError } from '../errors.ts';
import { TypedEmitter } from '../lib/typed-emitter.ts';
import type { Logger } from '../logger.ts';
import type { TransportOptions } from '../signalling/protocol.ts';
import type { ConsumerParams, SpaceMedia, SpaceMediaEvents } from '../spaces/space-media.ts';
import { ProgramMixer } from './program-mixer.ts';
import { SpaceFanout, type Placement } from './space-fanout.ts';
import { AUDIO_CODECS, type WorkerPool } from './worker-pool.ts';

type PeerMedia = {
  transports: Map<string, types.WebRtcTransport>;
  producers: Map<string, types.Producer>;
  consumers: Map<string, types.Consumer>;
};

/** Highest bitrate a publisher may send: stereo music at 192 kbps and more, with room for FEC and RTCP. */
export const MAX_INCOMING_BITRATE = 600_000;
/** How often the room checks who is speaking: at most 4 `speaking` events a second. */
export const SPEAKING_INTERVAL_MS = 250;
/** Louder than this (dBov, averaged over the interval) counts as speaking; room noise through a gate stays under it. */
export const SPEAKING_THRESHOLD_DBOV = -55;
/** The stage holds at most host + 2 co-hosts + 10 speakers. */
const MAX_SPEAKING_ENTRIES = 13;

/**
 * mediasoup rejects bad parameters with a TypeError (the caller's fault) and
 * calls on closed objects with an InvalidStateError (a race with closing):
 * both become typed errors instead of INTERNAL.
 */
export async function mediaCall<T>(what: string, action: () => Promise<T> | T): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof SpacecraftError) throw error;
    if (error instanceof TypeError) throw new ValidationError(`Invalid ${what}: ${error.message}`);
    if (error instanceof Error && error.name === 'InvalidStateError') throw new InvalidStateError(`That ${what} is no longer possible: the media it needs has closed.`);
    throw error;
  }
}

export class MediaRoom implements SpaceMedia {
  readonly #router: types.Router;
  readonly #levels: types.AudioLevelObserver;
  #speaking: string[] = [];
  /** mediasoup deep-copies the router's capabilities on every read: read them once. */
  readonly #rtpCapabilities: types.RtpCapabilities;
  readonly #webRtcServer: types.WebRtcServer;
  readonly #peers = new Map<PeerId, PeerMedia>();
  readonly #events: TypedEmitter<SpaceMediaEvents>;
  /** Receiving transports spread over the node's workers (when the pool has more than one). */
  #fanout: SpaceFanout | null = null;
  readonly #placements = new Map<string, Placement>();
  /** The program stream (made on first use: `program()`). */
  #program: Promise<ProgramMixer> | null = null;
  readonly #programSlots: number;
  readonly #logger: Logger;
  #closed = false;

  /** `spread` (default on): receiving transports go to the least-loaded worker (the Space's producers are piped there). */
  static async create(pool: WorkerPool, logger: Logger, options: { spread?: boolean; programSlots?: number } = {}): Promise<MediaRoom> {
    const { worker, webRtcServer } = pool.next();
    const router = await mediaCall('room', () => worker.createRouter({ mediaCodecs: AUDIO_CODECS }));
    try {
      const levels = await mediaCall('room', () =>
        router.createAudioLevelObserver({ maxEntries: MAX_SPEAKING_ENTRIES, threshold: SPEAKING_THRESHOLD_DBOV, interval: SPEAKING_INTERVAL_MS }),
      );
      const room = new MediaRoom(router, levels, webRtcServer, logger, options.programSlots ?? MAX_SPEAKING_ENTRIES);
      if ((options.spread ?? true) && pool.size > 1) room.#fanout = new SpaceFanout(router, worker, pool, logger);
      return room;
    } catch (error) {
      router.close();
      throw error;
    }
  }

  private constructor(router: types.Router, levels: types.AudioLevelObserver, webRtcServer: types.WebRtcServer, logger: Logger, programSlots: number) {
    this.#router = router;
    this.#programSlots = programSlots;
    this.#logger = logger;
    this.#levels = levels;
    this.#rtpCapabilities = router.rtpCapabilities;
    this.#webRtcServer = webRtcServer;
    const log = logger.child({ module: 'media-room', routerId: router.id });
    this.#events = new TypedEmitter((error, event) => log.error({ err: error, event }, 'media listener failed'));
    // The worker died or was closed under us: the room is gone.
    router.observer.once('close', () => this.close());
    levels.on('volumes', (volumes) => this.#setSpeaking(volumes.map((v) => v.producer.id)));
    levels.on('silence', () => this.#setSpeaking([]));
  }

  /** Producers loud in the last interval, loudest first. */
  get speaking(): readonly string[] {
    return this.#speaking;
  }

  /** The Space's own router (its stage producers live here): other nodes' pipes are fed from it (server/cluster). */
  get router(): types.Router {
    return this.#router;
  }

  /**
   * The Space's program stream: everything on stage mixed into one producer of `router`, made on
   * first call and fed every producer of the room from then on (server/media/program-mixer.ts).
   * Listeners past the threshold, the HLS overflow and other nodes consume `producer`.
   */
  program(): Promise<ProgramMixer> {
    this.#assertOpen();
    this.#program ??= ProgramMixer.create(this.#router, { slots: this.#programSlots, logger: this.#logger }).then(
      async (mixer) => {
        if (this.#closed) mixer.close();
        // A mixer that died for good: the next call makes a new one; whoever consumed the program is told.
        mixer.on('close', () => {
          if (this.#closed) return;
          this.#program = null;
          this.#events.safeEmit('producerClosed', mixer.producer.id);
        });
        for (const peer of this.#peers.values()) for (const id of peer.producers.keys()) await mixer.addInput(id).catch((error: unknown) => this.#mixFailed(error));
        return mixer;
      },
      (error: unknown) => {
        this.#program = null;
        throw error;
      },
    );
    return this.#program;
  }

  #mixFailed(error: unknown): void {
    this.#logger.warn({ err: error, routerId: this.#router.id }, 'a voice could not be mixed into the program');
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.#rtpCapabilities;
  }

  get closed(): boolean {
    return this.#closed;
  }

  on<K extends keyof SpaceMediaEvents>(event: K, listener: (...args: SpaceMediaEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  async createTransport(peerId: PeerId, direction: 'send' | 'recv'): Promise<TransportOptions> {
    this.#assertOpen();
    const peer = this.#peer(peerId);
    for (const existing of peer.transports.values()) {
      if (existing.appData['direction'] === direction) {
        throw new SpacecraftError('LIMIT_EXCEEDED', `A connection may have one ${direction === 'send' ? 'sending' : 'receiving'} transport, and this one has it already.`);
      }
    }
    const placement = direction === 'recv' && this.#fanout ? await mediaCall('transport', () => this.#fanout!.place()) : null;
    const transport = await mediaCall('transport', () =>
      (placement?.router ?? this.#router).createWebRtcTransport({
        webRtcServer: placement?.webRtcServer ?? this.#webRtcServer,
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        initialAvailableOutgoingBitrate: 600_000,
        appData: { peerId, direction },
      }),
    ).catch((error: unknown) => {
      if (placement) this.#fanout?.release(placement.workerIndex);
      throw error;
    });
    if (placement) {
      this.#placements.set(transport.id, placement);
      transport.observer.once('close', () => {
        this.#placements.delete(transport.id);
        this.#fanout?.release(placement.workerIndex);
      });
    }
    // The peer may have left (or the room closed) while the worker made it: nothing may outlive its owner.
    if (this.#closed || this.#peers.get(peerId) !== peer) {
      transport.close();
      throw new InvalidStateError('The connection left before its transport was ready.');
    }
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') transport.close();
    });
    if (direction === 'send') await mediaCall('transport', () => transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE));
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(peerId: PeerId, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    const transport = this.#transport(peerId, transportId);
    await mediaCall('DTLS parameters', () => transport.connect({ dtlsParameters }));
  }

  async produce(peerId: PeerId, transportId: string, rtpParameters: types.RtpParameters, options: { paused: boolean }): Promise<string> {
    const transport = this.#transport(peerId, transportId);
    if (transport.appData['direction'] !== 'send') throw new ValidationError('This transport cannot send audio.');
    if (this.#peers.get(peerId)?.producers.size) throw new SpacecraftError('LIMIT_EXCEEDED', 'A connection publishes one microphone, and this one does already.');
    const producer = await mediaCall('RTP parameters', () => transport.produce({ kind: 'audio', rtpParameters, paused: options.paused }));
    const peer = this.#peers.get(peerId);
    if (!peer || transport.closed) {
      producer.close();
      throw new InvalidStateError('The transport closed before the audio was ready.');
    }
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      if (this.#closed) return;
      if (this.#speaking.includes(producer.id)) this.#setSpeaking(this.#speaking.filter((id) => id !== producer.id));
      this.#events.safeEmit('producerClosed', producer.id);
    });
    await mediaCall('audio level observer', () => this.#levels.addProducer({ producerId: producer.id })).catch((error: unknown) => {
      // The producer closed while it was being added: its close already told everyone.
      if (!producer.closed) throw error;
    });
    // Into the program too, once there is one (its own consumer closes with the producer).
    void this.#program?.then((mixer) => mixer.addInput(producer.id)).catch((error: unknown) => this.#mixFailed(error));
    return producer.id;
  }

  async consume(peerId: PeerId, transportId: string, producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerParams> {
    const transport = this.#transport(peerId, transportId);
    if (transport.appData['direction'] !== 'recv') throw new ValidationError('This transport cannot receive audio.');
    const peer = this.#peer(peerId);
    for (const existing of peer.consumers.values()) {
      if (existing.producerId === producerId) throw new SpacecraftError('LIMIT_EXCEEDED', 'This connection already receives that audio.');
    }
    const placement = this.#placements.get(transportId);
    if (placement && this.#fanout) {
      // Only what this Space's router carries may be piped to a listener's worker.
      if (!(await mediaCall('RTP capabilities', () => this.#router.canConsume({ producerId, rtpCapabilities })))) throw new NotFoundError('That audio is not available to this listener.');
      await mediaCall('consume request', () => this.#fanout!.pipe(producerId, placement.router));
    }
    const router = placement?.router ?? this.#router;
    const canConsume = await mediaCall('RTP capabilities', () => router.canConsume({ producerId, rtpCapabilities }));
    if (!canConsume) throw new NotFoundError('That audio is not available to this listener.');
    const consumer = await mediaCall('consume request', () => transport.consume({ producerId, rtpCapabilities, paused: true }));
    if (this.#peers.get(peerId) !== peer || transport.closed) {
      consumer.close();
      throw new InvalidStateError('The transport closed before the audio was ready.');
    }
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    return { consumerId: consumer.id, producerId: consumer.producerId, kind: 'audio', rtpParameters: consumer.rtpParameters };
  }

  async resumeConsumer(peerId: PeerId, consumerId: string): Promise<void> {
    const consumer = this.#peers.get(peerId)?.consumers.get(consumerId);
    if (!consumer) throw new NotFoundError('No such consumer.');
    await mediaCall('resume', () => consumer.resume());
  }

  async setProducersPaused(peerId: PeerId, paused: boolean): Promise<void> {
    for (const producer of this.#peers.get(peerId)?.producers.values() ?? []) {
      await mediaCall('mute', () => (paused ? producer.pause() : producer.resume()));
    }
  }

  closeSending(peerId: PeerId): void {
    for (const transport of this.#peers.get(peerId)?.transports.values() ?? []) {
      if (transport.appData['direction'] === 'send') transport.close();
    }
  }

  closePeer(peerId: PeerId): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    this.#peers.delete(peerId);
    for (const transport of peer.transports.values()) transport.close();
  }

  /** A producer and the router it is on, for a server-side consumer (live captions); null when it is gone. */
  captionSource(producerId: string): { router: types.Router; producer: types.Producer } | null {
    for (const peer of this.#peers.values()) {
      const producer = peer.producers.get(producerId);
      if (producer && !producer.closed) return { router: this.#router, producer };
    }
    return null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#fanout?.close();
    void this.#program?.then((mixer) => mixer.close()).catch(() => undefined);
    this.#router.close();
    this.#peers.clear();
    this.#events.safeEmit('close');
    this.#events.removeAllListeners();
  }

  #setSpeaking(producerIds: string[]): void {
    if (this.#closed) return;
    if (producerIds.length === this.#speaking.length && producerIds.every((id) => this.#speaking.includes(id))) return;
    this.#speaking = producerIds;
    this.#events.safeEmit('speaking', producerIds);
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('This Space has ended.', 'SPACE_ENDED');
  }

  #peer(peerId: PeerId): PeerMedia {
    let peer = this.#peers.get(peerId);
    if (!peer) {
      peer = { transports: new Map(), producers: new Map(), consumers: new Map() };
      this.#peers.set(peerId, peer);
    }
    return peer;
  }

  #transport(peerId: PeerId, transportId: string): types.WebRtcTransport {
    this.#assertOpen();
    const transport = this.#peers.get(peerId)?.transports.get(transportId);
    if (!transport) throw new NotFoundError('No such transport for this connection.');
    return transport;
  }
}
