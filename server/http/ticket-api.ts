/**
 * The ticket API's bodies and answers as zod schemas: the routes parse bodies with them; the studio
 * (from its main process) and the listener page parse answers with them. Pure zod: the renderer may import it.
 */
import { z } from 'zod';

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

export const payoutStatusSchema = z.object({
  available: z.boolean(),
  connected: z.boolean(),
  chargesEnabled: z.boolean(),
  payoutsEnabled: z.boolean(),
  detailsSubmitted: z.boolean(),
  requirementsDue: z.array(z.string()),
  defaultCurrency: z.string().nullable(),
});
export type PayoutStatusJson = z.infer<typeof payoutStatusSchema>;

export const connectPayoutsSchema = z.object({ url: z.string(), status: payoutStatusSchema });

export const SALES_STATES = ['not-open', 'open', 'sold-out', 'closed', 'payments-unavailable'] as const;

export const offerJsonSchema = z.object({
  spaceId: z.string(),
  currency: z.string(),
  amount: z.number(),
  /** "12.34 USD". */
  price: z.string(),
  capacity: z.number(),
  sold: z.number(),
  held: z.number(),
  left: z.number(),
  salesOpenAt: z.string().nullable(),
  salesCloseAt: z.string().nullable(),
  sales: z.enum(SALES_STATES),
  /** The caller's own ticket and open checkout (null when not signed in). */
  mine: z
    .object({
      ticket: z.enum(['paid', 'refunding', 'refunded', 'disputed']).nullable(),
      checkout: z.object({ url: z.string().nullable(), expiresAt: z.string(), status: z.enum(['held', 'awaiting_payment']) }).nullable(),
    })
    .nullable(),
});
export type OfferJson = z.infer<typeof offerJsonSchema>;

/** `GET /api/spaces/:id/tickets`: a free Space, or its offer. */
export const ticketsJsonSchema = z.discriminatedUnion('ticketed', [z.object({ ticketed: z.literal(false), paymentsAvailable: z.boolean() }), offerJsonSchema.extend({ ticketed: z.literal(true) })]);
export type TicketsJson = z.infer<typeof ticketsJsonSchema>;

export const checkoutJsonSchema = z.object({ url: z.string(), sessionId: z.string(), expiresAt: z.string(), reused: z.boolean() });
export type CheckoutJson = z.infer<typeof checkoutJsonSchema>;
