/** What the refund and sales routes answer (refund-routes.ts), as zod schemas the studio's contract reads too. */
import { z } from 'zod';

export const salesReportJsonSchema = z.object({
  ticketed: z.boolean(),
  currency: z.string().nullable(),
  price: z.number().int().nullable(),
  capacity: z.number().int().nonnegative(),
  sold: z.number().int().nonnegative(),
  held: z.number().int().nonnegative(),
  left: z.number().int().nonnegative(),
  refunding: z.number().int().nonnegative(),
  refunded: z.number().int().nonnegative(),
  disputed: z.number().int().nonnegative(),
  gross: z.number().int(),
  platformFee: z.number().int(),
  hostNet: z.number().int(),
  refundedAmount: z.number().int().nonnegative(),
  series: z.array(z.object({ at: z.string(), total: z.number().int().nonnegative() })).max(1000),
  /** After a move, how long buyers may ask for a refund (hours); when the last move's window ends (null: never moved). */
  refundWindowHours: z.number().int().positive().optional(),
  rescheduledAt: z.string().nullable().optional(),
  refundDeadline: z.string().nullable().optional(),
});
export type SalesReportJson = z.output<typeof salesReportJsonSchema>;
