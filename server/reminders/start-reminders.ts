/**
 * Reminders in the server: the mailer (when SPACECRAFT_SMTP_URL is set), the VAPID keys (made on the
 * first start, kept in the database), the delivery engine on the job queue, the service and its
 * routes. `startServer` calls `registerReminders` before it listens and `start(url)` once it knows
 * its URL; `spaceChanged` is the scheduler's `onChange`; `close()` before the job queue stops.
 */
import type { FastifyInstance } from 'fastify';
import type { AccountService } from '../accounts/account-service.ts';
import type { ServerConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import { registerReminderRoutes } from '../http/reminder-routes.ts';
import type { Logger } from '../logger.ts';
import { SmtpMailer, type MailSender } from './mailer.ts';
import { loadVapidKeys, WebPushSender, type PushSender } from './push-sender.ts';
import { ReminderDelivery } from './reminder-delivery.ts';
import type { ReminderJobs } from './reminder-jobs.ts';
import { ReminderService } from './reminder-service.ts';

export type RunningReminders = {
  service: ReminderService;
  delivery: ReminderDelivery;
  /** The scheduler's `onChange`: the Space's reminders and calendar entry follow it. */
  spaceChanged(spaceId: string): void;
  /** Starts the workers and the sweep; links in messages point at `url`. */
  start(url: string): Promise<void>;
  close(): Promise<void>;
};

export async function registerReminders(deps: {
  config: ServerConfig;
  db: Db;
  accounts: AccountService;
  jobs: ReminderJobs;
  jobIdOf: (queue: string, key: string) => string;
  app: FastifyInstance;
  listenerDir: string;
  logger: Logger;
  now?: () => Date;
  /** Tests may replace the senders (the default: SMTP and Web Push as configured). */
  mailer?: MailSender | null;
  push?: PushSender;
}): Promise<RunningReminders> {
  const { config } = deps;
  const log = deps.logger.child({ module: 'reminders' });
  const settings = config.reminders;
  const mailer = deps.mailer !== undefined ? deps.mailer : settings.smtpUrl ? new SmtpMailer(settings.smtpUrl, settings.mailFrom) : null;
  if (!mailer) log.info('e-mail is not configured (SPACECRAFT_SMTP_URL): e-mail and calendar reminders are refused with that reason');
  const fromAddress = /<([^>]+)>/.exec(settings.mailFrom)?.[1] ?? settings.mailFrom;
  const push = deps.push ?? new WebPushSender(await loadVapidKeys(deps.db), `mailto:${fromAddress}`);
  let baseUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  const delivery = new ReminderDelivery({
    db: deps.db,
    jobs: deps.jobs,
    jobIdOf: deps.jobIdOf,
    mailer,
    push,
    logger: deps.logger,
    leaseMs: settings.leaseSeconds * 1000,
    sweepMs: settings.sweepSeconds * 1000,
    baseUrl: () => baseUrl,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const service = new ReminderService({
    db: deps.db,
    accounts: deps.accounts,
    delivery,
    jobs: deps.jobs,
    emailConfigured: mailer !== null,
    pushEndpointOrigins: settings.pushEndpointOrigins,
    limits: settings.limits,
    baseUrl: () => baseUrl,
    ...(deps.now ? { now: deps.now } : {}),
  });
  registerReminderRoutes(deps.app, { accounts: deps.accounts, reminders: service, vapidPublicKey: push.publicKey, listenerDir: deps.listenerDir });
  let closing: Promise<void> | null = null;
  return {
    service,
    delivery,
    spaceChanged(spaceId) {
      // The sweep catches it if this fails (or the server dies first): the write is already committed.
      delivery.syncSpace(spaceId).catch((error: unknown) => log.warn({ err: error, spaceId }, 'reminders could not follow a Space change yet; the sweep will'));
    },
    async start(url) {
      baseUrl = config.publicUrl ?? url;
      await delivery.start();
    },
    close: () =>
      (closing ??= (async () => {
        await delivery.close();
        mailer?.close();
      })()),
  };
}
