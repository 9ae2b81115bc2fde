/**
 * A Space that is on air: its rules (domain/space.ts), its media (MediaRoom)
 * and the connections in it. Every change runs through one queue per Space,
 * so two requests never interleave halfway.
 */
import type { types } from 'mediasoup';
import {
  addListener,
  assertMayPublish,
  endSpace,
  removeListener,
  setHostMuted,
  startSpace,
  type CloseReason,
  type PeerId,
  type Space,
  type SpaceId,
} from '../domain/space.ts';
import { InvalidStateError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { MediaRoom } from '../media/media-room.ts';
import type { WorkerPool } from '../media/worker-pool.ts';
import type { SpaceState } from '../signalling/protocol.ts';
import { SerialQueue } from './serial-queue.ts';
import type { SpacePeer } from './space-peer.ts';

export class LiveSpace {
  readonly media: MediaRoom;
  readonly #queue = new SerialQueue();
  readonly #peers = new Map<PeerId, SpacePeer>();
  readonly #endListeners = new Set<(state: SpaceState) => void>();
  readonly #log: Logger;
  #space: Space;
  #hostProducer: types.Producer | null = null;

  static async create(input: { id: SpaceId; title: string; host: SpacePeer; pool: WorkerPool; logger: Logger }): Promise<LiveSpace> {
    const media = await MediaRoom.create(input.pool);
    const space = startSpace({ id: input.id, title: input.title, hostPeerId: input.host.id, now: Date.now() });
    return new LiveSpace(space, media, input.host, input.logger);
  }

  private constructor(space: Space, media: MediaRoom, host: SpacePeer, logger: Logger) {
    this.#space = space;
    this.media = media;
    this.#peers.set(host.id, host);
    this.#log = logger.child({ module: 'live-space', spaceId: space.id });
    media.onClose(() => void this.end('server', 'media-failure').catch(() => undefined));
  }

  get id(): SpaceId {
    return this.#space.id;
  }

  get space(): Space {
    return this.#space;
  }

  state(): SpaceState {
    const s = this.#space;
    return {
      spaceId: s.id,
      title: s.title,
      status: s.status,
      listenerCount: s.listeners.size,
      hostMuted: s.hostMuted,
      hostProducerId: this.#hostProducer?.id ?? null,
    };
  }

  onEnd(listener: (state: SpaceState) => void): void {
    this.#endListeners.add(listener);
  }

  join(peer: SpacePeer): Promise<SpaceState> {
    return this.#queue.push(() => {
      this.#space = addListener(this.#space, peer.id);
      this.#peers.set(peer.id, peer);
      this.#broadcastState();
      return this.state();
    });
  }

  leave(peerId: PeerId): Promise<void> {
    return this.#queue.push(async () => {
      if (this.#space.status !== 'live' || !this.#peers.has(peerId)) return;
      if (peerId === this.#space.hostPeerId) {
        await this.#end('server', 'host-left');
        return;
      }
      this.#peers.delete(peerId);
      this.media.closePeer(peerId);
      this.#space = removeListener(this.#space, peerId);
      this.#broadcastState();
    });
  }

  produce(peerId: PeerId, transportId: string, rtpParameters: types.RtpParameters): Promise<string> {
    return this.#queue.push(async () => {
      assertMayPublish(this.#space, peerId);
      if (this.#hostProducer && !this.#hostProducer.closed) throw new InvalidStateError('The host is already publishing audio.');
      const producer = await this.media.produce(peerId, transportId, rtpParameters);
      if (this.#space.hostMuted) await producer.pause();
      this.#hostProducer = producer;
      producer.observer.once('close', () => {
        if (this.#hostProducer === producer) this.#hostProducer = null;
      });
      this.#log.info({ producerId: producer.id }, 'host producing');
      this.#broadcastState();
      return producer.id;
    });
  }

  setMuted(peerId: PeerId, muted: boolean): Promise<void> {
    return this.#queue.push(async () => {
      this.#space = setHostMuted(this.#space, peerId, muted);
      await this.media.setProducersPaused(peerId, muted);
      this.#broadcastState();
    });
  }

  end(by: PeerId | 'server', reason: CloseReason): Promise<void> {
    return this.#queue.push(() => this.#end(by, reason));
  }

  async #end(by: PeerId | 'server', reason: CloseReason): Promise<void> {
    if (this.#space.status === 'ended') return;
    this.#space = endSpace(this.#space, by, reason, Date.now());
    this.#log.info({ reason }, 'space ended');
    const peers = [...this.#peers.values()];
    this.#peers.clear();
    for (const peer of peers) {
      peer.notify('spaceEnded', { spaceId: this.#space.id, reason });
      peer.detach();
    }
    this.media.close();
    const state = this.state();
    for (const listener of this.#endListeners) listener(state);
    this.#endListeners.clear();
  }

  #broadcastState(): void {
    const state = this.state();
    for (const peer of this.#peers.values()) peer.notify('spaceState', state);
  }
}
