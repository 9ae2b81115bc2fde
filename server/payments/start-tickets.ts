/**
 * Ticketed Spaces, composed for `startServer` in a few lines: the Stripe client (none without a
 * key: ticketing then answers PAYMENTS_UNAVAILABLE and every Space is free to join), the sales
 * service with its seat holds' expiry jobs (on the durable job queue; their worker is registered
 * before the server listens, so the queue exists before a hold's job is sent inside its
 * transaction), the access gate the join handler asks, and the routes.
 */
import type { FastifyInstance } from 'fastify';
import type { AccountService } from '../accounts/account-service.ts';
import type { ServerConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import { KyselySpaceRecords, KyselyStageRecords } from '../db/space-store.ts';
import { registerTicketRoutes } from '../http/ticket-routes.ts';
import type { Logger } from '../logger.ts';
import type { PaymentJobs } from './refund-ledger.ts';
import { StripeClient } from './stripe-client.ts';
import { TicketAccess } from './ticket-access.ts';
import { TicketSales } from './ticket-sales.ts';

export type RunningTickets = {
  stripe: StripeClient | null;
  sales: TicketSales;
  access: TicketAccess;
  registerRoutes(app: FastifyInstance, accounts: AccountService): void;
  close(): Promise<void>;
};

export async function startTickets(deps: { config: ServerConfig; db: Db; jobs: PaymentJobs; logger: Logger }): Promise<RunningTickets> {
  const { config, db, jobs, logger } = deps;
  const stripe = StripeClient.create(config.stripe, logger);
  if (!stripe) logger.info('ticket sales are off: no Stripe secret key (SPACECRAFT_STRIPE_SECRET_KEY or SPACECRAFT_STRIPE_KEYS_FILE)');
  const spaces = new KyselySpaceRecords(db);
  const sales = new TicketSales({ db, jobs, stripe, spaces, platformFeeBps: config.stripe.platformFeeBps, logger });
  const access = new TicketAccess({ records: sales.records, spaces, stage: new KyselyStageRecords(db), logger });
  await sales.start();
  return {
    stripe,
    sales,
    access,
    registerRoutes: (app, accounts) => registerTicketRoutes(app, { accounts, sales, publicUrl: config.publicUrl }),
    // Nothing of its own to stop: the expiry jobs' worker stops with the job queue.
    close: () => Promise.resolve(),
  };
}
