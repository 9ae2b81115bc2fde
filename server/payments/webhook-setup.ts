/**
 * Webhooks, refunds and the sales dashboard, composed for `startServer` in a few lines: the
 * webhook processor and the refund runner on the durable job queue, their workers (started before
 * the server listens, so every queue exists before a job is sent inside a transaction), the routes,
 * and what the scheduler tells us (`spaceChanged`: a cancel refunds every ticket, a move keeps them
 * and opens the buyers' refund window).
 */
import type { FastifyInstance } from 'fastify';
import type { AccountService } from '../accounts/account-service.ts';
import type { ServerConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import { registerRefundRoutes } from '../http/refund-routes.ts';
import { registerWebhookRoutes } from '../http/webhook-routes.ts';
import type { Logger } from '../logger.ts';
import type { PaymentJobs } from './refund-ledger.ts';
import { RefundRunner, stripeRefundGateway, type RefundGateway } from './refund-runner.ts';
import { paymentsUnavailable, type StripeClient } from './stripe-client.ts';
import { noShowCheckKey, REFUND_CHECK_QUEUE, WebhookProcessor, type RefundCheckJob } from './webhook-processor.ts';

export type RunningWebhooks = {
  processor: WebhookProcessor;
  refunds: RefundRunner;
  registerRoutes(app: FastifyInstance, accounts: AccountService): void;
  /** The scheduler changed a Space (cancelled, moved, renamed). Never throws: a miss is caught up by the refund check and the start-up sweep. */
  spaceChanged(spaceId: string): Promise<void>;
};

export async function startWebhooks(deps: {
  config: ServerConfig;
  db: Db;
  jobs: PaymentJobs;
  stripe: StripeClient | null;
  logger: Logger;
  /** A paid ticket was refunded or disputed: whoever listens with it must leave. */
  onAccessRevoked?: (ticket: { spaceId: string; accountId: string }) => void;
}): Promise<RunningWebhooks> {
  const { config, db, jobs, stripe, logger, onAccessRevoked } = deps;
  const log = logger.child({ module: 'refunds' });
  const processor = new WebhookProcessor({ db, jobs, policy: config.refunds.policy, logger, ...(onAccessRevoked ? { onAccessRevoked } : {}) });
  const gateway: RefundGateway = stripe ? stripeRefundGateway(stripe.sdk) : { refund: () => Promise.reject(paymentsUnavailable()) };
  const refunds = new RefundRunner({ db, jobs, gateway, policy: config.refunds.policy, defaultPlannedMinutes: config.refunds.defaultPlannedMinutes, logger, ...(onAccessRevoked ? { onAccessRevoked } : {}) });
  await processor.start();
  await refunds.start();

  async function spaceChanged(spaceId: string): Promise<void> {
    try {
      const space = await db.selectFrom('spaces').select(['status', 'scheduled_for']).where('id', '=', spaceId).executeTakeFirst();
      if (!space) return;
      if (space.status === 'cancelled') {
        await refunds.refundSpace(spaceId, 'space-cancelled');
        return;
      }
      if (space.status !== 'scheduled' || !space.scheduled_for) return;
      const sold = await db.selectFrom('tickets').select('id').where('space_id', '=', spaceId).where('status', '=', 'paid').executeTakeFirst();
      if (!sold) return;
      // The check job is keyed by the start: a new key means the start moved (the same start: nothing to do).
      const moved = await jobs.send<RefundCheckJob>(REFUND_CHECK_QUEUE, { spaceId }, { key: noShowCheckKey(spaceId, space.scheduled_for), startAfter: new Date(space.scheduled_for.getTime() + config.refunds.policy.noShowGraceMs) });
      if (moved !== null) await refunds.spaceMoved(spaceId, space.scheduled_for);
    } catch (error) {
      log.error({ err: error, spaceId }, 'refunds for a changed Space not queued now; the refund check and the start-up sweep catch up');
    }
  }

  return {
    processor,
    refunds,
    registerRoutes(app, accounts) {
      registerWebhookRoutes(app, { verifier: { webhooks: stripe?.sdk.webhooks ?? null, secret: stripe?.webhookSecret ?? null, toleranceSeconds: config.refunds.webhookToleranceSeconds }, processor });
      registerRefundRoutes(app, { accounts, db, refunds, policy: config.refunds.policy });
    },
    spaceChanged,
  };
}
