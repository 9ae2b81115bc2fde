/** An in-memory SpaceMedia for tests of the Space's own rules: no mediasoup, milliseconds per test. */
import type { types } from 'mediasoup';
import type { PeerId } from '../domain/space.ts';
import { NotFoundError, SpacecraftError } from '../errors.ts';
import { TypedEmitter } from '../lib/typed-emitter.ts';
import type { TransportOptions } from '../signalling/protocol.ts';
import type { ConsumerParams, SpaceMedia, SpaceMediaEvents } from './space-media.ts';

export class FakeSpaceMedia implements SpaceMedia {
  readonly rtpCapabilities: types.RtpCapabilities = { codecs: [] };
  readonly transports = new Map<string, { peerId: PeerId; direction: 'send' | 'recv' }>();
  readonly producers = new Map<string, { peerId: PeerId; paused: boolean }>();
  readonly events = new TypedEmitter<SpaceMediaEvents>((error) => {
    throw error;
  });
  closed = false;
  /** Resolves when a request may finish (lets a test hold a request in flight). */
  gate: Promise<void> = Promise.resolve();
  #next = 0;

  on<K extends keyof SpaceMediaEvents>(event: K, listener: (...args: SpaceMediaEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  async createTransport(peerId: PeerId, direction: 'send' | 'recv'): Promise<TransportOptions> {
    await this.gate;
    this.#assertOpen();
    const id = `t${++this.#next}`;
    this.transports.set(id, { peerId, direction });
    return { id, iceParameters: { usernameFragment: 'u', password: 'p' }, iceCandidates: [], dtlsParameters: { fingerprints: [] } };
  }

  async connectTransport(peerId: PeerId, transportId: string): Promise<void> {
    this.#own(peerId, transportId);
  }

  async produce(peerId: PeerId, transportId: string, _rtp: types.RtpParameters, options: { paused: boolean }): Promise<string> {
    this.#own(peerId, transportId);
    if (this.transports.get(transportId)?.direction !== 'send') throw new NotFoundError('This transport cannot send audio.');
    if ([...this.producers.values()].some((p) => p.peerId === peerId)) throw new SpacecraftError('LIMIT_EXCEEDED', 'A connection publishes one microphone.');
    const id = `p${++this.#next}`;
    this.producers.set(id, { peerId, paused: options.paused });
    return id;
  }

  async consume(peerId: PeerId, transportId: string, producerId: string): Promise<ConsumerParams> {
    await this.gate;
    this.#own(peerId, transportId);
    this.#assertOpen();
    return { consumerId: `c${++this.#next}`, producerId, kind: 'audio', rtpParameters: { codecs: [] } as unknown as types.RtpParameters };
  }

  async resumeConsumer(): Promise<void> {
    this.#assertOpen();
  }

  async setProducersPaused(peerId: PeerId, paused: boolean): Promise<void> {
    for (const producer of this.producers.values()) if (producer.peerId === peerId) producer.paused = paused;
  }

  closeSending(peerId: PeerId): void {
    for (const [id, t] of this.transports) if (t.peerId === peerId && t.direction === 'send') this.transports.delete(id);
    this.#closeProducers(peerId);
  }

  closePeer(peerId: PeerId): void {
    for (const [id, t] of this.transports) if (t.peerId === peerId) this.transports.delete(id);
    this.#closeProducers(peerId);
  }

  /** As the audio level observer would: these producers are loud now. */
  speak(producerIds: string[]): void {
    this.events.safeEmit('speaking', producerIds);
  }

  #closeProducers(peerId: PeerId): void {
    for (const [id, p] of this.producers) {
      if (p.peerId !== peerId) continue;
      this.producers.delete(id);
      this.events.safeEmit('producerClosed', id);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transports.clear();
    this.producers.clear();
    this.events.safeEmit('close');
  }

  #assertOpen(): void {
    // As mediasoup does on a closed router: the caller must turn this into a typed error or avoid it.
    if (this.closed) throw Object.assign(new Error('Router closed'), { name: 'InvalidStateError' });
  }

  #own(peerId: PeerId, transportId: string): void {
    if (this.transports.get(transportId)?.peerId !== peerId) throw new NotFoundError('No such transport for this connection.');
  }
}
