/**
 * The mediasoup workers of this server: one per core, each with a WebRtcServer
 * (one UDP/TCP port per worker instead of one per transport). Routers are
 * handed out round-robin. A worker that dies is replaced, and the rooms it
 * carried end cleanly (their routers close with the worker).
 */
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { SpacecraftError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export type WorkerPoolOptions = {
  size: number;
  listenIp: string;
  announcedAddress: string | undefined;
  /** First port; worker i listens on port + i. 0 picks free ports. */
  port: number;
  logger: Logger;
};

export type PooledWorker = { worker: types.Worker; webRtcServer: types.WebRtcServer; index: number };

export const AUDIO_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 0 } },
];

export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #log: Logger;
  readonly #workers: PooledWorker[] = [];
  #next = 0;
  /** Listeners placed per worker index, across Spaces. */
  readonly #load = new Map<number, number>();
  #closed = false;

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      for (let i = 0; i < options.size; i++) pool.#workers.push(await pool.#spawn(i));
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  private constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#log = options.logger.child({ module: 'worker-pool' });
  }

  get size(): number {
    return this.#workers.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The next worker, round-robin. */
  next(): PooledWorker {
    if (this.#closed || this.#workers.length === 0) throw new SpacecraftError('UNAVAILABLE', 'The server cannot carry a Space right now: no media worker is running.');
    const pooled = this.#workers[this.#next % this.#workers.length]!;
    this.#next = (this.#next + 1) % this.#workers.length;
    return pooled;
  }

  /** Every running worker (a Space spreads its listeners over them: server/media/space-fanout.ts). */
  get workers(): readonly PooledWorker[] {
    return this.#workers;
  }

  /** The worker carrying the fewest listeners placed with `addLoad` (ties: the lowest index). */
  leastLoaded(): PooledWorker {
    if (this.#closed || this.#workers.length === 0) throw new SpacecraftError('UNAVAILABLE', 'The server cannot carry a Space right now: no media worker is running.');
    let best = this.#workers[0]!;
    for (const pooled of this.#workers) if ((this.#load.get(pooled.index) ?? 0) < (this.#load.get(best.index) ?? 0)) best = pooled;
    return best;
  }

  /** Counts listeners placed on (positive) or gone from (negative) a worker. */
  addLoad(index: number, delta: number): void {
    this.#load.set(index, Math.max(0, (this.#load.get(index) ?? 0) + delta));
  }

  async #spawn(index: number): Promise<PooledWorker> {
    const worker = await mediasoup.createWorker({ logLevel: 'warn', appData: { index } });
    const { listenIp, announcedAddress, port } = this.#options;
    const listen = (protocol: 'udp' | 'tcp'): types.TransportListenInfo => ({
      protocol,
      ip: listenIp,
      ...(announcedAddress ? { announcedAddress } : {}),
      ...(port ? { port: port + index } : {}),
    });
    const webRtcServer = await worker.createWebRtcServer({ listenInfos: [listen('udp'), listen('tcp')] });
    worker.on('died', (error) => void this.#handleDied(index, worker, error));
    this.#log.info({ pid: worker.pid, index, ports: webRtcServer.appData }, 'worker started');
    return { worker, webRtcServer, index };
  }

  async #handleDied(index: number, worker: types.Worker, error: Error): Promise<void> {
    // Its routers close with it, and each LiveSpace on it ends with 'media-failure'.
    this.#log.error({ pid: worker.pid, index, err: error }, 'worker died');
    if (this.#closed) return;
    try {
      const replacement = await this.#spawn(index);
      const at = this.#workers.findIndex((w) => w.worker === worker);
      if (this.#closed) replacement.worker.close();
      else if (at >= 0) this.#workers[at] = replacement;
    } catch (spawnError) {
      this.#log.error({ err: spawnError, index }, 'could not replace dead worker');
      const at = this.#workers.findIndex((w) => w.worker === worker);
      if (at >= 0) this.#workers.splice(at, 1);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { worker } of this.#workers) worker.close();
    this.#workers.length = 0;
  }
}
