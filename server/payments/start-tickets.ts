/**
 * Ticketed Spaces, composed for `startServer` in a few lines: the Stripe client (none without a
 * key: ticketing then answers PAYMENTS_UNAVAILABLE and every Space is free to join), the sales
 * service with its expired-hold sweep, the access gate the join handler asks, and the routes.
 */
import type { FastifyInstance } from 'fastify';
import type { AccountService } from '../accounts/account-service.ts';
import type { ServerConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import { KyselySpaceRecords, KyselyStageRecords } from '../db/space-store.ts';
import { registerTicketRoutes } from '../http/ticket-routes.ts';
import type { Logger } from '../logger.ts';
import { StripeClient } from './stripe-client.ts';
import { TicketAccess } from './ticket-access.ts';
import { TicketSales } from './ticket-sales.ts';

/** How often holds whose checkout ran out are settled with Stripe. */
const SWEEP_INTERVAL_MS = 60_000;

export type RunningTickets = {
  stripe: StripeClient | null;
  sales: TicketSales;
  access: TicketAccess;
  registerRoutes(app: FastifyInstance, accounts: AccountService): void;
  close(): Promise<void>;
};

export function startTickets(deps: { config: ServerConfig; db: Db; logger: Logger }): RunningTickets {
  const { config, db, logger } = deps;
  const stripe = StripeClient.create(config.stripe, logger);
  if (!stripe) logger.info('ticket sales are off: no Stripe secret key (SPACECRAFT_STRIPE_SECRET_KEY or SPACECRAFT_STRIPE_KEYS_FILE)');
  const spaces = new KyselySpaceRecords(db);
  const sales = new TicketSales({ db, stripe, spaces, platformFeeBps: config.stripe.platformFeeBps, logger });
  const access = new TicketAccess({ records: sales.records, spaces, stage: new KyselyStageRecords(db), logger });
  sales.start(SWEEP_INTERVAL_MS);
  return {
    stripe,
    sales,
    access,
    registerRoutes: (app, accounts) => registerTicketRoutes(app, { accounts, sales, publicUrl: config.publicUrl }),
    close: () => sales.stop(),
  };
}
