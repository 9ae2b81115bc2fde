/**
 * Who holds a reminder for a Space, read in one query each: explicit reminders, plus followers of
 * its host who opted in to all of the host's Spaces (and still follow them), the explicit one
 * winning. With each holder: their e-mail contact and whether e-mail may go to it.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export type Holder = {
  accountId: string;
  byEmail: boolean;
  byPush: boolean;
  byCalendar: boolean;
  minutesBefore: number | null;
  email: string | null;
  timeZone: string;
  unsubscribeToken: string | null;
};

export type ReminderSpaceRow = {
  id: string;
  title: string;
  status: 'scheduled' | 'live' | 'ended' | 'cancelled';
  scheduledFor: Date | null;
  timeZone: string | null;
  startedAt: Date | null;
  hostAccountId: string;
  hostName: string;
};

export async function loadSpace(db: Db, spaceId: string): Promise<ReminderSpaceRow | null> {
  const row = await db
    .selectFrom('spaces')
    .innerJoin('accounts', 'accounts.id', 'spaces.host_account_id')
    .select(['spaces.id', 'spaces.title', 'spaces.status', 'spaces.scheduled_for', 'spaces.time_zone', 'spaces.started_at', 'spaces.host_account_id', 'accounts.display_name'])
    .where('spaces.id', '=', spaceId)
    .executeTakeFirst();
  if (!row) return null;
  return { id: row.id, title: row.title, status: row.status, scheduledFor: row.scheduled_for, timeZone: row.time_zone, startedAt: row.started_at, hostAccountId: row.host_account_id, hostName: row.display_name };
}

type HolderRow = { account_id: string; by_email: boolean; by_push: boolean; by_calendar: boolean; minutes_before: number | null; email: string | null; time_zone: string | null; unsubscribe_token: string | null; email_unsubscribed_at: Date | null };

/** A page of a Space's holders: account ids from `first` to `last` (inclusive, in the database's order of ids). */
export type HolderRange = { first: string; last: string };

/** The Space's holders in order of account id; only one account (`only` an id) or one page of them (a range). */
export async function loadHolders(db: Db, space: { id: string; hostAccountId: string }, only?: string | HolderRange): Promise<Holder[]> {
  const onlyClause = only === undefined ? sql`` : typeof only === 'string' ? sql`where h.account_id = ${only}` : sql`where h.account_id >= ${only.first} and h.account_id <= ${only.last}`;
  const { rows } = await sql<HolderRow>`
    select h.account_id, h.by_email, h.by_push, h.by_calendar, h.minutes_before,
           c.email, c.time_zone, c.unsubscribe_token, c.email_unsubscribed_at
    from (
      select r.account_id, r.by_email, r.by_push, r.by_calendar, r.minutes_before
      from reminders r where r.space_id = ${space.id}
      union all
      select o.follower_id, o.by_email, o.by_push, o.by_calendar, o.minutes_before
      from creator_reminders o
      join follows f on f.follower_id = o.follower_id and f.followee_id = o.creator_id
      where o.creator_id = ${space.hostAccountId} and o.follower_id <> ${space.hostAccountId}
        and not exists (select 1 from reminders r2 where r2.space_id = ${space.id} and r2.account_id = o.follower_id)
    ) h
    left join reminder_contacts c on c.account_id = h.account_id
    ${onlyClause}
    order by h.account_id`.execute(db);
  return rows.map((row) => ({
    accountId: row.account_id,
    byEmail: row.by_email,
    byPush: row.by_push,
    byCalendar: row.by_calendar,
    minutesBefore: row.minutes_before,
    email: row.email_unsubscribed_at ? null : row.email,
    timeZone: row.time_zone ?? 'UTC',
    unsubscribeToken: row.unsubscribe_token,
  }));
}

/** The lead times (minutes before) any holder of the Space asked for, besides the start itself. */
export async function leadTimes(db: Db, space: { id: string; hostAccountId: string }): Promise<number[]> {
  const { rows } = await sql<{ minutes_before: number }>`
    select distinct minutes_before from (
      select minutes_before from reminders where space_id = ${space.id}
      union all
      select minutes_before from creator_reminders where creator_id = ${space.hostAccountId}
    ) m where minutes_before is not null`.execute(db);
  return rows.map((row) => Number(row.minutes_before));
}

export type PushRow = { id: string; accountId: string; endpoint: string; p256dh: string; auth: string };

/** Push subscriptions of the Space's holders who chose push. */
export async function loadPushTargets(db: Db, space: { id: string; hostAccountId: string }, holders?: HolderRange): Promise<Map<string, PushRow[]>> {
  const rangeClause = holders ? sql`s.account_id >= ${holders.first} and s.account_id <= ${holders.last} and` : sql``;
  const { rows } = await sql<{ id: string; account_id: string; endpoint: string; p256dh: string; auth: string }>`
    select s.id, s.account_id, s.endpoint, s.p256dh, s.auth from push_subscriptions s
    where ${rangeClause} s.account_id in (
      select account_id from reminders where space_id = ${space.id} and by_push
      union
      select o.follower_id from creator_reminders o join follows f on f.follower_id = o.follower_id and f.followee_id = o.creator_id
      where o.creator_id = ${space.hostAccountId} and o.by_push
    )`.execute(db);
  const byAccount = new Map<string, PushRow[]>();
  for (const row of rows) {
    const list = byAccount.get(row.account_id) ?? [];
    list.push({ id: row.id, accountId: row.account_id, endpoint: row.endpoint, p256dh: row.p256dh, auth: row.auth });
    byAccount.set(row.account_id, list);
  }
  return byAccount;
}
