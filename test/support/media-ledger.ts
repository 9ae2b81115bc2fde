/**
 * Holds every mediasoup object created in this process (through mediasoup's
 * observer API), so that a test can ask the worker itself what is still alive:
 * `worker.dump()` → routers and WebRtcServers, `router.dump()` → transports and
 * the producer → consumers map, `transport.dump()` → producers and consumers,
 * `webRtcServer.dump()` → the WebRtcTransports it still serves.
 *
 * The dumps are the truth; the objects held here only let the test call them
 * (a dump cannot hand back the Router it describes).
 */
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';

export type MediaKind = 'worker' | 'webRtcServer' | 'router' | 'transport' | 'producer' | 'consumer';
export type MediaEvent = { kind: MediaKind; id: string; what: 'new' | 'close' | 'pause' | 'resume'; at: number };

/** What the worker reports alive, router by router. */
export type Census = {
  workerPid: number;
  routers: CensusRouter[];
  /** Transports the WebRtcServer still serves (whatever router they belong to). */
  webRtcServerTransportIds: string[];
};
export type CensusRouter = {
  id: string;
  transports: CensusTransport[];
  /** Consumers by the producer they consume (router.dump's map). */
  consumersByProducer: Map<string, string[]>;
};
export type CensusTransport = { id: string; producerIds: string[]; consumerIds: string[]; dump: types.WebRtcTransportDump | null };

export class MediaLedger {
  readonly events: MediaEvent[] = [];
  readonly #workers: types.Worker[] = [];
  readonly #routers = new Map<string, types.Router>();
  readonly #transports = new Map<string, types.WebRtcTransport>();
  readonly #routerOfTransport = new Map<string, string>();
  readonly #webRtcServers = new Map<string, types.WebRtcServer>();

  readonly #onWorker = (worker: types.Worker): void => {
    this.#workers.push(worker);
    this.#event('worker', String(worker.pid), 'new');
    worker.observer.on('newwebrtcserver', (server) => {
      this.#webRtcServers.set(server.id, server);
      this.#event('webRtcServer', server.id, 'new');
    });
    worker.observer.on('newrouter', (router) => this.#onRouter(router));
  };

  /** Starts watching: call before the server under test starts its workers. */
  start(): void {
    mediasoup.observer.on('newworker', this.#onWorker);
  }

  stop(): void {
    mediasoup.observer.off('newworker', this.#onWorker);
  }

  /** The newest worker that is still open (the test server runs one). */
  worker(): types.Worker {
    const worker = this.#workers.findLast((w) => !w.closed && !w.died);
    if (!worker) throw new Error('no live mediasoup worker in this process');
    return worker;
  }

  /** When the last media object was created, closed, paused or resumed (0 if never). */
  get lastEventAt(): number {
    return this.events.at(-1)?.at ?? 0;
  }

  eventsSince(at: number): MediaEvent[] {
    return this.events.filter((e) => e.at >= at);
  }

  router(id: string): types.Router | undefined {
    return this.#routers.get(id);
  }

  transport(id: string): types.WebRtcTransport | undefined {
    return this.#transports.get(id);
  }

  routerOfTransport(transportId: string): string | undefined {
    return this.#routerOfTransport.get(transportId);
  }

  /** Everything the live worker reports alive, asked of the worker itself. */
  async census(): Promise<Census> {
    const worker = this.worker();
    const dump = await worker.dump();
    const routers: CensusRouter[] = [];
    for (const routerId of dump.routerIds) {
      const router = this.#routers.get(routerId);
      if (!router) {
        routers.push({ id: `${routerId} (not seen by the observer)`, transports: [], consumersByProducer: new Map() });
        continue;
      }
      const routerDump = await dumpUnlessClosed(router);
      if (!routerDump) continue; // closed between the worker's dump and this one
      const transports: CensusTransport[] = [];
      for (const transportId of routerDump.transportIds) {
        const transport = this.#transports.get(transportId);
        const transportDump = transport ? await dumpUnlessClosed(transport) : null;
        if (transport && !transportDump) continue;
        transports.push({
          id: transport ? transportId : `${transportId} (not seen by the observer)`,
          producerIds: transportDump?.producerIds ?? [],
          consumerIds: transportDump?.consumerIds ?? [],
          dump: transportDump,
        });
      }
      const consumersByProducer = new Map(routerDump.mapProducerIdConsumerIds.map(({ key, values }) => [key, values]));
      routers.push({ id: routerId, transports, consumersByProducer });
    }
    const webRtcServerTransportIds: string[] = [];
    for (const serverId of dump.webRtcServerIds) {
      const server = this.#webRtcServers.get(serverId);
      const serverDump = server ? await dumpUnlessClosed(server) : null;
      webRtcServerTransportIds.push(...(serverDump?.webRtcTransportIds ?? []));
    }
    return { workerPid: dump.pid, routers, webRtcServerTransportIds };
  }

  #onRouter(router: types.Router): void {
    this.#routers.set(router.id, router);
    this.#event('router', router.id, 'new');
    router.observer.once('close', () => this.#event('router', router.id, 'close'));
    router.observer.on('newtransport', (transport) => {
      const webRtc = transport as types.WebRtcTransport;
      this.#transports.set(transport.id, webRtc);
      this.#routerOfTransport.set(transport.id, router.id);
      this.#event('transport', transport.id, 'new');
      transport.observer.once('close', () => this.#event('transport', transport.id, 'close'));
      transport.observer.on('newproducer', (producer) => {
        this.#event('producer', producer.id, 'new');
        producer.observer.once('close', () => this.#event('producer', producer.id, 'close'));
      });
      transport.observer.on('newconsumer', (consumer) => {
        this.#event('consumer', consumer.id, 'new');
        consumer.observer.once('close', () => this.#event('consumer', consumer.id, 'close'));
        consumer.observer.on('pause', () => this.#event('consumer', consumer.id, 'pause'));
        consumer.observer.on('resume', () => this.#event('consumer', consumer.id, 'resume'));
      });
    });
  }

  #event(kind: MediaKind, id: string, what: MediaEvent['what']): void {
    this.events.push({ kind, id, what, at: performance.now() });
  }
}

/** A dump, or null when the object closed before (or while) the worker answered. */
async function dumpUnlessClosed<T>(object: { closed: boolean; dump(): Promise<T> }): Promise<T | null> {
  if (object.closed) return null;
  try {
    return await object.dump();
  } catch (error) {
    if (object.closed) return null;
    throw error;
  }
}

/** One line per router: `router <id> { transport <id> [producers …; consumers …] }`. */
export function describeRouter(router: CensusRouter): string {
  const transports = router.transports.map((t) => {
    const parts = [
      t.producerIds.length ? `producers ${t.producerIds.join(', ')}` : '',
      t.consumerIds.length ? `consumers ${t.consumerIds.join(', ')}` : '',
    ].filter(Boolean);
    return `transport ${t.id}${parts.length ? ` [${parts.join('; ')}]` : ''}`;
  });
  return `router ${router.id}${transports.length ? ` { ${transports.join(', ')} }` : ' (no transports)'}`;
}
