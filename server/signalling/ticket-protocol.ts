/**
 * Ticketed Spaces' part of the signalling protocol, merged into protocol.ts's notification map.
 *
 *   ticketInUse { spaceId }   to a listener's connection when the same account's ticket opened the
 *                             Space on another connection: this one left the Space (a ticket admits
 *                             one connection at a time; the newest wins, so a dropped network comes back)
 *   ticketRevoked { spaceId } to a listener's connection when its ticket was refunded or disputed while it
 *                             listened: it left the Space (and a new join is refused: TICKET_REQUIRED)
 *
 * A listener without a ticket who joins a ticketed Space gets TICKET_REQUIRED as the join's answer.
 */
import { z } from 'zod';

// The ticket API's answers (server/http/ticket-routes.ts), here so the listener page and the
// studio read them through protocol.ts, the renderer's one door to the server's types.

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

/** GET /api/spaces/:id/refund (server/http/refund-routes.ts): the caller's ticket after a move. */
export const buyerRefundJsonSchema = z.object({
  ticketStatus: z.string().max(32).nullable(),
  rescheduledAt: z.string().nullable(),
  deadline: z.string().nullable(),
  mayAsk: z.boolean(),
  why: z.string().max(500).nullable(),
});
export type BuyerRefundJson = z.infer<typeof buyerRefundJsonSchema>;

export const checkoutJsonSchema = z.object({ url: z.string(), sessionId: z.string(), expiresAt: z.string(), reused: z.boolean() });
export type CheckoutJson = z.infer<typeof checkoutJsonSchema>;

export const ticketNotifications = {
  ticketInUse: z.object({ spaceId: z.string().max(64) }),
  ticketRevoked: z.object({ spaceId: z.string().max(64) }),
} as const;
