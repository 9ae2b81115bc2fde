/**
 * The refund rules' settings and the webhook's tolerance, as environment fields `server/config.ts`
 * spreads into its schema:
 *
 *   SPACECRAFT_TICKET_NO_SHOW_GRACE_MINUTES    after the scheduled start, how long the host may still go live before every ticket is refunded (30)
 *   SPACECRAFT_TICKET_MIN_SHARE                the share (0–1) of its planned length a Space that fails must have lasted to keep its tickets (0.5)
 *   SPACECRAFT_TICKET_RESCHEDULE_REFUND_HOURS  after a move, how long buyers may ask for a refund (168 = 7 days)
 *   SPACECRAFT_TICKET_PLANNED_MINUTES          the planned length of a ticketed Space whose host gave none (60)
 *   SPACECRAFT_STRIPE_WEBHOOK_TOLERANCE_SECONDS how old a signed webhook may be (300, Stripe's default): older is refused as stale
 */
import { z } from 'zod';
import { validateRefundPolicy, type RefundPolicy } from '../domain/refund-policy.ts';

export const refundEnvFields = {
  SPACECRAFT_TICKET_NO_SHOW_GRACE_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  SPACECRAFT_TICKET_MIN_SHARE: z.coerce.number().min(0).max(1).default(0.5),
  SPACECRAFT_TICKET_RESCHEDULE_REFUND_HOURS: z.coerce.number().int().min(1).max(720).default(168),
  SPACECRAFT_TICKET_PLANNED_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  SPACECRAFT_STRIPE_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
};

export type RefundConfig = {
  policy: RefundPolicy;
  defaultPlannedMinutes: number;
  webhookToleranceSeconds: number;
};

type RefundEnv = { [K in keyof typeof refundEnvFields]: number };

export function refundConfig(e: RefundEnv): RefundConfig {
  return {
    policy: validateRefundPolicy({
      noShowGraceMs: e.SPACECRAFT_TICKET_NO_SHOW_GRACE_MINUTES * 60_000,
      minimumShare: e.SPACECRAFT_TICKET_MIN_SHARE,
      rescheduleWindowMs: e.SPACECRAFT_TICKET_RESCHEDULE_REFUND_HOURS * 3_600_000,
    }),
    defaultPlannedMinutes: e.SPACECRAFT_TICKET_PLANNED_MINUTES,
    webhookToleranceSeconds: e.SPACECRAFT_STRIPE_WEBHOOK_TOLERANCE_SECONDS,
  };
}
