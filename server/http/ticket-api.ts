/**
 * The ticket API's bodies and answers as zod schemas: the routes parse bodies with them; the studio
 * (from its main process) and the listener page parse answers with them. Pure zod: the renderer may import it.
 */
import { z } from 'zod';

export {
  checkoutJsonSchema,
  connectPayoutsSchema,
  offerJsonSchema,
  payoutStatusSchema,
  SALES_STATES,
  ticketsJsonSchema,
  type CheckoutJson,
  type OfferJson,
  type PayoutStatusJson,
  type TicketsJson,
} from '../signalling/ticket-protocol.ts';

const isoTime = z.iso.datetime({ offset: true });

/** Pricing a Space: every field on the first call except the sales window; any subset afterwards. */
export const offerBody = z.strictObject({
  currency: z.string().max(8).optional(),
  /** In the currency's minor units (cents; yen for JPY). */
  amount: z.number().int().min(0).max(1_000_000_000).optional(),
  capacity: z.number().int().min(0).max(10_000_000).optional(),
  salesOpenAt: isoTime.nullable().optional(),
  salesCloseAt: isoTime.nullable().optional(),
});
export type OfferBody = z.infer<typeof offerBody>;

