/**
 * When tickets are refunded: the rules, pure (no I/O; the clock is an argument).
 *
 * - **Cancel**: a cancelled ticketed Space refunds every ticket that was paid for.
 * - **Reschedule**: every ticket stays valid for the new time; a buyer who bought before the move
 *   may ask for a refund within a window after it (a buyer who bought after it knew the new time).
 * - **Host no-show**: the host has not gone live within a grace time after the scheduled start →
 *   every ticket is refunded.
 * - **Failed early**: the Space ended by a failure (media failure, or its server was lost and the
 *   host never came back) before a minimum share of its planned length → every ticket is refunded.
 *   A host who ends the Space on purpose is not a failure.
 *
 * Only a ticket that was paid for and not yet refunded (nor disputed: the bank is already giving the
 * money back) is ever refunded; the caller's ledger makes each refund happen once.
 */
import { ValidationError } from '../errors.ts';

const MINUTE_MS = 60_000;

export type RefundPolicy = {
  /** How long after the scheduled start the host may still go live before every ticket is refunded. */
  noShowGraceMs: number;
  /** The share (0–1) of its planned length a failed Space must have lasted to keep its tickets. */
  minimumShare: number;
  /** How long after a reschedule a buyer may ask for a refund. */
  rescheduleWindowMs: number;
};

export const DEFAULT_REFUND_POLICY: RefundPolicy = {
  noShowGraceMs: 30 * MINUTE_MS,
  minimumShare: 0.5,
  rescheduleWindowMs: 7 * 24 * 60 * MINUTE_MS,
};

/** Bounds of the policy's settings: a grace of 1 minute – 24 hours, a window of 1 hour – 30 days. */
export const REFUND_POLICY_BOUNDS = {
  noShowGraceMs: { min: MINUTE_MS, max: 24 * 60 * MINUTE_MS },
  minimumShare: { min: 0, max: 1 },
  rescheduleWindowMs: { min: 60 * MINUTE_MS, max: 30 * 24 * 60 * MINUTE_MS },
} as const;

/** A policy whose every setting is in bounds (throws VALIDATION listing each one that is not). */
export function validateRefundPolicy(policy: RefundPolicy): RefundPolicy {
  const problems: string[] = [];
  for (const key of Object.keys(REFUND_POLICY_BOUNDS) as Array<keyof RefundPolicy>) {
    const { min, max } = REFUND_POLICY_BOUNDS[key];
    const value = policy[key];
    if (!Number.isFinite(value) || value < min || value > max) problems.push(`${key}: ${min}–${max}`);
  }
  if (problems.length > 0) throw new ValidationError('That refund policy is not valid.', problems);
  return policy;
}

/** Why every ticket of a Space is refunded; also what the buyer is told. */
export const REFUND_REASONS = ['space-cancelled', 'host-no-show', 'space-failed', 'buyer-asked', 'sold-out-late', 'space-over'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

/** How a Space ended, as the refund rules need it. */
export const FAILURE_END_REASONS = ['media-failure', 'host-left', 'server-lost'] as const;

/** A ticket as the refund rules see it. */
export type RefundableTicket = {
  status: 'paid' | 'refund-pending' | 'refunded' | 'disputed' | 'other';
  paidAt: Date | null;
};

/** Whether a refund may start for this ticket (paid, not yet refunded or refunding, not disputed). */
export function isRefundable(ticket: RefundableTicket): boolean {
  return ticket.status === 'paid';
}

/** A Space as the automatic refund rules see it. */
export type SpaceForRefunds = {
  status: 'scheduled' | 'live' | 'ended' | 'cancelled';
  scheduledFor: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
  endReason: string | null;
  /** The length the host announced, or null when none was given (then only a no-show refunds). */
  plannedMinutes: number | null;
};

export type Verdict =
  | { action: 'refund-all'; reason: RefundReason }
  | { action: 'keep' }
  /** Not yet decidable: look again at `at` (the Space was moved, or the grace has not run out). */
  | { action: 'check-later'; at: Date };

/** When the host no-show check is due: the scheduled start plus the grace. */
export function noShowCheckAt(scheduledFor: Date, policy: RefundPolicy): Date {
  return new Date(scheduledFor.getTime() + policy.noShowGraceMs);
}

/**
 * The no-show rule, looked at (by a durable job) at or after `noShowCheckAt`. A Space that went
 * live keeps its tickets here (the failure rule judges how it ended); a cancelled one was refunded
 * by its cancel; one moved later is looked at again after its new start.
 */
export function noShowVerdict(space: SpaceForRefunds, policy: RefundPolicy, now: Date): Verdict {
  if (space.status === 'cancelled') return { action: 'refund-all', reason: 'space-cancelled' };
  if (space.startedAt !== null || space.status !== 'scheduled') return { action: 'keep' };
  if (space.scheduledFor === null) return { action: 'keep' };
  const due = noShowCheckAt(space.scheduledFor, policy);
  if (now.getTime() < due.getTime()) return { action: 'check-later', at: due };
  return { action: 'refund-all', reason: 'host-no-show' };
}

/**
 * The failed-early rule, looked at when a live Space ends. A failure (media, or the server lost and
 * the host not back) before `minimumShare` of the planned length refunds every ticket. Without a
 * planned length there is nothing to measure against: tickets stay.
 */
export function endVerdict(space: SpaceForRefunds, policy: RefundPolicy): Verdict {
  if (space.status === 'cancelled') return { action: 'refund-all', reason: 'space-cancelled' };
  if (space.status !== 'ended' || space.startedAt === null || space.endedAt === null) return { action: 'keep' };
  if (!(FAILURE_END_REASONS as readonly string[]).includes(space.endReason ?? '')) return { action: 'keep' };
  if (space.plannedMinutes === null || space.plannedMinutes <= 0) return { action: 'keep' };
  const lasted = Math.max(0, space.endedAt.getTime() - space.startedAt.getTime());
  const needed = policy.minimumShare * space.plannedMinutes * MINUTE_MS;
  return lasted < needed ? { action: 'refund-all', reason: 'space-failed' } : { action: 'keep' };
}

/** What a cancel means for the tickets: every one is refunded. */
export function cancelVerdict(): Verdict {
  return { action: 'refund-all', reason: 'space-cancelled' };
}

/** The last moment a buyer may ask for a refund after a reschedule made at `rescheduledAt`. */
export function rescheduleRefundDeadline(rescheduledAt: Date, policy: RefundPolicy): Date {
  return new Date(rescheduledAt.getTime() + policy.rescheduleWindowMs);
}

export type RescheduleRefundRefusal = 'not-rescheduled' | 'bought-after-move' | 'window-closed' | 'not-refundable' | 'space-started';

/**
 * May this buyer ask for a refund because the Space moved? Only for a paid ticket bought before the
 * latest move, within the window after it, and before the Space has gone live.
 * Returns null when allowed, else why not.
 */
export function rescheduleRefundRefusal(
  ticket: RefundableTicket,
  space: { status: SpaceForRefunds['status']; rescheduledAt: Date | null },
  policy: RefundPolicy,
  now: Date,
): RescheduleRefundRefusal | null {
  if (!isRefundable(ticket)) return 'not-refundable';
  if (space.rescheduledAt === null) return 'not-rescheduled';
  if (space.status !== 'scheduled') return 'space-started';
  if (ticket.paidAt !== null && ticket.paidAt.getTime() >= space.rescheduledAt.getTime()) return 'bought-after-move';
  if (now.getTime() > rescheduleRefundDeadline(space.rescheduledAt, policy).getTime()) return 'window-closed';
  return null;
}

/** What the buyer is told for each refusal. */
export const RESCHEDULE_REFUSAL_MESSAGES: Record<RescheduleRefundRefusal, string> = {
  'not-refundable': 'This ticket is not paid for, or is already refunded.',
  'not-rescheduled': 'This Space has not been moved: its tickets are refunded only if it is cancelled or fails.',
  'space-started': 'This Space has already started.',
  'bought-after-move': 'This ticket was bought after the Space moved to its new time.',
  'window-closed': 'The time to ask for a refund after the Space moved has passed.',
};

/** The Stripe idempotency key of one ticket's refund: the same ticket is never refunded twice, whatever asks. */
export function refundIdempotencyKey(ticketId: string): string {
  return `spacecraft-refund-${ticketId}`;
}
