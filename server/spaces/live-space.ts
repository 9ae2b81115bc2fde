/**
 * A Space that is on air: its rules (domain/space.ts), its media (the
 * SpaceMedia port) and the connections in it. Every change, media requests
 * included, runs through one queue per Space, so two requests never
 * interleave halfway and nothing races the end.
 *
 * State reaches the peers coalesced: at most one `spaceState` per
 * `stateIntervalMs`, serialised once for everybody.
 */
import { randomBytes } from 'node:crypto';
import type { types } from 'mediasoup';
import {
  addListener,
  assertMayPublish,
  endSpace,
  hostDisconnected,
  hostReturned,
  removeListener,
  setHostMuted,
  startSpace,
  type CloseReason,
  type PeerId,
  type Space,
  type SpaceId,
} from '../domain/space.ts';
import { InvalidStateError, NotFoundError, PermissionError } from '../errors.ts';
import { TypedEmitter } from '../lib/typed-emitter.ts';
import type { Logger } from '../logger.ts';
import { sameSecret } from '../secret.ts';
import { encodeNotification, type SpaceState, type TransportOptions } from '../signalling/protocol.ts';
import { SerialQueue } from './serial-queue.ts';
import type { ConsumerParams, SpaceMedia } from './space-media.ts';
import type { SpacePeer } from './space-peer.ts';

export type LiveSpaceOptions = {
  /** At most one state notification per this many ms. */
  stateIntervalMs: number;
  /** How long a host whose connection dropped may take to come back; 0 ends the Space at once. */
  hostGraceMs: number;
};

export type LiveSpaceEvents = { ended: [state: SpaceState] };

export class LiveSpace {
  readonly media: SpaceMedia;
  /** Lets the host take the Space back on a new connection after a drop. Given only to the host. */
  readonly hostKey = randomBytes(24).toString('base64url');
  readonly #options: LiveSpaceOptions;
  readonly #queue = new SerialQueue();
  readonly #peers = new Map<PeerId, SpacePeer>();
  readonly #events: TypedEmitter<LiveSpaceEvents>;
  readonly #log: Logger;
  #space: Space;
  #hostProducerId: string | null = null;
  #stateTimer: NodeJS.Timeout | null = null;
  #lastStateAt = 0;
  #graceTimer: NodeJS.Timeout | null = null;

  constructor(input: { id: SpaceId; title: string; host: SpacePeer; media: SpaceMedia; logger: Logger; options: LiveSpaceOptions }) {
    this.#space = startSpace({ id: input.id, title: input.title, hostPeerId: input.host.id, now: Date.now() });
    this.media = input.media;
    this.#options = input.options;
    this.#peers.set(input.host.id, input.host);
    this.#log = input.logger.child({ module: 'live-space', spaceId: input.id });
    this.#events = new TypedEmitter((error, event) => this.#log.error({ err: error, event }, 'space listener failed'));
    this.media.on('close', () => void this.end('server', 'media-failure').catch((error: unknown) => this.#log.error({ err: error }, 'end failed')));
    this.media.on('producerClosed', (producerId) => {
      if (producerId !== this.#hostProducerId) return;
      this.#hostProducerId = null;
      this.#stateChanged();
    });
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
      listenerCount: s.listenerCount,
      hostConnected: s.hostConnected,
      hostMuted: s.hostMuted,
      hostProducerId: this.#hostProducerId,
    };
  }

  on<K extends keyof LiveSpaceEvents>(event: K, listener: (...args: LiveSpaceEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  join(peer: SpacePeer): Promise<SpaceState> {
    return this.#queue.push(() => {
      if (this.#peers.has(peer.id)) throw new InvalidStateError('This connection is already in the Space.');
      this.#space = addListener(this.#space, peer.id);
      this.#peers.set(peer.id, peer);
      this.#stateChanged();
      return this.state();
    });
  }

  /** The host comes back on a new connection with the key it was given. */
  resume(peer: SpacePeer, hostKey: string): Promise<SpaceState> {
    return this.#queue.push(() => {
      if (!sameSecret(hostKey, this.hostKey)) throw new PermissionError('That is not the key of this Space.');
      this.#space = hostReturned(this.#space, peer.id);
      if (this.#graceTimer) clearTimeout(this.#graceTimer);
      this.#graceTimer = null;
      this.#peers.set(peer.id, peer);
      this.#log.info('host came back');
      this.#stateChanged();
      return this.state();
    });
  }

  leave(peerId: PeerId): Promise<void> {
    return this.#queue.push(async () => {
      if (this.#space.status !== 'live' || !this.#peers.has(peerId)) return;
      this.#peers.delete(peerId);
      this.media.closePeer(peerId);
      if (peerId === this.#space.hostPeerId) {
        this.#hostLeft();
        return;
      }
      this.#space = removeListener(this.#space);
      this.#stateChanged();
    });
  }

  createTransport(peerId: PeerId, direction: 'send' | 'recv'): Promise<TransportOptions> {
    return this.#queue.push(() => {
      this.#assertMember(peerId);
      if (direction === 'send') assertMayPublish(this.#space, peerId);
      return this.media.createTransport(peerId, direction);
    });
  }

  connectTransport(peerId: PeerId, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    return this.#queue.push(() => {
      this.#assertMember(peerId);
      return this.media.connectTransport(peerId, transportId, dtlsParameters);
    });
  }

  produce(peerId: PeerId, transportId: string, rtpParameters: types.RtpParameters): Promise<string> {
    return this.#queue.push(async () => {
      this.#assertMember(peerId);
      assertMayPublish(this.#space, peerId);
      if (this.#hostProducerId) throw new InvalidStateError('The host is already publishing audio.');
      const producerId = await this.media.produce(peerId, transportId, rtpParameters, { paused: this.#space.hostMuted });
      this.#hostProducerId = producerId;
      this.#log.info({ producerId }, 'host producing');
      this.#stateChanged();
      return producerId;
    });
  }

  consume(peerId: PeerId, transportId: string, producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerParams> {
    return this.#queue.push(() => {
      this.#assertMember(peerId);
      return this.media.consume(peerId, transportId, producerId, rtpCapabilities);
    });
  }

  resumeConsumer(peerId: PeerId, consumerId: string): Promise<void> {
    return this.#queue.push(() => {
      this.#assertMember(peerId);
      return this.media.resumeConsumer(peerId, consumerId);
    });
  }

  setMuted(peerId: PeerId, muted: boolean): Promise<void> {
    return this.#queue.push(async () => {
      this.#space = setHostMuted(this.#space, peerId, muted);
      await this.media.setProducersPaused(peerId, muted);
      this.#stateChanged();
    });
  }

  end(by: PeerId | 'server', reason: CloseReason): Promise<void> {
    return this.#queue.push(() => this.#end(by, reason));
  }

  #assertMember(peerId: PeerId): void {
    if (this.#space.status !== 'live') throw new InvalidStateError('This Space has ended.', 'SPACE_ENDED');
    if (!this.#peers.has(peerId)) throw new NotFoundError('This connection is not in the Space.');
  }

  #hostLeft(): void {
    this.#space = hostDisconnected(this.#space);
    if (this.#options.hostGraceMs === 0) {
      this.#end('server', 'host-left');
      return;
    }
    this.#log.info({ graceMs: this.#options.hostGraceMs }, 'host disconnected; waiting for the host to come back');
    this.#graceTimer = setTimeout(() => {
      this.#graceTimer = null;
      void this.#queue.push(() => {
        if (!this.#space.hostConnected) this.#end('server', 'host-left');
      });
    }, this.#options.hostGraceMs);
    this.#stateChanged();
  }

  #end(by: PeerId | 'server', reason: CloseReason): void {
    if (this.#space.status === 'ended') return;
    this.#space = endSpace(this.#space, by, reason, Date.now());
    this.#log.info({ reason }, 'space ended');
    for (const timer of [this.#stateTimer, this.#graceTimer]) if (timer) clearTimeout(timer);
    this.#stateTimer = this.#graceTimer = null;
    const frame = encodeNotification('spaceEnded', { spaceId: this.#space.id, reason });
    const peers = [...this.#peers.values()];
    this.#peers.clear();
    for (const peer of peers) {
      peer.send(frame);
      peer.detach();
    }
    this.media.close();
    this.#hostProducerId = null;
    this.#events.safeEmit('ended', this.state());
    this.#events.removeAllListeners();
  }

  /** Something peers see changed: send the state now if the last one went out long enough ago, else once the interval is up. */
  #stateChanged(): void {
    if (this.#stateTimer || this.#space.status !== 'live') return;
    const wait = this.#lastStateAt + this.#options.stateIntervalMs - Date.now();
    if (wait <= 0) this.#sendState();
    else this.#stateTimer = setTimeout(() => this.#sendState(), wait);
  }

  #sendState(): void {
    this.#stateTimer = null;
    if (this.#space.status !== 'live') return;
    this.#lastStateAt = Date.now();
    const frame = encodeNotification('spaceState', this.state());
    for (const peer of this.#peers.values()) peer.send(frame);
  }
}
