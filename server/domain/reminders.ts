/**
 * Reminders: the rules, pure (no I/O; the clock is an argument).
 *
 * A listener sets a reminder on a scheduled Space: channels (e-mail, browser push, calendar) and
 * optionally "also N minutes before". A follower may opt in to every Space a creator schedules, with
 * the same choices. At the start (and N minutes before) each holder is told once per channel:
 * the ledger key names the account, the Space, the channel, the kind and the occurrence (the start
 * time it was about), so a Space that moves is a new occurrence and a retried job is not.
 *
 * Late: a server that was down at the due time sends the start reminder once it is back, saying the
 * Space started N minutes ago, for up to `LATE_LIMIT_MINUTES`; a "before" reminder whose start has
 * passed is dropped (the start reminder says it all); nothing is sent for an ended or cancelled Space.
 */
import { ValidationError } from '../errors.ts';
import { canonicalTimeZone } from './schedule.ts';
import type { SpaceStatus } from './space.ts';

export const REMINDER_CHANNELS = ['email', 'push', 'calendar'] as const;
export type ReminderChannel = (typeof REMINDER_CHANNELS)[number];
/** The channels told at the due time (the calendar channel is told when the entry changes). */
export const TIMED_CHANNELS = ['email', 'push'] as const satisfies readonly ReminderChannel[];
export type TimedChannel = (typeof TIMED_CHANNELS)[number];
export type ReminderKind = 'start' | 'before';

export const MINUTES_BEFORE_MIN = 1;
export const MINUTES_BEFORE_MAX = 24 * 60;
/** A start reminder is still worth sending this long after the start (if the Space has not ended). */
export const LATE_LIMIT_MINUTES = 6 * 60;
/** Sent within this of the due time counts as on time (no "started N minutes ago"). */
export const ON_TIME_MS = 60_000;
/** Reminders one account may hold at once (explicit ones; creator opt-ins count apart). */
export const MAX_REMINDERS_PER_ACCOUNT = 200;
export const MAX_CREATOR_OPT_INS_PER_ACCOUNT = 500;
export const MAX_PUSH_SUBSCRIPTIONS_PER_ACCOUNT = 10;
export const EMAIL_MAX = 254;

export type ReminderChoice = { channels: ReminderChannel[]; minutesBefore: number | null };

/** Checks a reminder's channels (at least one, no repeats) and its lead time. Throws VALIDATION listing every problem. */
export function validateReminderChoice(input: { channels: readonly string[]; minutesBefore?: number | null | undefined }): ReminderChoice {
  const problems: string[] = [];
  const channels: ReminderChannel[] = [];
  for (const channel of input.channels) {
    if (!(REMINDER_CHANNELS as readonly string[]).includes(channel)) problems.push(`channels: "${channel}" is not one of ${REMINDER_CHANNELS.join(', ')}`);
    else if (!channels.includes(channel as ReminderChannel)) channels.push(channel as ReminderChannel);
  }
  if (channels.length === 0 && problems.length === 0) problems.push('channels: choose at least one');
  const minutes = input.minutesBefore ?? null;
  if (minutes !== null && (!Number.isInteger(minutes) || minutes < MINUTES_BEFORE_MIN || minutes > MINUTES_BEFORE_MAX)) {
    problems.push(`minutesBefore: a whole number of minutes from ${MINUTES_BEFORE_MIN} to ${MINUTES_BEFORE_MAX}`);
  }
  if (problems.length > 0) throw new ValidationError('That reminder is not valid.', problems);
  return { channels, minutesBefore: minutes };
}

/**
 * An e-mail address reminders may be sent to, lower-cased in its domain, or null. Deliberately
 * plain: `local@domain.tld`, no display names, quotes, comments, IP literals or line breaks
 * (nothing that could smuggle a header or a second recipient into a message).
 */
export function normaliseEmail(input: string): string | null {
  const email = input.trim();
  if (email.length < 3 || email.length > EMAIL_MAX) return null;
  const match = /^([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64})@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)$/.exec(email);
  if (!match) return null;
  const [, local, domain] = match as unknown as [string, string, string];
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return null;
  if (/^[0-9.]+$/.test(domain)) return null;
  if (!/[A-Za-z]/.test(domain.split('.').pop()!)) return null;
  return `${local}@${domain.toLowerCase()}`;
}

export function validateEmail(input: string): string {
  const email = normaliseEmail(input);
  if (!email) throw new ValidationError('That e-mail address is not valid.', ['email: an address like name@example.com']);
  return email;
}

export function validateReminderTimeZone(input: string): string {
  const zone = canonicalTimeZone(input);
  if (!zone) throw new ValidationError('That time zone is not valid.', ['timeZone: an IANA zone such as Europe/Paris']);
  return zone;
}

/** When each kind of reminder is due for a Space starting at `startsAt`. */
export function dueTimes(startsAt: Date, minutesBefore: number | null): Array<{ kind: ReminderKind; at: Date }> {
  const times: Array<{ kind: ReminderKind; at: Date }> = [{ kind: 'start', at: startsAt }];
  if (minutesBefore !== null) times.unshift({ kind: 'before', at: new Date(startsAt.getTime() - minutesBefore * 60_000) });
  return times;
}

export type SpaceMoment = { status: SpaceStatus; startsAt: Date; startedAt: Date | null };

export type DeliveryDecision =
  | { action: 'wait'; at: Date }
  | { action: 'skip'; reason: 'space-over' | 'too-late' | 'started' }
  | { action: 'send'; startedMinutesAgo: number | null; minutesToStart: number | null };

/**
 * What to do now with one reminder of `kind` (due at `dueAt`) for a Space in `space`'s state.
 * `startedMinutesAgo` is set when the Space started (or was due to) more than a minute ago.
 */
export function decideDelivery(kind: ReminderKind, dueAt: Date, space: SpaceMoment, now: Date): DeliveryDecision {
  if (space.status === 'ended' || space.status === 'cancelled') return { action: 'skip', reason: 'space-over' };
  if (now.getTime() < dueAt.getTime()) return { action: 'wait', at: dueAt };
  const started = space.startedAt ?? space.startsAt;
  const sinceStart = now.getTime() - started.getTime();
  if (kind === 'before') {
    if (space.status === 'live' || now.getTime() >= space.startsAt.getTime()) return { action: 'skip', reason: 'started' };
    return { action: 'send', startedMinutesAgo: null, minutesToStart: Math.max(1, Math.round((space.startsAt.getTime() - now.getTime()) / 60_000)) };
  }
  if (now.getTime() - space.startsAt.getTime() > LATE_LIMIT_MINUTES * 60_000) return { action: 'skip', reason: 'too-late' };
  return { action: 'send', startedMinutesAgo: sinceStart > ON_TIME_MS ? Math.floor(sinceStart / 60_000) : null, minutesToStart: null };
}

/** The ledger key of one timed reminder: account, Space, channel, kind and occurrence (the start it was about). */
export function deliveryKey(accountId: string, spaceId: string, channel: TimedChannel, kind: ReminderKind, startsAt: Date): string {
  return `${channel}:${kind}:${spaceId}:${startsAt.toISOString()}:${accountId}`;
}

/** The ledger key of one calendar update (its SEQUENCE is the occurrence). */
export function calendarKey(accountId: string, spaceId: string, sequence: number): string {
  return `calendar:${spaceId}:${sequence}:${accountId}`;
}

/** The start as the recipient reads it, in their zone: "Friday 27 November 2026, 18:30 (Europe/Paris)". */
export function startInZone(startsAt: Date, timeZone: string, locale = 'en-GB'): string {
  const text = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(startsAt);
  return `${text} (${timeZone})`;
}

/** The one line that says when: "starts now", "starts in 15 minutes", "started 12 minutes ago". */
export function whenLine(decision: { startedMinutesAgo: number | null; minutesToStart: number | null }): string {
  if (decision.minutesToStart !== null) return `starts in ${plural(decision.minutesToStart, 'minute')}`;
  if (decision.startedMinutesAgo !== null) return `started ${plural(decision.startedMinutesAgo, 'minute')} ago`;
  return 'starts now';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Whether a calendar entry must be republished: the Space moved, was renamed or was cancelled since `published`. */
export function calendarChanged(published: { startsAt: Date; title: string; cancelled: boolean }, now: { startsAt: Date; title: string; cancelled: boolean }): boolean {
  return published.startsAt.getTime() !== now.startsAt.getTime() || published.title !== now.title || published.cancelled !== now.cancelled;
}
