/**
 * The media side of one Space: a mediasoup Router on one worker, and each
 * peer's WebRtcTransports, Producers and Consumers. Every call names the peer
 * it acts for, and a peer can only touch its own transports.
 */
import type { types } from 'mediasoup';
import type { PeerId } from '../domain/space.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { WorkerPool } from './worker-pool.ts';
import { AUDIO_CODECS } from './worker-pool.ts';

type PeerMedia = {
  transports: Map<string, types.WebRtcTransport>;
  producers: Map<string, types.Producer>;
  consumers: Map<string, types.Consumer>;
};

export type TransportOptions = {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
};

/** mediasoup rejects bad parameters with a TypeError: that is the caller's fault. */
async function validated<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof TypeError) throw new ValidationError(`Invalid ${what}: ${error.message}`);
    throw error;
  }
}

export class MediaRoom {
  readonly #router: types.Router;
  readonly #webRtcServer: types.WebRtcServer;
  readonly #peers = new Map<PeerId, PeerMedia>();
  readonly #closeListeners = new Set<() => void>();
  #closed = false;

  static async create(pool: WorkerPool): Promise<MediaRoom> {
    const { worker, webRtcServer } = pool.next();
    const router = await worker.createRouter({ mediaCodecs: AUDIO_CODECS });
    return new MediaRoom(router, webRtcServer);
  }

  private constructor(router: types.Router, webRtcServer: types.WebRtcServer) {
    this.#router = router;
    this.#webRtcServer = webRtcServer;
    // The worker died or was closed under us: the room is gone.
    router.observer.once('close', () => this.close());
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.#router.rtpCapabilities;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Called once when the room closes, for whatever reason. */
  onClose(listener: () => void): void {
    this.#closeListeners.add(listener);
  }

  async createTransport(peerId: PeerId, direction: 'send' | 'recv'): Promise<TransportOptions> {
    const transport = await this.#router.createWebRtcTransport({
      webRtcServer: this.#webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 600_000,
      appData: { peerId, direction },
    });
    this.#peer(peerId).transports.set(transport.id, transport);
    transport.observer.once('close', () => this.#peers.get(peerId)?.transports.delete(transport.id));
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(peerId: PeerId, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    const transport = this.#transport(peerId, transportId);
    await validated('DTLS parameters', () => transport.connect({ dtlsParameters }));
  }

  async produce(peerId: PeerId, transportId: string, rtpParameters: types.RtpParameters): Promise<types.Producer> {
    const transport = this.#transport(peerId, transportId);
    if (transport.appData['direction'] !== 'send') throw new ValidationError('This transport cannot send audio.');
    const producer = await validated('RTP parameters', () => transport.produce({ kind: 'audio', rtpParameters }));
    const peer = this.#peer(peerId);
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    return producer;
  }

  async consume(
    peerId: PeerId,
    transportId: string,
    producerId: string,
    rtpCapabilities: types.RtpCapabilities,
  ): Promise<types.Consumer> {
    const transport = this.#transport(peerId, transportId);
    if (transport.appData['direction'] !== 'recv') throw new ValidationError('This transport cannot receive audio.');
    const canConsume = await validated('RTP capabilities', async () => this.#router.canConsume({ producerId, rtpCapabilities }));
    if (!canConsume) throw new NotFoundError('That audio is not available to this listener.');
    const consumer = await validated('consume request', () => transport.consume({ producerId, rtpCapabilities, paused: true }));
    const peer = this.#peer(peerId);
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    return consumer;
  }

  async resumeConsumer(peerId: PeerId, consumerId: string): Promise<void> {
    const consumer = this.#peers.get(peerId)?.consumers.get(consumerId);
    if (!consumer) throw new NotFoundError('No such consumer.');
    await consumer.resume();
  }

  async setProducersPaused(peerId: PeerId, paused: boolean): Promise<void> {
    for (const producer of this.#peers.get(peerId)?.producers.values() ?? []) {
      if (paused) await producer.pause();
      else await producer.resume();
    }
  }

  /** A peer left: close everything it owned. */
  closePeer(peerId: PeerId): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    this.#peers.delete(peerId);
    for (const transport of peer.transports.values()) transport.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#router.close();
    this.#peers.clear();
    for (const listener of this.#closeListeners) listener();
    this.#closeListeners.clear();
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
    const transport = this.#peers.get(peerId)?.transports.get(transportId);
    if (!transport) throw new NotFoundError('No such transport for this connection.');
    return transport;
  }
}
