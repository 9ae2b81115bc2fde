/**
 * A Space on a relay or edge node: a router here fed over one PipeTransport from an upstream node
 * (the origin, or a relay), which edge listeners consume from and relays pipe further down.
 *
 * Each stage producer P of the Space is kept on the router under its own id by a direct producer
 * that never changes while P is on stage; what the pipe brings in is passed to it through a direct
 * consumer and an RtpSplice. So when the upstream dies and this node re-attaches to a standby, the
 * listeners' consumers stay as they are: they hear a short gap, not a new stream.
 *
 * `sync` (every heartbeat, with the Space as its origin last published it) re-attaches when the
 * upstream's heartbeat is gone, pipes producers that came on stage, drops those that left, and
 * ends the Space here when its origin says it ended or stopped publishing it.
 */
import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import type { CloseReason } from '../domain/space.ts';
import { InvalidStateError, NotFoundError } from '../errors.ts';
import { TypedEmitter } from '../lib/typed-emitter.ts';
import type { Logger } from '../logger.ts';
import { mediaCall, type MediaRoom } from '../media/media-room.ts';
import type { SpaceState } from '../signalling/protocol.ts';
import { SerialQueue } from '../spaces/serial-queue.ts';
import type { ClusterBus, PublishedSpace } from './cluster-bus.ts';
import type { PipeSource } from './pipe-server.ts';
import { endOf, pipedProducerSchema, pipeEndSchema, pipeTransportOptions } from './pipe-wire.ts';
import { RtpSplice } from './rtp-splice.ts';

export type FedSpaceDeps = {
  bus: ClusterBus;
  /** The room listeners use (a MediaRoom) and its router, which the pipes feed. */
  createRoom(): Promise<{ room: MediaRoom; router: types.Router }>;
  listen: { ip: string; announcedAddress: string | undefined };
  /** The node to pipe from, not one of `avoid` (which failed or died). */
  chooseUpstream(originId: string, avoid: ReadonlySet<string>): Promise<string>;
  logger: Logger;
};

export type FedSpaceEvents = {
  /** The state to show listeners here changed (only producers this node carries are named). */
  state: [SpaceState];
  ended: [reason: CloseReason];
  /** Re-attached to another upstream after the last one died: how long the feed was cut (ms, detection included). */
  reattached: [upstream: string, cutMs: number];
};

type Upstream = { nodeId: string; transport: types.PipeTransport };
/** A stage producer kept here under its own id, and what feeds it now (null while cut). */
type Kept = { producer: types.Producer; splice: RtpSplice; feed: { pipe: types.Producer; tap: types.Consumer } | null };

const ATTACH_TRIES = 3;

export class FedSpace implements PipeSource {
  readonly spaceId: string;
  readonly room: MediaRoom;
  readonly router: types.Router;
  readonly #direct: types.DirectTransport;
  readonly #deps: FedSpaceDeps;
  readonly #log: Logger;
  readonly #queue = new SerialQueue();
  readonly #events: TypedEmitter<FedSpaceEvents>;
  readonly #kept = new Map<string, Kept>();
  #upstream: Upstream | null = null;
  #published: PublishedSpace;
  #shown = '';
  /** When the upstream was found dead (to time the re-attach). */
  #cutAt: number | null = null;
  #closed = false;

  static async create(spaceId: string, published: PublishedSpace, deps: FedSpaceDeps): Promise<FedSpace> {
    const { room, router } = await deps.createRoom();
    let direct: types.DirectTransport;
    try {
      direct = await mediaCall('feed', () => router.createDirectTransport());
    } catch (error) {
      room.close();
      throw error;
    }
    const fed = new FedSpace(spaceId, published, room, router, direct, deps);
    try {
      await fed.sync(published);
    } catch (error) {
      fed.close();
      throw error;
    }
    return fed;
  }

  private constructor(spaceId: string, published: PublishedSpace, room: MediaRoom, router: types.Router, direct: types.DirectTransport, deps: FedSpaceDeps) {
    this.spaceId = spaceId;
    this.room = room;
    this.router = router;
    this.#direct = direct;
    this.#published = published;
    this.#deps = deps;
    this.#log = deps.logger.child({ module: 'fed-space', spaceId });
    this.#events = new TypedEmitter((error, event) => this.#log.error({ err: error, event }, 'fed Space listener failed'));
    router.observer.once('close', () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  get upstream(): string | null {
    return this.#upstream?.nodeId ?? null;
  }

  on<K extends keyof FedSpaceEvents>(event: K, listener: (...args: FedSpaceEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * The Space as listeners here see it: stage producers this node does not carry yet show as not
   * published. With a program stream, the host's seat carries the program and the other seats none
   * (their voices are in the mix): a listener consumes one stream.
   */
  state(): SpaceState {
    const fed = (id: string | null) => (id && this.#kept.get(id)?.feed ? id : null);
    const state = this.#published.state;
    const program = this.#published.programProducerId;
    if (program) {
      const carried = state.hostProducerId ? fed(program) : null;
      return { ...state, hostProducerId: carried, stage: state.stage.map((m) => ({ ...m, producerId: m.role === 'host' ? carried : null })) };
    }
    return { ...state, hostProducerId: fed(state.hostProducerId), stage: state.stage.map((m) => ({ ...m, producerId: fed(m.producerId) })) };
  }

  /** Brings this node in line with what the origin published (null: it published nothing in time). */
  sync(published: PublishedSpace | null): Promise<void> {
    return this.#queue.push(() => this.#sync(published));
  }

  ensureProducer(producerId: string): Promise<void> {
    return this.#queue.push(async () => {
      if (this.#closed) throw new InvalidStateError('This Space has ended here.', 'SPACE_ENDED');
      if (this.#kept.get(producerId)?.feed) return;
      if (!this.#wanted().has(producerId)) throw new NotFoundError('That producer is not on this Space\'s stage.');
      await this.#ensureUpstream();
      await this.#feed(producerId);
    });
  }

  async #sync(published: PublishedSpace | null): Promise<void> {
    if (this.#closed) return;
    if (published && published.state.status !== 'live') {
      this.#log.info({ reason: published.endReason }, 'Space ended upstream');
      this.close((published.endReason ?? 'server-shutdown') as CloseReason);
      return;
    }
    // The origin is gone (its heartbeat expired): the Space cannot go on.
    if (!(await this.#deps.bus.alive((published ?? this.#published).originId))) {
      this.#log.warn({ origin: this.#published.originId }, 'origin node gone; ending the Space here');
      this.close('server-shutdown');
      return;
    }
    // Not published in time, but its origin still beats: a slow origin, not a dead one (the next sync sees it).
    if (!published) return;
    this.#published = published;
    if (this.#upstream && !(await this.#deps.bus.alive(this.#upstream.nodeId))) {
      this.#log.warn({ upstream: this.#upstream.nodeId }, 'upstream node gone; re-attaching');
      this.#cutAt ??= Date.now();
      this.#dropUpstream();
    }
    const wanted = this.#wanted();
    for (const [id, kept] of this.#kept) {
      if (wanted.has(id)) continue;
      kept.producer.close();
      kept.feed?.pipe.close();
      this.#kept.delete(id);
    }
    const missing = [...wanted].filter((id) => !this.#kept.get(id)?.feed);
    if (missing.length) {
      await this.#ensureUpstream();
      for (const id of missing) {
        await this.#feed(id).catch((error: unknown) => this.#log.warn({ err: error, producerId: id }, 'could not pipe a stage producer (next sync tries again)'));
      }
      if (this.#cutAt !== null && [...this.#kept.values()].every((k) => k.feed)) {
        this.#events.safeEmit('reattached', this.#upstream!.nodeId, Date.now() - this.#cutAt);
        this.#cutAt = null;
      }
    }
    this.#show();
  }

  #wanted(): Set<string> {
    const program = this.#published.programProducerId;
    if (program) return new Set([program]);
    const state = this.#published.state;
    return new Set([state.hostProducerId, ...state.stage.map((m) => m.producerId)].filter((id): id is string => Boolean(id)));
  }

  #show(): void {
    const state = this.state();
    const text = JSON.stringify(state);
    if (text === this.#shown) return;
    this.#shown = text;
    this.#events.safeEmit('state', state);
  }

  async #ensureUpstream(): Promise<void> {
    if (this.#upstream) return;
    const avoid = new Set<string>();
    let last: unknown = null;
    for (let i = 0; i < ATTACH_TRIES; i++) {
      const to = await this.#deps.chooseUpstream(this.#published.originId, avoid);
      try {
        this.#upstream = await this.#attach(to);
        this.#log.info({ upstream: to }, 'attached');
        return;
      } catch (error) {
        last = error;
        avoid.add(to);
        this.#log.warn({ err: error, upstream: to }, 'could not attach to upstream');
      }
    }
    throw last;
  }

  async #attach(to: string): Promise<Upstream> {
    const transport = await mediaCall('pipe', () => this.router.createPipeTransport(pipeTransportOptions(this.#deps.listen)));
    try {
      const remote = pipeEndSchema.parse(await this.#deps.bus.call(to, 'openPipe', { spaceId: this.spaceId, ...endOf(transport) }));
      await mediaCall('pipe end', () => transport.connect(remote));
    } catch (error) {
      transport.close();
      throw error;
    }
    if (this.#closed) {
      transport.close();
      throw new InvalidStateError('This Space has ended here.', 'SPACE_ENDED');
    }
    const upstream = { nodeId: to, transport };
    transport.observer.once('close', () => {
      if (this.#upstream === upstream) this.#dropUpstream();
    });
    return upstream;
  }

  #dropUpstream(): void {
    const upstream = this.#upstream;
    this.#upstream = null;
    for (const kept of this.#kept.values()) {
      kept.feed = null;
      kept.splice.newSource();
    }
    upstream?.transport.close();
  }

  /** Pipes `producerId` from the upstream and feeds the producer kept under that id (made on first use). */
  async #feed(producerId: string): Promise<void> {
    const upstream = this.#upstream;
    if (!upstream) throw new InvalidStateError('Not attached upstream.');
    const params = pipedProducerSchema.parse(await this.#deps.bus.call(upstream.nodeId, 'pipeProducer', { spaceId: this.spaceId, producerId }));
    // Unpaused here: the upstream's consumer follows its producer's pause, so a muted host sends nothing anyway.
    const pipe = await mediaCall('piped producer', () => upstream.transport.produce({ kind: 'audio', rtpParameters: params.rtpParameters, paused: false }));
    let tap: types.Consumer;
    try {
      tap = await mediaCall('feed', () => this.#direct.consume({ producerId: pipe.id, rtpCapabilities: this.router.rtpCapabilities }));
    } catch (error) {
      pipe.close();
      throw error;
    }
    let kept = this.#kept.get(producerId);
    if (!kept) {
      const splice = new RtpSplice(randomInt(1, 2 ** 32 - 1));
      const producer = await mediaCall('feed', () =>
        this.#direct.produce({ id: producerId, kind: 'audio', rtpParameters: { codecs: tap.rtpParameters.codecs, encodings: [{ ssrc: splice.ssrc }] } }),
      );
      kept = { producer, splice, feed: null };
      this.#kept.set(producerId, kept);
    }
    if (this.#closed || this.#upstream !== upstream) {
      pipe.close();
      throw new InvalidStateError('The upstream changed while piping.');
    }
    const target = kept;
    tap.on('rtp', (packet) => {
      if (target.feed?.tap === tap && target.splice.rewrite(packet) && !target.producer.closed) target.producer.send(packet);
    });
    pipe.observer.once('close', () => {
      if (target.feed?.pipe === pipe) target.feed = null;
    });
    target.feed = { pipe, tap };
  }

  /** Ends the Space on this node (its listeners are told `reason`). */
  close(reason: CloseReason = 'server-shutdown'): void {
    if (this.#closed) return;
    this.#closed = true;
    const upstream = this.#upstream;
    this.#upstream = null;
    if (upstream) void this.#deps.bus.call(upstream.nodeId, 'closePipe', { spaceId: this.spaceId }, 2000).catch(() => undefined);
    this.room.close();
    this.#kept.clear();
    this.#events.safeEmit('ended', reason);
    this.#events.removeAllListeners();
  }
}
