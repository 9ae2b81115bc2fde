import { describe, expect, it } from 'vitest';
import { SpacecraftError } from '../errors.ts';
import {
  cancelVerdict,
  DEFAULT_REFUND_POLICY,
  endVerdict,
  isRefundable,
  noShowCheckAt,
  noShowVerdict,
  refundIdempotencyKey,
  rescheduleRefundDeadline,
  rescheduleRefundRefusal,
  validateRefundPolicy,
  type RefundPolicy,
  type SpaceForRefunds,
} from './refund-policy.ts';

const start = new Date('2026-12-01T18:00:00Z');
const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
const policy: RefundPolicy = { noShowGraceMs: 30 * 60_000, minimumShare: 0.5, rescheduleWindowMs: 48 * 3600_000 };
const scheduled: SpaceForRefunds = { status: 'scheduled', scheduledFor: start, startedAt: null, endedAt: null, endReason: null, plannedMinutes: 60 };
const paid = { status: 'paid' as const, paidAt: at(-24 * 60) };

describe('refund policy', () => {
  it('refunds every ticket of a cancelled Space', () => {
    expect(cancelVerdict()).toEqual({ action: 'refund-all', reason: 'space-cancelled' });
    expect(noShowVerdict({ ...scheduled, status: 'cancelled' }, policy, at(0))).toEqual({ action: 'refund-all', reason: 'space-cancelled' });
  });

  it('refunds when the host has not gone live within the grace after the start, not a moment before', () => {
    expect(noShowCheckAt(start, policy)).toEqual(at(30));
    expect(noShowVerdict(scheduled, policy, at(29))).toEqual({ action: 'check-later', at: at(30) });
    expect(noShowVerdict(scheduled, policy, at(30))).toEqual({ action: 'refund-all', reason: 'host-no-show' });
    expect(noShowVerdict(scheduled, policy, at(600))).toEqual({ action: 'refund-all', reason: 'host-no-show' });
  });

  it('keeps tickets when the host went live (late within the grace included), and looks again after a move', () => {
    expect(noShowVerdict({ ...scheduled, status: 'live', startedAt: at(20) }, policy, at(31))).toEqual({ action: 'keep' });
    expect(noShowVerdict({ ...scheduled, status: 'ended', startedAt: at(5), endedAt: at(50), endReason: 'host-ended' }, policy, at(60))).toEqual({ action: 'keep' });
    // Moved a day later: the check that was due for the old start looks again after the new one.
    expect(noShowVerdict({ ...scheduled, scheduledFor: at(24 * 60) }, policy, at(31))).toEqual({ action: 'check-later', at: at(24 * 60 + 30) });
  });

  it('refunds a Space that failed before the minimum share of its planned length', () => {
    const ended = (minutes: number, endReason: string): SpaceForRefunds => ({ ...scheduled, status: 'ended', startedAt: at(0), endedAt: at(minutes), endReason });
    for (const reason of ['media-failure', 'host-left', 'server-lost']) {
      expect(endVerdict(ended(29, reason), policy)).toEqual({ action: 'refund-all', reason: 'space-failed' });
      expect(endVerdict(ended(30, reason), policy)).toEqual({ action: 'keep' });
    }
    // Ended on purpose by the host, however early: not a failure.
    expect(endVerdict(ended(1, 'host-ended'), policy)).toEqual({ action: 'keep' });
    // No planned length: nothing to measure against.
    expect(endVerdict({ ...ended(1, 'media-failure'), plannedMinutes: null }, policy)).toEqual({ action: 'keep' });
    // Still live: not judged yet.
    expect(endVerdict({ ...scheduled, status: 'live', startedAt: at(0) }, policy)).toEqual({ action: 'keep' });
  });

  it('lets a buyer who bought before a move ask for a refund within the window after it, before the Space starts', () => {
    const movedAt = at(-12 * 60);
    const space = { status: 'scheduled' as const, rescheduledAt: movedAt };
    expect(rescheduleRefundDeadline(movedAt, policy)).toEqual(at(36 * 60));
    expect(rescheduleRefundRefusal(paid, space, policy, at(-60))).toBeNull();
    expect(rescheduleRefundRefusal(paid, space, policy, at(36 * 60))).toBeNull();
    expect(rescheduleRefundRefusal(paid, { ...space, status: 'scheduled' }, policy, at(36 * 60 + 1))).toBe('window-closed');
    expect(rescheduleRefundRefusal({ status: 'paid', paidAt: at(-60) }, space, policy, at(-30))).toBe('bought-after-move');
    expect(rescheduleRefundRefusal(paid, { status: 'scheduled', rescheduledAt: null }, policy, at(-30))).toBe('not-rescheduled');
    expect(rescheduleRefundRefusal(paid, { status: 'live', rescheduledAt: movedAt }, policy, at(-30))).toBe('space-started');
    for (const status of ['refunded', 'refund-pending', 'disputed', 'other'] as const) {
      expect(rescheduleRefundRefusal({ status, paidAt: paid.paidAt }, space, policy, at(-60))).toBe('not-refundable');
    }
  });

  it('refunds only paid tickets, each under one idempotency key', () => {
    expect(isRefundable(paid)).toBe(true);
    for (const status of ['refunded', 'refund-pending', 'disputed', 'other'] as const) expect(isRefundable({ status, paidAt: null })).toBe(false);
    expect(refundIdempotencyKey('t1')).toBe(refundIdempotencyKey('t1'));
    expect(refundIdempotencyKey('t1')).not.toBe(refundIdempotencyKey('t2'));
  });

  it('validates its settings, listing every one out of bounds', () => {
    expect(validateRefundPolicy(DEFAULT_REFUND_POLICY)).toEqual(DEFAULT_REFUND_POLICY);
    try {
      validateRefundPolicy({ noShowGraceMs: 0, minimumShare: 1.5, rescheduleWindowMs: Number.NaN });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SpacecraftError);
      expect((error as SpacecraftError).details).toHaveLength(3);
    }
  });
});
