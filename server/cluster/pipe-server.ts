/**
 * The upstream side of pipes between nodes: for each downstream node and Space one PipeTransport
 * on the Space's router here (the origin's stage router, or a relay's fed router), and on it one
 * consumer per producer the downstream asked for. A downstream that asks again replaces its pipe
 * (it re-attached); one whose heartbeat is gone has its pipes closed by `sweep`.
 */
import type { types } from 'mediasoup';
import { InvalidStateError, NotFoundError, SpacecraftError, ValidationError } from '../errors.ts';
import { safeParse } from '../lib/safe-parse.ts';
import type { Logger } from '../logger.ts';
import { mediaCall } from '../media/media-room.ts';
import type { ClusterBus } from './cluster-bus.ts';
import { closePipeSchema, endOf, openPipeSchema, pipeProducerSchema, pipeTransportOptions, type PipeEnd, type PipedProducer } from './pipe-wire.ts';

/** What a Space offers to pipe out on this node. */
export type PipeSource = {
  router: types.Router;
  /** Resolves once `producerId` is on `router` (a relay may first have to pipe it in); NOT_FOUND if the Space has no such producer. */
  ensureProducer(producerId: string): Promise<void>;
};

/** Pipes per Space this node serves at most (downstream nodes of one Space). */
export const MAX_PIPES_PER_SPACE = 1000;
/** Producers per pipe at most (the stage's seats, or one program). */
export const MAX_PRODUCERS_PER_PIPE = 16;

type Pipe = { spaceId: string; to: string; transport: types.PipeTransport; consumers: Map<string, types.Consumer> };

export class PipeServer {
  readonly #bus: ClusterBus;
  readonly #sourceOf: (spaceId: string) => Promise<PipeSource>;
  readonly #listen: { ip: string; announcedAddress: string | undefined };
  readonly #log: Logger;
  readonly #pipes = new Map<string, Pipe>();
  #closed = false;

  constructor(deps: { bus: ClusterBus; sourceOf: (spaceId: string) => Promise<PipeSource>; listen: { ip: string; announcedAddress: string | undefined }; logger: Logger }) {
    this.#bus = deps.bus;
    this.#sourceOf = deps.sourceOf;
    this.#listen = deps.listen;
    this.#log = deps.logger.child({ module: 'pipe-server' });
    deps.bus.handle('openPipe', (data, from) => this.#open(data, from));
    deps.bus.handle('pipeProducer', (data, from) => this.#pipeProducer(data, from));
    deps.bus.handle('closePipe', async (data, from) => {
      const parsed = safeParse(closePipeSchema, data);
      if (!parsed.success) throw new ValidationError('Invalid closePipe request.');
      this.#pipes.get(keyOf(parsed.data.spaceId, from))?.transport.close();
      return {};
    });
  }

  /** Downstream pipes open now (for heartbeats and tests). */
  get size(): number {
    return this.#pipes.size;
  }

  /** Downstream pipes of one Space. */
  pipesOf(spaceId: string): number {
    let n = 0;
    for (const pipe of this.#pipes.values()) if (pipe.spaceId === spaceId) n++;
    return n;
  }

  async #open(data: unknown, from: string): Promise<PipeEnd> {
    if (this.#closed) throw new InvalidStateError('This node is shutting down.');
    const parsed = safeParse(openPipeSchema, data);
    if (!parsed.success) throw new ValidationError('Invalid openPipe request.');
    const { spaceId, ...remote } = parsed.data;
    const source = await this.#sourceOf(spaceId);
    const key = keyOf(spaceId, from);
    this.#pipes.get(key)?.transport.close();
    if (this.pipesOf(spaceId) >= MAX_PIPES_PER_SPACE) throw new SpacecraftError('LIMIT_EXCEEDED', `A Space is piped to at most ${MAX_PIPES_PER_SPACE} nodes from one node.`);
    const transport = await mediaCall('pipe', () => source.router.createPipeTransport(pipeTransportOptions(this.#listen)));
    try {
      await mediaCall('pipe end', () => transport.connect(remote));
    } catch (error) {
      transport.close();
      throw error;
    }
    const pipe: Pipe = { spaceId, to: from, transport, consumers: new Map() };
    this.#pipes.set(key, pipe);
    transport.observer.once('close', () => {
      if (this.#pipes.get(key) === pipe) this.#pipes.delete(key);
    });
    this.#log.debug({ spaceId, to: from }, 'pipe opened');
    return endOf(transport);
  }

  async #pipeProducer(data: unknown, from: string): Promise<PipedProducer> {
    const parsed = safeParse(pipeProducerSchema, data);
    if (!parsed.success) throw new ValidationError('Invalid pipeProducer request.');
    const { spaceId, producerId } = parsed.data;
    const pipe = this.#pipes.get(keyOf(spaceId, from));
    if (!pipe) throw new NotFoundError('Open a pipe for this Space first.');
    const source = await this.#sourceOf(spaceId);
    await source.ensureProducer(producerId);
    pipe.consumers.get(producerId)?.close();
    if (pipe.consumers.size >= MAX_PRODUCERS_PER_PIPE) throw new SpacecraftError('LIMIT_EXCEEDED', `A pipe carries at most ${MAX_PRODUCERS_PER_PIPE} producers.`);
    const consumer = await mediaCall('pipe consumer', () => pipe.transport.consume({ producerId }));
    if (pipe.transport.closed) {
      consumer.close();
      throw new InvalidStateError('The pipe closed while its producer was being added.');
    }
    pipe.consumers.set(producerId, consumer);
    consumer.observer.once('close', () => {
      if (pipe.consumers.get(producerId) === consumer) pipe.consumers.delete(producerId);
    });
    return { kind: 'audio', rtpParameters: consumer.rtpParameters, paused: consumer.producerPaused };
  }

  /** Closes the pipes to nodes whose heartbeat is gone. */
  async sweep(): Promise<void> {
    const targets = new Set([...this.#pipes.values()].map((p) => p.to));
    for (const to of targets) {
      if (await this.#bus.alive(to)) continue;
      this.#log.info({ to }, 'downstream node gone; closing its pipes');
      for (const pipe of [...this.#pipes.values()]) if (pipe.to === to) pipe.transport.close();
    }
  }

  close(): void {
    this.#closed = true;
    for (const pipe of [...this.#pipes.values()]) pipe.transport.close();
    this.#pipes.clear();
  }
}

const keyOf = (spaceId: string, node: string) => `${spaceId}\n${node}`;
