/**
 * A Space spread over every worker of this node: the stage (and the program) produce on the
 * Space's own router (its origin worker); each listener is placed on the least-loaded worker of
 * the pool, in a router of this Space on that worker, and what it consumes is piped there with
 * `router.pipeToRouter` once per producer and worker (mediasoup pipes the pause, resume and close
 * of the original along). A Space is no longer capped by one core.
 *
 * One router per worker and Space, made when the first listener lands on it; the pipe of a
 * producer is made by the first consumer that needs it and shared by every later one. Closing the
 * fanout (the Space ended) closes every router it made; the origin router is its owner's.
 */
import type { types } from 'mediasoup';
import type { Logger } from '../logger.ts';
import { AUDIO_CODECS, type PooledWorker, type WorkerPool } from './worker-pool.ts';

export type Placement = { router: types.Router; webRtcServer: types.WebRtcServer; workerIndex: number };

export class SpaceFanout {
  readonly #origin: types.Router;
  readonly #originWorker: types.Worker;
  readonly #pool: WorkerPool;
  readonly #log: Logger;
  /** This Space's router per worker (the origin's included), made once. */
  readonly #routers = new Map<types.Worker, Promise<types.Router>>();
  /** Pipes made, per router id: producer id → the pipe being made or made. */
  readonly #pipes = new Map<string, Map<string, Promise<void>>>();
  #closed = false;

  constructor(origin: types.Router, originWorker: types.Worker, pool: WorkerPool, logger: Logger) {
    this.#origin = origin;
    this.#originWorker = originWorker;
    this.#pool = pool;
    this.#log = logger.child({ module: 'space-fanout', routerId: origin.id });
    this.#routers.set(originWorker, Promise.resolve(origin));
    origin.observer.once('close', () => this.close());
  }

  /** Routers of this Space on other workers (the origin not included). */
  get spreadRouters(): number {
    return this.#routers.size - 1;
  }

  /** Where a new listener goes: this Space's router on the least-loaded worker (counted as one more listener there). */
  async place(): Promise<Placement> {
    const pooled = this.#pool.leastLoaded();
    const router = await this.#routerOn(pooled);
    this.#pool.addLoad(pooled.index, 1);
    return { router, webRtcServer: pooled.webRtcServer, workerIndex: pooled.index };
  }

  /** A listener placed by `place` left. */
  release(workerIndex: number): void {
    this.#pool.addLoad(workerIndex, -1);
  }

  /** Makes `producerId` (a producer of the origin router) consumable on `router` (idempotent, shared by concurrent callers). */
  async pipe(producerId: string, router: types.Router): Promise<void> {
    if (router === this.#origin) return;
    let pipes = this.#pipes.get(router.id);
    if (!pipes) this.#pipes.set(router.id, (pipes = new Map()));
    let piping = pipes.get(producerId);
    if (!piping) {
      piping = this.#origin.pipeToRouter({ producerId, router }).then(({ pipeProducer }) => {
        pipeProducer?.observer.once('close', () => pipes.delete(producerId));
      });
      pipes.set(producerId, piping);
      piping.catch(() => pipes.delete(producerId));
    }
    await piping;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [worker, router] of this.#routers) {
      if (worker === this.#originWorker) continue;
      void router.then((r) => r.close()).catch(() => undefined);
    }
    this.#routers.clear();
    this.#pipes.clear();
  }

  #routerOn(pooled: PooledWorker): Promise<types.Router> {
    let router = this.#routers.get(pooled.worker);
    if (!router) {
      router = pooled.worker.createRouter({ mediaCodecs: AUDIO_CODECS, appData: { fanoutOf: this.#origin.id } });
      this.#routers.set(pooled.worker, router);
      router.then(
        (made) => {
          if (this.#closed) made.close();
          else this.#log.info({ workerIndex: pooled.index, routerId: made.id }, 'space spread to another worker');
          made.observer.once('close', () => {
            if (this.#routers.get(pooled.worker) === router) this.#routers.delete(pooled.worker);
          });
        },
        () => this.#routers.delete(pooled.worker),
      );
    }
    return router;
  }
}
