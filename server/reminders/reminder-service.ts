/**
 * Reminders for signed-in accounts: set or remove a reminder on a scheduled Space, opt in to every
 * Space a creator schedules, register browsers for push, keep an e-mail address and a time zone,
 * unsubscribe in one click, and the calendar files. HTTP routes call this; nothing here knows HTTP.
 *
 * Limits: changes per account per minute, reminders set per Space per minute (a crowd of fresh
 * accounts cannot hammer one Space's row set), bounded totals per account (domain/reminders.ts).
 * A reminder and its jobs are written in one transaction: a crash leaves both or neither.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { AccountService } from '../accounts/account-service.ts';
import type { Db } from '../db/database.ts';
import type { Account } from '../domain/account.ts';
import {
  MAX_CREATOR_OPT_INS_PER_ACCOUNT,
  MAX_PUSH_SUBSCRIPTIONS_PER_ACCOUNT,
  MAX_REMINDERS_PER_ACCOUNT,
  validateEmail,
  validateReminderChoice,
  validateReminderTimeZone,
  type ReminderChannel,
  type ReminderChoice,
} from '../domain/reminders.ts';
import { InvalidStateError, NotFoundError, SpacecraftError, ValidationError } from '../errors.ts';
import { take } from '../signalling/limits.ts';
import { EMAIL_NOT_CONFIGURED } from './mailer.ts';
import { validatePushEndpoint } from './push-sender.ts';
import { CALENDAR_QUEUE, calendarJobKey, type CalendarJob, type ReminderJobs } from './reminder-jobs.ts';
import type { ReminderDelivery } from './reminder-delivery.ts';
import { creatorFeed, spaceCalendar, type CalendarSpace } from './space-calendar.ts';

export type ReminderLimits = { perAccountPerMinute: number; perSpacePerMinute: number };

export type ReminderInput = { channels: string[]; minutesBefore?: number | null | undefined; email?: string | undefined; timeZone?: string | undefined };
export type ReminderView = { spaceId: string; channels: ReminderChannel[]; minutesBefore: number | null; createdAt: Date };
export type CreatorReminderView = { handle: string; channels: ReminderChannel[]; minutesBefore: number | null };
export type ContactView = { email: string | null; timeZone: string; emailUnsubscribed: boolean };

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const channelsOf = (row: { by_email: boolean; by_push: boolean; by_calendar: boolean }): ReminderChannel[] =>
  [row.by_email && 'email', row.by_push && 'push', row.by_calendar && 'calendar'].filter((c): c is ReminderChannel => Boolean(c));
const flags = (choice: ReminderChoice) => ({ by_email: choice.channels.includes('email'), by_push: choice.channels.includes('push'), by_calendar: choice.channels.includes('calendar'), minutes_before: choice.minutesBefore });

export class ReminderService {
  readonly #db: Db;
  readonly #accounts: AccountService;
  readonly #delivery: ReminderDelivery;
  readonly #jobs: ReminderJobs;
  readonly #emailConfigured: boolean;
  readonly #pushOrigins: readonly string[];
  readonly #now: () => Date;
  readonly #perAccount: RateLimiterMemory;
  readonly #perSpace: RateLimiterMemory;
  readonly #baseUrl: () => string;

  constructor(deps: { db: Db; accounts: AccountService; delivery: ReminderDelivery; jobs: ReminderJobs; emailConfigured: boolean; pushEndpointOrigins: readonly string[]; limits: ReminderLimits; baseUrl: () => string; now?: () => Date }) {
    this.#db = deps.db;
    this.#accounts = deps.accounts;
    this.#delivery = deps.delivery;
    this.#jobs = deps.jobs;
    this.#emailConfigured = deps.emailConfigured;
    this.#pushOrigins = deps.pushEndpointOrigins;
    this.#baseUrl = deps.baseUrl;
    this.#now = deps.now ?? (() => new Date());
    this.#perAccount = new RateLimiterMemory({ keyPrefix: 'reminder-account', points: deps.limits.perAccountPerMinute, duration: 60 });
    this.#perSpace = new RateLimiterMemory({ keyPrefix: 'reminder-space', points: deps.limits.perSpacePerMinute, duration: 60 });
  }

  get emailConfigured(): boolean {
    return this.#emailConfigured;
  }

  async contact(account: Account): Promise<ContactView> {
    const row = await this.#db.selectFrom('reminder_contacts').selectAll().where('account_id', '=', account.id).executeTakeFirst();
    return { email: row?.email ?? null, timeZone: row?.time_zone ?? 'UTC', emailUnsubscribed: row?.email_unsubscribed_at != null };
  }

  /** Sets the address (null removes it) and/or zone. Giving an address again re-enables e-mail after an unsubscribe. */
  async setContact(account: Account, input: { email?: string | null | undefined; timeZone?: string | undefined }): Promise<ContactView> {
    const email = input.email === undefined ? undefined : input.email === null ? null : validateEmail(input.email);
    const timeZone = input.timeZone === undefined ? undefined : validateReminderTimeZone(input.timeZone);
    await take(this.#perAccount, account.id, 'Too many reminder changes in a minute; wait a moment and try again.');
    await this.#upsertContact(account.id, email, timeZone);
    return this.contact(account);
  }

  async #upsertContact(accountId: string, email: string | null | undefined, timeZone: string | undefined): Promise<void> {
    const now = this.#now();
    await this.#db
      .insertInto('reminder_contacts')
      .values({ account_id: accountId, email: email ?? null, time_zone: timeZone ?? 'UTC', unsubscribe_token: randomBytes(32).toString('base64url'), updated_at: now })
      .onConflict((oc) =>
        oc.column('account_id').doUpdateSet({
          ...(email === undefined ? {} : { email, email_unsubscribed_at: null }),
          ...(timeZone === undefined ? {} : { time_zone: timeZone }),
          updated_at: now,
        }),
      )
      .execute();
  }

  /** Sets (or changes) the account's reminder on a scheduled Space. */
  async setReminder(account: Account, spaceId: string, input: ReminderInput): Promise<ReminderView> {
    const choice = validateReminderChoice({ channels: input.channels, minutesBefore: input.minutesBefore });
    const email = input.email === undefined ? undefined : validateEmail(input.email);
    const timeZone = input.timeZone === undefined ? undefined : validateReminderTimeZone(input.timeZone);
    const needsEmail = choice.channels.includes('email') || choice.channels.includes('calendar');
    if (needsEmail && !this.#emailConfigured) throw new SpacecraftError('UNAVAILABLE', EMAIL_NOT_CONFIGURED);
    await take(this.#perAccount, account.id, 'Too many reminder changes in a minute; wait a moment and try again.');
    await take(this.#perSpace, spaceId, 'Too many reminders are being set on this Space right now; try again in a minute.');
    const space = await this.#db.selectFrom('spaces').select(['id', 'status', 'scheduled_for', 'host_account_id']).where('id', '=', spaceId).executeTakeFirst();
    if (!space) throw new NotFoundError('There is no Space with that id.');
    if (space.status !== 'scheduled' || space.scheduled_for === null) throw new InvalidStateError(`This Space is ${space.status}: reminders are for scheduled Spaces.`);
    if (email !== undefined || timeZone !== undefined) await this.#upsertContact(account.id, email, timeZone);
    if (needsEmail) {
      const contact = await this.contact(account);
      if (!contact.email) throw new ValidationError('An e-mail address is needed for e-mail and calendar reminders.', ['email: an address like name@example.com']);
    }
    if (choice.channels.includes('push')) await this.#assertHasPush(account.id);
    await this.#delivery.syncSpace(spaceId); // the calendar entry exists before anyone is sent it
    const startsAt = space.scheduled_for;
    await this.#db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('reminders').select('by_calendar').where('account_id', '=', account.id).where('space_id', '=', spaceId).executeTakeFirst();
      if (!existing) {
        const { n } = await trx.selectFrom('reminders').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account.id).executeTakeFirstOrThrow();
        if (Number(n) >= MAX_REMINDERS_PER_ACCOUNT) throw new SpacecraftError('LIMIT_EXCEEDED', `You can hold at most ${MAX_REMINDERS_PER_ACCOUNT} reminders; remove some first.`);
      }
      await trx
        .insertInto('reminders')
        .values({ account_id: account.id, space_id: spaceId, ...flags(choice) })
        .onConflict((oc) => oc.columns(['account_id', 'space_id']).doUpdateSet(flags(choice)))
        .execute();
      await this.#delivery.queueDueIn(trx, spaceId, startsAt, choice.minutesBefore);
      if (choice.channels.includes('calendar') && !existing?.by_calendar) {
        const calendar = await trx.selectFrom('space_calendars').select('sequence').where('space_id', '=', spaceId).executeTakeFirst();
        const sequence = Number(calendar?.sequence ?? 0);
        await this.#jobs.send<CalendarJob>(CALENDAR_QUEUE, { spaceId, sequence, accountId: account.id }, { key: calendarJobKey(spaceId, sequence, account.id), trx });
      }
    });
    return (await this.reminder(account, spaceId))!;
  }

  async reminder(account: Account, spaceId: string): Promise<ReminderView | null> {
    const row = await this.#db.selectFrom('reminders').selectAll().where('account_id', '=', account.id).where('space_id', '=', spaceId).executeTakeFirst();
    return row ? { spaceId: row.space_id, channels: channelsOf(row), minutesBefore: row.minutes_before, createdAt: row.created_at } : null;
  }

  async reminders(account: Account): Promise<ReminderView[]> {
    const rows = await this.#db.selectFrom('reminders').selectAll().where('account_id', '=', account.id).orderBy('created_at', 'desc').execute();
    return rows.map((row) => ({ spaceId: row.space_id, channels: channelsOf(row), minutesBefore: row.minutes_before, createdAt: row.created_at }));
  }

  /** Removes the account's reminder (idempotent): nothing more is sent for it. */
  async removeReminder(account: Account, spaceId: string): Promise<void> {
    await take(this.#perAccount, account.id, 'Too many reminder changes in a minute; wait a moment and try again.');
    await this.#db.deleteFrom('reminders').where('account_id', '=', account.id).where('space_id', '=', spaceId).execute();
  }

  /** Opts in to every Space the creator `handle` schedules (the account must follow them). */
  async setCreatorReminder(account: Account, handle: string, input: ReminderInput): Promise<CreatorReminderView> {
    const choice = validateReminderChoice({ channels: input.channels, minutesBefore: input.minutesBefore });
    const needsEmail = choice.channels.includes('email') || choice.channels.includes('calendar');
    if (needsEmail && !this.#emailConfigured) throw new SpacecraftError('UNAVAILABLE', EMAIL_NOT_CONFIGURED);
    await take(this.#perAccount, account.id, 'Too many reminder changes in a minute; wait a moment and try again.');
    const creator = await this.#accounts.profile(handle);
    if (creator.id === account.id) throw new ValidationError('You cannot follow your own Spaces.', ['handle: someone else']);
    const follows = await this.#db.selectFrom('follows').select('follower_id').where('follower_id', '=', account.id).where('followee_id', '=', creator.id).executeTakeFirst();
    if (!follows) throw new InvalidStateError(`Follow @${creator.handle} first to hear about every Space they schedule.`);
    if (input.email !== undefined || input.timeZone !== undefined) {
      await this.#upsertContact(account.id, input.email === undefined ? undefined : validateEmail(input.email), input.timeZone === undefined ? undefined : validateReminderTimeZone(input.timeZone));
    }
    if (needsEmail && !(await this.contact(account)).email) throw new ValidationError('An e-mail address is needed for e-mail and calendar reminders.', ['email: an address like name@example.com']);
    if (choice.channels.includes('push')) await this.#assertHasPush(account.id);
    const { n } = await this.#db.selectFrom('creator_reminders').select((eb) => eb.fn.countAll<number>().as('n')).where('follower_id', '=', account.id).executeTakeFirstOrThrow();
    const exists = await this.#db.selectFrom('creator_reminders').select('creator_id').where('follower_id', '=', account.id).where('creator_id', '=', creator.id).executeTakeFirst();
    if (!exists && Number(n) >= MAX_CREATOR_OPT_INS_PER_ACCOUNT) throw new SpacecraftError('LIMIT_EXCEEDED', `You can follow the Spaces of at most ${MAX_CREATOR_OPT_INS_PER_ACCOUNT} creators.`);
    await this.#db
      .insertInto('creator_reminders')
      .values({ follower_id: account.id, creator_id: creator.id, ...flags(choice) })
      .onConflict((oc) => oc.columns(['follower_id', 'creator_id']).doUpdateSet(flags(choice)))
      .execute();
    // The creator's Spaces already scheduled: their "before" jobs at this lead time.
    if (choice.minutesBefore !== null) {
      const upcoming = await this.#db.selectFrom('spaces').select(['id', 'scheduled_for']).where('host_account_id', '=', creator.id).where('status', '=', 'scheduled').execute();
      for (const space of upcoming) if (space.scheduled_for) await this.#delivery.queueDueIn(undefined, space.id, space.scheduled_for, choice.minutesBefore);
    }
    return { handle: creator.handle, channels: choice.channels, minutesBefore: choice.minutesBefore };
  }

  async creatorReminder(account: Account, handle: string): Promise<CreatorReminderView | null> {
    const creator = await this.#accounts.profile(handle);
    const row = await this.#db.selectFrom('creator_reminders').selectAll().where('follower_id', '=', account.id).where('creator_id', '=', creator.id).executeTakeFirst();
    return row ? { handle: creator.handle, channels: channelsOf(row), minutesBefore: row.minutes_before } : null;
  }

  async removeCreatorReminder(account: Account, handle: string): Promise<void> {
    await take(this.#perAccount, account.id, 'Too many reminder changes in a minute; wait a moment and try again.');
    const creator = await this.#accounts.profile(handle);
    await this.#db.deleteFrom('creator_reminders').where('follower_id', '=', account.id).where('creator_id', '=', creator.id).execute();
  }

  /** Registers a browser's push subscription for the account (an endpoint belongs to one account: the latest to register it). */
  async addPushSubscription(account: Account, input: { endpoint: string; p256dh: string; auth: string }): Promise<void> {
    const endpoint = validatePushEndpoint(input.endpoint, this.#pushOrigins);
    const problems: string[] = [];
    if (!/^[A-Za-z0-9_-]{87}$/.test(input.p256dh) || !Buffer.from(input.p256dh, 'base64url').subarray(0, 1).equals(Buffer.from([4]))) problems.push('keys.p256dh: an uncompressed P-256 public key (65 bytes, base64url)');
    if (!/^[A-Za-z0-9_-]{22}$/.test(input.auth)) problems.push('keys.auth: 16 bytes, base64url');
    if (problems.length > 0) throw new ValidationError('That push subscription is not valid.', problems);
    await take(this.#perAccount, account.id, 'Too many reminder changes in a minute; wait a moment and try again.');
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('push_subscriptions').where('endpoint', '=', endpoint).execute();
      const { n } = await trx.selectFrom('push_subscriptions').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account.id).executeTakeFirstOrThrow();
      if (Number(n) >= MAX_PUSH_SUBSCRIPTIONS_PER_ACCOUNT) {
        // The oldest browser makes room: people replace browsers more than they add them.
        await sql`delete from push_subscriptions where id = (select id from push_subscriptions where account_id = ${account.id} order by created_at limit 1)`.execute(trx);
      }
      await trx.insertInto('push_subscriptions').values({ account_id: account.id, endpoint, p256dh: input.p256dh, auth: input.auth }).execute();
    });
  }

  async removePushSubscription(account: Account, endpoint: string): Promise<void> {
    await take(this.#perAccount, account.id, 'Too many reminder changes in a minute; wait a moment and try again.');
    await this.#db.deleteFrom('push_subscriptions').where('account_id', '=', account.id).where('endpoint', '=', endpoint).execute();
  }

  /** One-click unsubscribe: no more reminder e-mail to that account's address. False for an unknown token. */
  async unsubscribe(token: string): Promise<boolean> {
    if (!TOKEN_PATTERN.test(token)) return false;
    const result = await this.#db.updateTable('reminder_contacts').set({ email_unsubscribed_at: this.#now(), updated_at: this.#now() }).where('unsubscribe_token', '=', token).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** A Space's `.ics` (its current SEQUENCE), for a scheduled or cancelled Space; null otherwise. */
  async spaceIcs(spaceId: string): Promise<string | null> {
    const row = await this.#db
      .selectFrom('spaces')
      .innerJoin('accounts', 'accounts.id', 'spaces.host_account_id')
      .leftJoin('space_calendars', 'space_calendars.space_id', 'spaces.id')
      .select(['spaces.id', 'spaces.title', 'spaces.status', 'spaces.scheduled_for', 'spaces.time_zone', 'accounts.display_name', 'space_calendars.sequence'])
      .where('spaces.id', '=', spaceId)
      .executeTakeFirst();
    if (!row || row.scheduled_for === null || (row.status !== 'scheduled' && row.status !== 'cancelled')) return null;
    const space = this.#calendarSpace({ ...row, sequence: row.sequence === null ? 0 : Number(row.sequence) });
    return spaceCalendar(space, { domain: this.#domain(), method: space.cancelled ? 'cancel' : 'publish', now: this.#now() });
  }

  /** A creator's upcoming Spaces as a subscribable feed. */
  async creatorIcs(handle: string): Promise<string> {
    const creator = await this.#accounts.profile(handle);
    const rows = await this.#db
      .selectFrom('spaces')
      .leftJoin('space_calendars', 'space_calendars.space_id', 'spaces.id')
      .select(['spaces.id', 'spaces.title', 'spaces.status', 'spaces.scheduled_for', 'spaces.time_zone', 'space_calendars.sequence'])
      .where('spaces.host_account_id', '=', creator.id)
      .where('spaces.status', '=', 'scheduled')
      .orderBy('spaces.scheduled_for')
      .limit(100)
      .execute();
    const spaces = rows.map((row) => this.#calendarSpace({ ...row, display_name: creator.displayName, sequence: row.sequence === null ? 0 : Number(row.sequence) }));
    return creatorFeed(creator.displayName, spaces, { domain: this.#domain(), now: this.#now() });
  }

  #calendarSpace(row: { id: string; title: string; status: string; scheduled_for: Date | null; time_zone: string | null; display_name: string; sequence: number }): CalendarSpace {
    return { id: row.id, title: row.title, startsAt: row.scheduled_for!, timeZone: row.time_zone ?? 'UTC', hostName: row.display_name, link: `${this.#baseUrl()}/s/${row.id}`, sequence: row.sequence, cancelled: row.status === 'cancelled' };
  }

  #domain(): string {
    return new URL(this.#baseUrl()).hostname;
  }

  async #assertHasPush(accountId: string): Promise<void> {
    const any = await this.#db.selectFrom('push_subscriptions').select('id').where('account_id', '=', accountId).limit(1).executeTakeFirst();
    if (!any) throw new InvalidStateError('Allow notifications in this browser first: there is no browser to push to.');
  }
}
