/**
 * Scheduling Spaces and inviting co-hosts, for signed-in accounts: the rules of
 * `domain/schedule.ts` over the `ScheduleRecords` and `InviteRecords` ports, with hosting
 * eligibility, invite codes and rate limits. HTTP routes call this; nothing here knows HTTP.
 *
 * Limits (in memory, per account): changes (schedule, edit, cancel, invite, revoke) per minute, so
 * one account cannot churn rows; failed invite accepts per account and per address, so codes cannot
 * be guessed (they are 256-bit anyway).
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { AccountService } from '../accounts/account-service.ts';
import { hashSessionToken, newSessionToken, SESSION_TOKEN_PATTERN } from '../accounts/session-token.ts';
import type { Account } from '../domain/account.ts';
import { inviteExpiry, validateSchedule, validateScheduleEdit } from '../domain/schedule.ts';
import type { SpaceId } from '../domain/space.ts';
import { NotFoundError, SpacecraftError } from '../errors.ts';
import { FailureLock, take } from '../signalling/limits.ts';
import type { InviteRecords, PublicSpace, ScheduleRecords, StoredInvite } from './schedule-records.ts';
import type { StoredSpace } from './space-records.ts';

export type SchedulerLimits = {
  /** Schedules, edits, cancels, invites and revokes one account may make per minute. */
  changesPerMinute: number;
  /** Failed invite accepts one account (or one address) may make per 15 minutes. */
  failedAcceptsPer15Minutes: number;
};

export const DEFAULT_SCHEDULER_LIMITS: SchedulerLimits = { changesPerMinute: 60, failedAcceptsPer15Minutes: 10 };

const PUBLIC_KEPT_MS = 2000;
const PUBLIC_KEPT_IDS = 1000;

export class SpaceScheduler {
  readonly #accounts: AccountService;
  readonly #spaces: ScheduleRecords;
  readonly #invites: InviteRecords;
  readonly #now: () => Date;
  readonly #changes: RateLimiterMemory;
  readonly #failedAccepts: FailureLock;
  readonly #kept = new Map<string, { at: number; space: Promise<PublicSpace | null> }>();
  readonly #onCohost: (spaceId: SpaceId, accountId: string) => Promise<void>;
  readonly #onChange: (spaceId: SpaceId) => void;

  constructor(deps: {
    accounts: AccountService;
    spaces: ScheduleRecords;
    invites: InviteRecords;
    limits?: SchedulerLimits;
    now?: () => Date;
    /** Told once an invite made an account a co-host (a live Space seats them at once). */
    onCohost?: (spaceId: SpaceId, accountId: string) => Promise<void>;
    /** Told after a Space was scheduled, edited or cancelled (reminders follow it); must not throw. */
    onChange?: (spaceId: SpaceId) => void;
  }) {
    this.#accounts = deps.accounts;
    this.#onCohost = deps.onCohost ?? (async () => undefined);
    this.#onChange = deps.onChange ?? (() => undefined);
    this.#spaces = deps.spaces;
    this.#invites = deps.invites;
    this.#now = deps.now ?? (() => new Date());
    const limits = deps.limits ?? DEFAULT_SCHEDULER_LIMITS;
    this.#changes = new RateLimiterMemory({ keyPrefix: 'schedule-change', points: limits.changesPerMinute, duration: 60 });
    this.#failedAccepts = new FailureLock({ keyPrefix: 'invite-accept', points: limits.failedAcceptsPer15Minutes, seconds: 900 });
  }

  async schedule(account: Account, input: { title: string; startsAt: Date; timeZone: string; premiere?: boolean | undefined }): Promise<StoredSpace> {
    const schedule = validateSchedule(input, this.#now());
    await this.#assertMayHost(account);
    await this.#change(account);
    const space = await this.#spaces.schedule(account.id, schedule);
    this.#onChange(space.id);
    return space;
  }

  async edit(account: Account, spaceId: string, input: { title?: string | undefined; startsAt?: Date | undefined; timeZone?: string | undefined }): Promise<StoredSpace> {
    const now = this.#now();
    const edit = validateScheduleEdit(input, now);
    await this.#change(account);
    const space = await this.#spaces.edit(spaceId as SpaceId, account.id, edit, now);
    this.#kept.delete(spaceId); // after the write: a read that began before it is dropped
    this.#onChange(space.id);
    return space;
  }

  async cancel(account: Account, spaceId: string): Promise<StoredSpace> {
    await this.#change(account);
    const space = await this.#spaces.cancel(spaceId as SpaceId, account.id, this.#now());
    this.#kept.delete(spaceId);
    this.#onChange(space.id);
    return space;
  }

  upcoming(account: Account): Promise<StoredSpace[]> {
    return this.#spaces.upcoming(account.id);
  }

  /**
   * A Space as its page shows it. Every listener on a scheduled Space's page polls this, so answers
   * (and "no such Space") are kept for two seconds, for at most a thousand ids: a crowd, or a flood
   * of made-up ids, costs the database one read per id per two seconds. This server's own edits
   * show at once; another node's within two seconds.
   */
  publicSpace(spaceId: string): Promise<PublicSpace | null> {
    const now = this.#now().getTime();
    const hit = this.#kept.get(spaceId);
    if (hit && now - hit.at >= 0 && now - hit.at < PUBLIC_KEPT_MS) return hit.space;
    const space = this.#spaces.publicSpace(spaceId as SpaceId);
    this.#kept.delete(spaceId);
    this.#kept.set(spaceId, { at: now, space });
    if (this.#kept.size > PUBLIC_KEPT_IDS) this.#kept.delete(this.#kept.keys().next().value!);
    // A failed read is not kept.
    space.catch(() => this.#kept.get(spaceId)?.space === space && this.#kept.delete(spaceId));
    return space;
  }

  /** A new invite for the account with `handle`; its code is in the answer and nowhere else. */
  async invite(account: Account, spaceId: string, input: { handle: string; expiresInMinutes?: number | undefined }): Promise<{ code: string; invite: StoredInvite }> {
    const now = this.#now();
    const expiresAt = inviteExpiry(now, input.expiresInMinutes);
    await this.#change(account);
    const invitee = await this.#accounts.profile(input.handle);
    const { token: code, hash } = newSessionToken();
    const invite = await this.#invites.create({ spaceId: spaceId as SpaceId, hostAccountId: account.id, accountId: invitee.id, codeHash: hash, expiresAt, now });
    return { code, invite };
  }

  invites(account: Account, spaceId: string): Promise<StoredInvite[]> {
    return this.#invites.list(spaceId as SpaceId, account.id);
  }

  async revokeInvite(account: Account, spaceId: string, inviteId: string): Promise<void> {
    await this.#change(account);
    await this.#invites.revoke(spaceId as SpaceId, inviteId, account.id, this.#now());
  }

  /** Uses an invite's code: the signed-in account becomes a co-host of its Space. */
  async accept(account: Account, ip: string, code: string): Promise<{ spaceId: SpaceId; role: 'cohost' }> {
    const message = 'Too many invite codes that did not work; wait a few minutes and try again.';
    await this.#failedAccepts.assertOpen(`account:${account.id}`, message);
    await this.#failedAccepts.assertOpen(`ip:${ip}`, message);
    let accepted: { spaceId: SpaceId; role: 'cohost' };
    try {
      if (!SESSION_TOKEN_PATTERN.test(code)) throw new NotFoundError('There is no invite with that code.');
      accepted = await this.#invites.accept(hashSessionToken(code), account.id, this.#now());
    } catch (error) {
      if (error instanceof SpacecraftError && error.code !== 'LIMIT_EXCEEDED') {
        await this.#failedAccepts.failed(`account:${account.id}`);
        await this.#failedAccepts.failed(`ip:${ip}`);
      }
      throw error;
    }
    // The invite is used and the role stored. Seating the account on a live stage may still be
    // refused (its error is the answer), but that is no failed code: it never counts towards the lock.
    await this.#onCohost(accepted.spaceId, account.id);
    return accepted;
  }

  async #assertMayHost(account: Account): Promise<void> {
    const me = await this.#accounts.ownProfile(account);
    if (!me.mayHost) {
      const total = me.followers + me.followersNeeded;
      throw new SpacecraftError('NOT_ELIGIBLE', `Hosting needs ${total} followers: you need ${me.followersNeeded} more.`, { followersNeeded: me.followersNeeded, minFollowers: total });
    }
  }

  #change(account: Account): Promise<void> {
    return take(this.#changes, account.id, 'Too many changes to your Spaces in a minute; wait a moment and try again.');
  }
}
