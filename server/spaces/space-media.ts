/**
 * The port through which a live Space uses its media: implemented by
 * server/media/media-room.ts over mediasoup, and by a fake in tests. Every call
 * names the peer it acts for; a peer can only touch its own transports.
 */
import type { types } from 'mediasoup';
import type { PeerId } from '../domain/space.ts';
import type { TransportOptions } from '../signalling/protocol.ts';

export type ConsumerParams = { consumerId: string; producerId: string; kind: 'audio'; rtpParameters: types.RtpParameters };

export type SpaceMediaEvents = {
  /** The media is gone (closed, or its worker died). */
  close: [];
  /** A producer closed on its own (its transport failed or closed). */
  producerClosed: [producerId: string];
  /** The producers loud enough to count as speaking changed (loudest first; at most a few times a second). */
  speaking: [producerIds: string[]];
};

export interface SpaceMedia {
  readonly rtpCapabilities: types.RtpCapabilities;
  readonly closed: boolean;
  on<K extends keyof SpaceMediaEvents>(event: K, listener: (...args: SpaceMediaEvents[K]) => void): () => void;
  /** At most one transport per direction and peer (LIMIT_EXCEEDED past it). */
  createTransport(peerId: PeerId, direction: 'send' | 'recv'): Promise<TransportOptions>;
  connectTransport(peerId: PeerId, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void>;
  /** At most one producer per peer (LIMIT_EXCEEDED past it). */
  produce(peerId: PeerId, transportId: string, rtpParameters: types.RtpParameters, options: { paused: boolean }): Promise<string>;
  /** At most one consumer per producer and peer (LIMIT_EXCEEDED past it). */
  consume(peerId: PeerId, transportId: string, producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerParams>;
  resumeConsumer(peerId: PeerId, consumerId: string): Promise<void>;
  /** Pauses or resumes every producer of a peer: a paused producer is forwarded to nobody. */
  setProducersPaused(peerId: PeerId, paused: boolean): Promise<void>;
  /** The peer left the stage: close its sending transport and its producer (its receiving side stays). */
  closeSending(peerId: PeerId): void;
  /** The stage mixed into one producer (made on first call), when this media can mix (server/media/program-mixer.ts). */
  program?(): Promise<{ producer: { id: string } }>;
  /** A peer left: close everything it owned. */
  closePeer(peerId: PeerId): void;
  close(): void;
}
