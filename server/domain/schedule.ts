/**
 * Scheduling a Space and inviting co-hosts: the rules, pure (no I/O; the clock is an argument).
 *
 * A Space is scheduled with a title, a start time in the future (at most 30 days ahead) and the
 * IANA time zone the host thinks in. While it is scheduled the host may edit or cancel it; once it
 * is live, ended or cancelled its schedule is history. An invite makes one named account a co-host
 * of one Space: single-use, expiring (24 h unless the host says otherwise, at most 7 days),
 * revocable; a Space has at most two co-hosts.
 */
import { InvalidStateError, PermissionError, SpacecraftError, ValidationError } from '../errors.ts';
import type { SpaceStatus } from './space.ts';

export const TITLE_MAX = 120;
export const TIME_ZONE_MAX = 64;
export const SCHEDULE_MAX_DAYS_AHEAD = 30;
const DAY_MS = 24 * 3600 * 1000;

/** Spaces one account may hold scheduled at once. */
export const MAX_SCHEDULED_PER_HOST = 50;
/** Spaces one account may schedule in any 24 hours (cancelled ones included): schedule-and-cancel cannot fill the database. */
export const MAX_SCHEDULED_PER_DAY = 100;
/** Invites of one Space still waiting for an answer. */
export const MAX_PENDING_INVITES_PER_SPACE = 20;
/** Every invite a Space ever had (used, revoked, expired included): a bound on what it stores. */
export const MAX_INVITES_PER_SPACE = 200;
export const MAX_COHOSTS = 2;

export const INVITE_DEFAULT_MINUTES = 24 * 60;
export const INVITE_MIN_MINUTES = 5;
export const INVITE_MAX_MINUTES = 7 * 24 * 60;

/** `premiere`: the Space is a premiere (set when scheduling). */
export type Schedule = { title: string; startsAt: Date; timeZone: string; premiere?: boolean };
export type ScheduleEdit = Partial<Omit<Schedule, 'premiere'>>;

/** A title as shown: trimmed, NFC, 1–120 characters, no control characters. Throws VALIDATION. */
export function validateTitle(input: string): string {
  const problem = titleProblem(input);
  if (problem) throw new ValidationError('That title is not valid.', [problem]);
  return input.trim().normalize('NFC');
}

function titleProblem(input: string): string | null {
  const title = input.trim().normalize('NFC');
  const length = [...title].length;
  if (length < 1 || length > TITLE_MAX) return `title: 1–${TITLE_MAX} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(title)) return 'title: no control characters or line breaks';
  return null;
}

/**
 * An IANA time zone the runtime's zone data knows, or null. Spelled the data's way when only the
 * case differs (`europe/paris` → `Europe/Paris`); an alias the data knows stays as given
 * (`Asia/Kolkata`, which ICU calls `Asia/Calcutta`). Offsets such as `+05:00` are refused: a zone
 * is a place whose clocks change, which an offset is not.
 */
export function canonicalTimeZone(input: string): string | null {
  if (input.length < 1 || input.length > TIME_ZONE_MAX || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(input)) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: input }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  return resolved.toLowerCase() === input.toLowerCase() ? resolved : input;
}

function startProblem(startsAt: Date, now: Date): string | null {
  const at = startsAt.getTime();
  if (!Number.isFinite(at)) return 'startsAt: not a time';
  if (at <= now.getTime()) return 'startsAt: must be in the future';
  if (at > now.getTime() + SCHEDULE_MAX_DAYS_AHEAD * DAY_MS) return `startsAt: at most ${SCHEDULE_MAX_DAYS_AHEAD} days ahead`;
  return null;
}

/** Checks a new schedule, listing every problem at once (VALIDATION with `details`). */
export function validateSchedule(input: { title: string; startsAt: Date; timeZone: string; premiere?: boolean | undefined }, now: Date): Schedule {
  const edit = validateScheduleEdit(input, now);
  return { title: edit.title!, startsAt: edit.startsAt!, timeZone: edit.timeZone!, ...(input.premiere === true ? { premiere: true } : {}) };
}

/** Checks the fields of an edit that are present; at least one must be. */
export function validateScheduleEdit(input: { title?: string | undefined; startsAt?: Date | undefined; timeZone?: string | undefined }, now: Date): ScheduleEdit {
  const problems: string[] = [];
  const edit: ScheduleEdit = {};
  if (input.title === undefined && input.startsAt === undefined && input.timeZone === undefined) problems.push('(root): nothing to change');
  if (input.title !== undefined) {
    const problem = titleProblem(input.title);
    if (problem) problems.push(problem);
    else edit.title = input.title.trim().normalize('NFC');
  }
  if (input.startsAt !== undefined) {
    const problem = startProblem(input.startsAt, now);
    if (problem) problems.push(problem);
    else edit.startsAt = input.startsAt;
  }
  if (input.timeZone !== undefined) {
    const zone = canonicalTimeZone(input.timeZone);
    if (!zone) problems.push('timeZone: not an IANA time zone (such as Europe/Paris)');
    else edit.timeZone = zone;
  }
  if (problems.length > 0) throw new ValidationError('That schedule is not valid.', problems);
  return edit;
}

function history(status: SpaceStatus): string {
  return status === 'live' ? 'is live' : status === 'ended' ? 'has ended' : 'was cancelled';
}

/** Only a scheduled Space may be edited. */
export function assertEditable(status: SpaceStatus): void {
  if (status !== 'scheduled') throw new InvalidStateError(`This Space ${history(status)}: only a scheduled Space can be edited.`);
}

/** Only a scheduled Space may be cancelled (a live one is ended instead). */
export function assertCancellable(status: SpaceStatus): void {
  if (status !== 'scheduled') throw new InvalidStateError(`This Space ${history(status)}: only a scheduled Space can be cancelled.`);
}

/** A host holds at most MAX_SCHEDULED_PER_HOST scheduled Spaces, and schedules at most MAX_SCHEDULED_PER_DAY in 24 hours. */
export function assertMayScheduleMore(counts: { scheduled: number; lastDay: number }): void {
  if (counts.scheduled >= MAX_SCHEDULED_PER_HOST) {
    throw new SpacecraftError('LIMIT_EXCEEDED', `You already have ${counts.scheduled} Spaces scheduled; cancel one before scheduling another.`, { limit: MAX_SCHEDULED_PER_HOST });
  }
  if (counts.lastDay >= MAX_SCHEDULED_PER_DAY) {
    throw new SpacecraftError('LIMIT_EXCEEDED', `You have scheduled ${counts.lastDay} Spaces in the last 24 hours, the most one account may; try again tomorrow.`, { limit: MAX_SCHEDULED_PER_DAY });
  }
}

/** When an invite made now expires; `minutes` is what the host asked for (5 minutes to 7 days). */
export function inviteExpiry(now: Date, minutes: number = INVITE_DEFAULT_MINUTES): Date {
  if (!Number.isInteger(minutes) || minutes < INVITE_MIN_MINUTES || minutes > INVITE_MAX_MINUTES) {
    throw new ValidationError('That invite expiry is not valid.', [`expiresInMinutes: a whole number from ${INVITE_MIN_MINUTES} to ${INVITE_MAX_MINUTES} (7 days)`]);
  }
  return new Date(now.getTime() + minutes * 60_000);
}

/** Invites are made for a scheduled or live Space, by its host, for someone else. */
export function assertMayInvite(space: { status: SpaceStatus; hostAccountId: string }, by: string, invitee: string): void {
  if (space.hostAccountId !== by) throw new PermissionError('Only the host can invite co-hosts.');
  if (space.status !== 'scheduled' && space.status !== 'live') throw new InvalidStateError(`This Space ${history(space.status)}: invites are for scheduled or live Spaces.`);
  if (invitee === by) throw new ValidationError('You host this Space already.', ['handle: someone other than yourself']);
}

/** Bounds on a Space's invites: how many wait for an answer, and how many it ever had. */
export function assertMayAddInvite(counts: { pending: number; total: number }): void {
  if (counts.pending >= MAX_PENDING_INVITES_PER_SPACE) {
    throw new SpacecraftError('LIMIT_EXCEEDED', `This Space has ${counts.pending} invites waiting; revoke one before inviting someone else.`, { limit: MAX_PENDING_INVITES_PER_SPACE });
  }
  if (counts.total >= MAX_INVITES_PER_SPACE) {
    throw new SpacecraftError('LIMIT_EXCEEDED', `This Space has had ${counts.total} invites, the most one Space may have.`, { limit: MAX_INVITES_PER_SPACE });
  }
}

export type InviteState = 'pending' | 'used' | 'revoked' | 'expired';

export type InviteFacts = { accountId: string; expiresAt: Date; usedAt: Date | null; revokedAt: Date | null };

export function inviteState(invite: Omit<InviteFacts, 'accountId'>, now: Date): InviteState {
  if (invite.usedAt) return 'used';
  if (invite.revokedAt) return 'revoked';
  return invite.expiresAt.getTime() <= now.getTime() ? 'expired' : 'pending';
}

/**
 * Why `accountId` may not accept this invite now, as a typed error; null when it may.
 * The first reason wins in this order: another account's invite, used, revoked, expired.
 */
export function inviteRefusal(invite: InviteFacts, accountId: string, now: Date): SpacecraftError | null {
  if (invite.accountId !== accountId) return new PermissionError('This invite is for another account.');
  switch (inviteState(invite, now)) {
    case 'used':
      return new InvalidStateError('This invite has already been used.');
    case 'revoked':
      return new InvalidStateError('The host revoked this invite.');
    case 'expired':
      return new InvalidStateError('This invite has expired; ask the host for a new one.');
    case 'pending':
      return null;
  }
}

/** Who may accept a co-host invite to a Space in this state, with this many co-hosts already. */
export function assertMayBecomeCohost(space: { status: SpaceStatus; hostAccountId: string }, accountId: string, cohosts: number): void {
  if (space.status !== 'scheduled' && space.status !== 'live') throw new InvalidStateError(`This Space ${history(space.status)}: its invites no longer work.`);
  if (space.hostAccountId === accountId) throw new InvalidStateError('You host this Space already.');
  if (cohosts >= MAX_COHOSTS) throw new SpacecraftError('LIMIT_EXCEEDED', `This Space has ${MAX_COHOSTS} co-hosts already, the most it may have.`, { limit: MAX_COHOSTS });
}
