import { describe, expect, it } from 'vitest';
import { SpacecraftError } from '../errors.ts';
import { calendarChanged, calendarKey, decideDelivery, deliveryKey, dueTimes, LATE_LIMIT_MINUTES, normaliseEmail, startInZone, validateReminderChoice, whenLine } from './reminders.ts';

const start = new Date('2026-12-01T18:00:00Z');
const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
const scheduled = { status: 'scheduled' as const, startsAt: start, startedAt: null };

describe('reminder choices', () => {
  it('keeps channels once each and a lead time within a day', () => {
    expect(validateReminderChoice({ channels: ['email', 'push', 'email'], minutesBefore: 15 })).toEqual({ channels: ['email', 'push'], minutesBefore: 15 });
    expect(validateReminderChoice({ channels: ['calendar'] })).toEqual({ channels: ['calendar'], minutesBefore: null });
  });

  it('refuses no channel, unknown channels and lead times out of range, listing every problem', () => {
    for (const input of [{ channels: [] }, { channels: ['sms'] }, { channels: ['push'], minutesBefore: 0 }, { channels: ['push'], minutesBefore: 1441 }, { channels: ['push'], minutesBefore: 2.5 }]) {
      expect(() => validateReminderChoice(input)).toThrow(SpacecraftError);
    }
    try {
      validateReminderChoice({ channels: ['fax'], minutesBefore: -3 });
    } catch (error) {
      expect((error as SpacecraftError).details).toHaveLength(2);
    }
  });
});

describe('e-mail addresses', () => {
  it('accepts plain addresses and lower-cases the domain', () => {
    expect(normaliseEmail(' Ada.Lovelace+spaces@Example.COM ')).toBe('Ada.Lovelace+spaces@example.com');
    expect(normaliseEmail('a@b.co')).toBe('a@b.co');
  });

  it('refuses anything that could smuggle a header or a second recipient', () => {
    for (const bad of ['', 'a', 'a@b', 'a@localhost', 'a@1.2.3.4', 'a@[127.0.0.1]', '"a b"@x.com', 'Ada <a@x.com>', 'a@x.com,b@y.com', 'a@x.com\r\nBcc: b@y.com', 'a..b@x.com', '.a@x.com', 'a@-x.com', `${'a'.repeat(65)}@x.com`, `a@${'b'.repeat(250)}.com`]) {
      expect(normaliseEmail(bad), bad).toBeNull();
    }
  });
});

describe('due times and what to do now', () => {
  it('is due at the start, and N minutes before when asked', () => {
    expect(dueTimes(start, null)).toEqual([{ kind: 'start', at: start }]);
    expect(dueTimes(start, 15)).toEqual([{ kind: 'before', at: at(-15) }, { kind: 'start', at: start }]);
  });

  it('waits until due, then sends on time', () => {
    expect(decideDelivery('start', start, scheduled, at(-1))).toEqual({ action: 'wait', at: start });
    expect(decideDelivery('start', start, scheduled, start)).toEqual({ action: 'send', startedMinutesAgo: null, minutesToStart: null });
    expect(decideDelivery('before', at(-15), scheduled, at(-15))).toEqual({ action: 'send', startedMinutesAgo: null, minutesToStart: 15 });
  });

  it('sends a late start reminder saying how long ago it started, up to the late limit', () => {
    expect(decideDelivery('start', start, scheduled, at(12))).toEqual({ action: 'send', startedMinutesAgo: 12, minutesToStart: null });
    const live = { status: 'live' as const, startsAt: start, startedAt: at(3) };
    expect(decideDelivery('start', start, live, at(20))).toMatchObject({ action: 'send', startedMinutesAgo: 17 });
    expect(decideDelivery('start', start, scheduled, at(LATE_LIMIT_MINUTES + 1))).toEqual({ action: 'skip', reason: 'too-late' });
  });

  it('drops a "before" reminder once the Space started, and everything for an ended or cancelled one', () => {
    expect(decideDelivery('before', at(-15), scheduled, at(1))).toEqual({ action: 'skip', reason: 'started' });
    expect(decideDelivery('before', at(-15), { status: 'live', startsAt: start, startedAt: at(-20) }, at(-10))).toEqual({ action: 'skip', reason: 'started' });
    for (const status of ['ended', 'cancelled'] as const) {
      expect(decideDelivery('start', start, { status, startsAt: start, startedAt: null }, at(1))).toEqual({ action: 'skip', reason: 'space-over' });
    }
  });

  it('names each occurrence apart: a moved Space is a new occurrence, a retry is not', () => {
    expect(deliveryKey('a', 's', 'email', 'start', start)).toBe(deliveryKey('a', 's', 'email', 'start', new Date(start)));
    const keys = new Set([deliveryKey('a', 's', 'email', 'start', start), deliveryKey('a', 's', 'push', 'start', start), deliveryKey('a', 's', 'email', 'before', start), deliveryKey('a', 's', 'email', 'start', at(60)), deliveryKey('b', 's', 'email', 'start', start), calendarKey('a', 's', 0), calendarKey('a', 's', 1)]);
    expect(keys.size).toBe(7);
  });
});

describe('what a reminder says', () => {
  it('writes the start in the recipient\'s zone', () => {
    expect(startInZone(start, 'Europe/Paris')).toMatch(/^Tuesday,? 1 December 2026( at)? 19:00 \(Europe\/Paris\)$/);
    expect(startInZone(start, 'America/New_York')).toContain('13:00');
  });

  it('says starts now, in N minutes, or started N minutes ago', () => {
    expect(whenLine({ startedMinutesAgo: null, minutesToStart: null })).toBe('starts now');
    expect(whenLine({ startedMinutesAgo: null, minutesToStart: 1 })).toBe('starts in 1 minute');
    expect(whenLine({ startedMinutesAgo: 12, minutesToStart: null })).toBe('started 12 minutes ago');
  });

  it('tells a calendar entry changed when it moved, was renamed or cancelled', () => {
    const entry = { startsAt: start, title: 'A', cancelled: false };
    expect(calendarChanged(entry, { ...entry, startsAt: new Date(start) })).toBe(false);
    expect(calendarChanged(entry, { ...entry, startsAt: at(30) })).toBe(true);
    expect(calendarChanged(entry, { ...entry, title: 'B' })).toBe(true);
    expect(calendarChanged(entry, { ...entry, cancelled: true })).toBe(true);
  });
});
