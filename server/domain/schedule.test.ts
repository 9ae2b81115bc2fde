import { describe, expect, it } from 'vitest';
import { SpacecraftError } from '../errors.ts';
import {
  assertCancellable,
  assertEditable,
  assertMayAddInvite,
  assertMayBecomeCohost,
  assertMayInvite,
  assertMayScheduleMore,
  canonicalTimeZone,
  inviteExpiry,
  inviteRefusal,
  inviteState,
  MAX_SCHEDULED_PER_DAY,
  MAX_SCHEDULED_PER_HOST,
  validateSchedule,
  validateScheduleEdit,
  validateTitle,
} from './schedule.ts';
import { SPACE_STATUSES } from './space.ts';

const now = new Date('2026-03-28T12:00:00Z');
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);
const days = (n: number) => minutes(n * 24 * 60);

function thrown(run: () => unknown): { code: string; details: unknown } {
  try {
    run();
  } catch (error) {
    if (error instanceof SpacecraftError) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('did not throw');
}

describe('scheduling rules', () => {
  it('takes a title, a future start up to 30 days ahead and an IANA zone', () => {
    expect(validateSchedule({ title: '  Morning show ', startsAt: minutes(1), timeZone: 'Europe/Paris' }, now)).toEqual({
      title: 'Morning show',
      startsAt: minutes(1),
      timeZone: 'Europe/Paris',
    });
    expect(validateSchedule({ title: 'x', startsAt: days(30), timeZone: 'UTC' }, now).startsAt).toEqual(days(30));
  });

  it('refuses a start now, in the past, or past 30 days, listing every problem at once', () => {
    for (const startsAt of [now, minutes(-1), new Date(days(30).getTime() + 1), new Date(Number.NaN)]) {
      expect(thrown(() => validateSchedule({ title: 'Show', startsAt, timeZone: 'UTC' }, now)).code).toBe('VALIDATION');
    }
    expect(thrown(() => validateSchedule({ title: '', startsAt: minutes(-5), timeZone: 'Mars/Olympus' }, now))).toEqual({
      code: 'VALIDATION',
      details: ['title: 1–120 characters', 'startsAt: must be in the future', 'timeZone: not an IANA time zone (such as Europe/Paris)'],
    });
  });

  it('checks time zones against the runtime’s zone data and spells them its way', () => {
    expect(canonicalTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Etc/GMT+5')).toBe('Etc/GMT+5');
    for (const bad of ['', 'Mars/Olympus', '+05:00', 'Europe/Paris\n', '../etc/passwd', 'A'.repeat(65), 'Europe/Paris; drop table spaces']) {
      expect(canonicalTimeZone(bad)).toBeNull();
    }
  });

  it('keeps titles readable: trimmed, NFC, at most 120 characters, no control characters', () => {
    expect(validateTitle(' Cafe\u0301 ')).toBe('Café');
    expect(validateTitle('🎙'.repeat(120))).toBe('🎙'.repeat(120));
    for (const bad of ['', '   ', 'a'.repeat(121), 'two\nlines', 'bell\u0007', 'a\u2028b']) {
      expect(thrown(() => validateTitle(bad)).code).toBe('VALIDATION');
    }
  });

  it('edits only what is given, at least one thing', () => {
    expect(validateScheduleEdit({ title: 'New' }, now)).toEqual({ title: 'New' });
    expect(validateScheduleEdit({ timeZone: 'asia/tokyo' }, now)).toEqual({ timeZone: 'Asia/Tokyo' });
    expect(thrown(() => validateScheduleEdit({}, now))).toEqual({ code: 'VALIDATION', details: ['(root): nothing to change'] });
    expect(thrown(() => validateScheduleEdit({ startsAt: days(31) }, now)).details).toEqual(['startsAt: at most 30 days ahead']);
  });

  it('edits and cancels a scheduled Space only', () => {
    for (const status of SPACE_STATUSES) {
      if (status === 'scheduled') {
        expect(() => assertEditable(status)).not.toThrow();
        expect(() => assertCancellable(status)).not.toThrow();
      } else {
        expect(thrown(() => assertEditable(status)).code).toBe('INVALID_STATE');
        expect(thrown(() => assertCancellable(status)).code).toBe('INVALID_STATE');
      }
    }
  });

  it('bounds how many Spaces one host keeps scheduled', () => {
    expect(() => assertMayScheduleMore({ scheduled: MAX_SCHEDULED_PER_HOST - 1, lastDay: MAX_SCHEDULED_PER_DAY - 1 })).not.toThrow();
    expect(thrown(() => assertMayScheduleMore({ scheduled: MAX_SCHEDULED_PER_HOST, lastDay: 0 }))).toEqual({ code: 'LIMIT_EXCEEDED', details: { limit: 50 } });
    // Scheduling and cancelling in a loop stops too.
    expect(thrown(() => assertMayScheduleMore({ scheduled: 0, lastDay: MAX_SCHEDULED_PER_DAY }))).toEqual({ code: 'LIMIT_EXCEEDED', details: { limit: 100 } });
  });
});

describe('invite rules', () => {
  const invite = { accountId: 'bob', expiresAt: minutes(60), usedAt: null, revokedAt: null };

  it('expires after 24 hours unless the host says otherwise, from 5 minutes to 7 days', () => {
    expect(inviteExpiry(now)).toEqual(days(1));
    expect(inviteExpiry(now, 5)).toEqual(minutes(5));
    expect(inviteExpiry(now, 7 * 24 * 60)).toEqual(days(7));
    for (const bad of [4, 7 * 24 * 60 + 1, 1.5, -10, Number.NaN]) expect(thrown(() => inviteExpiry(now, bad)).code).toBe('VALIDATION');
  });

  it('lets only the host invite, to a scheduled or live Space, someone other than the host', () => {
    expect(() => assertMayInvite({ status: 'scheduled', hostAccountId: 'ada' }, 'ada', 'bob')).not.toThrow();
    expect(() => assertMayInvite({ status: 'live', hostAccountId: 'ada' }, 'ada', 'bob')).not.toThrow();
    expect(thrown(() => assertMayInvite({ status: 'live', hostAccountId: 'ada' }, 'bob', 'cyd')).code).toBe('PERMISSION_DENIED');
    expect(thrown(() => assertMayInvite({ status: 'ended', hostAccountId: 'ada' }, 'ada', 'bob')).code).toBe('INVALID_STATE');
    expect(thrown(() => assertMayInvite({ status: 'cancelled', hostAccountId: 'ada' }, 'ada', 'bob')).code).toBe('INVALID_STATE');
    expect(thrown(() => assertMayInvite({ status: 'live', hostAccountId: 'ada' }, 'ada', 'ada')).code).toBe('VALIDATION');
  });

  it('bounds pending and total invites per Space', () => {
    expect(() => assertMayAddInvite({ pending: 19, total: 199 })).not.toThrow();
    expect(thrown(() => assertMayAddInvite({ pending: 20, total: 20 }))).toEqual({ code: 'LIMIT_EXCEEDED', details: { limit: 20 } });
    expect(thrown(() => assertMayAddInvite({ pending: 0, total: 200 }))).toEqual({ code: 'LIMIT_EXCEEDED', details: { limit: 200 } });
  });

  it('says what state an invite is in', () => {
    expect(inviteState(invite, now)).toBe('pending');
    expect(inviteState(invite, minutes(60))).toBe('expired');
    expect(inviteState({ ...invite, usedAt: now }, now)).toBe('used');
    expect(inviteState({ ...invite, revokedAt: now }, now)).toBe('revoked');
  });

  it('is accepted only by its account, once, before it expires, unless revoked', () => {
    expect(inviteRefusal(invite, 'bob', now)).toBeNull();
    expect(inviteRefusal(invite, 'cyd', now)?.code).toBe('PERMISSION_DENIED');
    // Another account learns nothing about the invite's state.
    expect(inviteRefusal({ ...invite, usedAt: now }, 'cyd', now)?.code).toBe('PERMISSION_DENIED');
    expect(inviteRefusal({ ...invite, usedAt: now }, 'bob', now)?.message).toBe('This invite has already been used.');
    expect(inviteRefusal({ ...invite, revokedAt: now }, 'bob', now)?.message).toBe('The host revoked this invite.');
    expect(inviteRefusal(invite, 'bob', minutes(61))?.message).toBe('This invite has expired; ask the host for a new one.');
  });

  it('makes at most two co-hosts, never the host, on a scheduled or live Space', () => {
    expect(() => assertMayBecomeCohost({ status: 'scheduled', hostAccountId: 'ada' }, 'bob', 1)).not.toThrow();
    expect(thrown(() => assertMayBecomeCohost({ status: 'live', hostAccountId: 'ada' }, 'bob', 2))).toEqual({ code: 'LIMIT_EXCEEDED', details: { limit: 2 } });
    expect(thrown(() => assertMayBecomeCohost({ status: 'live', hostAccountId: 'ada' }, 'ada', 0)).code).toBe('INVALID_STATE');
    expect(thrown(() => assertMayBecomeCohost({ status: 'ended', hostAccountId: 'ada' }, 'bob', 0)).code).toBe('INVALID_STATE');
  });
});
