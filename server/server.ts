/**
 * Boot order: database (lock, connect, migrate) → job queue → media workers → Spaces → signalling → HTTP + WebSocket.
 * `close()` ends every live Space (listeners are told), stops HTTP, then the workers, and closes
 * the database last (releasing its data folder's lock).
 */
import { fileURLToPath } from 'node:url';
import { scaleTier } from './scale-tier.ts';
import type { ServerConfig } from './config.ts';
import { AccountService } from './accounts/account-service.ts';
import { ClusterNode } from './cluster/cluster-node.ts';
import { registerJoinRoute } from './cluster/join-route.ts';
import { KyselyAccountStore } from './db/account-store.ts';
import { Database } from './db/database.ts';
import { DEMO_CREATOR, seedDemo } from './db/seed.ts';
import { KyselyInviteRecords } from './db/invite-store.ts';
import { KyselySpaceRecords, KyselyStageRecords } from './db/space-store.ts';
import { registerAccountRoutes } from './http/account-routes.ts';
import { JobQueue } from './jobs/job-queue.ts';
import { startTickets, type RunningTickets } from './payments/start-tickets.ts';
import { startWebhooks } from './payments/webhook-setup.ts';
import { createHttpApp } from './http/app.ts';
import { registerSpaceRoutes, storedSpaceInfo } from './http/space-routes.ts';
import { registerReminders, type RunningReminders } from './reminders/start-reminders.ts';
import type { Logger } from './logger.ts';
import { MediaRoom } from './media/media-room.ts';
import { WorkerPool } from './media/worker-pool.ts';
import { handlers } from './signalling/handlers/all-handlers.ts';
import { SessionHub } from './signalling/session-hub.ts';
import { SpaceRegistry } from './spaces/space-registry.ts';
import type { LiveSpace } from './spaces/live-space.ts';
import { SpaceScheduler } from './spaces/space-scheduler.ts';
import { CaptionService } from './captions/caption-service.ts';
import { pronounce } from './captions/pronounce.ts';
import { startSpeakerCaptions } from './captions/start-speaker.ts';
import { KyselyCaptionRecords } from './db/caption-store.ts';
import { registerCaptionRoutes } from './http/caption-routes.ts';
import type { SpaceId } from './domain/space.ts';

export type RunningServer = {
  url: string;
  port: number;
  /** The open database (tests read it directly). */
  database: Database;
  /** The durable job queue on that database (refunds, reminders). */
  jobs: JobQueue;
  /** Ticketed Spaces: Stripe, sales, access (tests drive the hold sweep and read the store). */
  tickets: RunningTickets;
  /** Reminders (tests drive their sweep and read their service). */
  reminders: RunningReminders;
  close(): Promise<void>;
};

export const DEFAULT_LISTENER_DIR = fileURLToPath(new URL('../out/listener', import.meta.url));

export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  // What a start that fails half-way must undo, newest first (a port in use, a bad cluster peer…):
  // the data folder's lock and the job queue's polling must not outlive the failed start.
  const undo: Array<() => unknown> = [];
  try {
    return await start(config, logger, undo);
  } catch (error) {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (cleanupError) {
        logger.warn({ err: cleanupError }, 'clean-up after a failed start');
      }
    }
    throw error;
  }
}

async function start(config: ServerConfig, logger: Logger, undo: Array<() => unknown>): Promise<RunningServer> {
  const database = await Database.open(config.database, logger);
  undo.push(() => database.close());
  const jobs = await JobQueue.start(database, logger);
  undo.push(() => jobs.stop());
  const pool = await WorkerPool.create({
    size: config.workers,
    listenIp: config.rtc.listenIp,
    announcedAddress: config.rtc.announcedAddress,
    port: config.rtc.port,
    logger,
  });
  undo.push(() => pool.close());
  if (config.accounts.demoData) {
    const { creatorFollowers } = await seedDemo(database.db, { followers: config.accounts.hostMinFollowers });
    logger.info({ creator: DEMO_CREATOR.handle, creatorFollowers }, 'demo accounts ready');
  }
  const accounts = new AccountService(new KyselyAccountStore(database.db), config.accounts);
  // Live captions follow every Space that goes live (restored ones too), when an engine is configured.
  const captionRecords = new KyselyCaptionRecords(database.db);
  const { engineCommand, holdBackMs } = config.captions;
  const captions = engineCommand ? new CaptionService({ records: captionRecords, startSpeaker: startSpeakerCaptions(engineCommand, logger), pronounce, logger, holdBackMs }) : null;
  const registry = new SpaceRegistry(
    {
      liveSpacesPerAccount: config.limits.liveSpacesPerAccount,
      records: new KyselySpaceRecords(database.db),
      stageRecords: new KyselyStageRecords(database.db),
      stateIntervalMs: config.stateIntervalMs,
      programMixFromListeners: config.scale.programMixFromListeners,
      hostGraceMs: config.hostGraceMs,
      createMedia: () => MediaRoom.create(pool, logger, { spread: config.scale.spreadWorkers, programSlots: config.scale.programMixSlots }),
      ...(captions ? { onLive: (space: LiveSpace, hostAccountId: string) => captions.attach(space, hostAccountId) } : {}),
    },
    logger,
  );
  // Relays and edges share the origin's database but hold no stage: only a single server or the origin takes its Spaces back.
  const restored = config.cluster && config.cluster.role !== 'origin' ? 0 : await registry.restore((id) => accounts.accountById(id), config.restoreGraceMs);
  if (restored > 0) logger.info({ restored, graceMs: config.restoreGraceMs }, 'Spaces left live by the last run are back, waiting for their hosts');
  undo.push(() => registry.endAll('server-shutdown'));
  const cluster = config.cluster ? await ClusterNode.start({ config: config.cluster, server: config, pool, registry, logger }) : null;
  if (cluster) undo.push(() => cluster.close());
  const tickets = await startTickets({ config, db: database.db, jobs, logger });
  undo.push(() => tickets.close());
  const webhooks = await startWebhooks({
    config,
    db: database.db,
    jobs,
    stripe: tickets.stripe,
    logger,
    onAccessRevoked: (ticket) => void tickets.access.revoke(ticket).catch((error: unknown) => logger.warn({ err: error, ...ticket }, 'a revoked ticket’s listener could not be removed')),
  });
  const hub = new SessionHub(cluster ? cluster.handlers(handlers) : handlers, { registry, accounts, config, logger, tickets: tickets.access });
  undo.push(() => hub.close());
  const scheduler = new SpaceScheduler({
    accounts,
    spaces: new KyselySpaceRecords(database.db),
    invites: new KyselyInviteRecords(database.db),
    onCohost: async (spaceId, accountId) => registry.ifLive(spaceId)?.grantRole(accountId, 'cohost'),
    onChange: (spaceId) => {
      reminders?.spaceChanged(spaceId);
      void webhooks.spaceChanged(spaceId);
    },
  });
  let reminders: RunningReminders | null = null;
  const app = await createHttpApp({ config, logger, pool, registry, hub, listenerDir: config.listenerDir ?? DEFAULT_LISTENER_DIR, storedSpaceInfo: storedSpaceInfo(scheduler) });
  undo.push(() => app.close());
  registerAccountRoutes(app, accounts);
  registerSpaceRoutes(app, { accounts, scheduler, publicUrl: config.publicUrl });
  tickets.registerRoutes(app, accounts);
  webhooks.registerRoutes(app, accounts);
  const spaceRecords = new KyselySpaceRecords(database.db);
  registerCaptionRoutes(app, { records: captionRecords, spaceTitle: async (id) => (await spaceRecords.get(id as SpaceId))?.title ?? null, access: tickets.access.overflowAccess(accounts) });
  reminders = await registerReminders({ config, db: database.db, accounts, jobs, jobIdOf: JobQueue.idOf, app, listenerDir: config.listenerDir ?? DEFAULT_LISTENER_DIR, logger });
  const runningReminders = reminders;
  undo.push(() => runningReminders.close());
  const overflow = scaleTier(app, { config, registry, logger, access: tickets.access.overflowAccess(accounts) });
  undo.push(() => overflow.close());
  const joinAsksPerIpPerMinute = config.limits.joinsPerIpPerMinute * 4;
  if (cluster) cluster.registerRoutes(app, joinAsksPerIpPerMinute);
  else registerJoinRoute(app, { ownUrl: () => url, asksPerIpPerMinute: joinAsksPerIpPerMinute, cluster: null });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const url = config.publicUrl ?? `http://${host}:${port}`;
  hub.setServerUrl(url);
  cluster?.announce(url);
  await reminders.start(url);
  logger.info({ url, workers: pool.size }, 'server listening');

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    database,
    jobs,
    tickets,
    reminders,
    close: () =>
      (closing ??= (async () => {
        await registry.endAll('server-shutdown');
        await captions?.drain();
        await cluster?.close();
        hub.close();
        await app.close();
        await overflow.close();
        pool.close();
        await reminders.close();
        await tickets.close();
        await jobs.stop();
        await database.close();
        logger.info('server closed');
      })()),
  };
}
