/**
 * Sending reminders: durable jobs (pg-boss through `ReminderJobs`) say when something is due for a
 * Space; the ledger says what was sent. Each run re-reads the Space and its holders and sends what
 * is due now and not yet sent, so a job that runs twice, runs late, or runs for a Space that moved
 * in the meantime does the right thing.
 *
 *   reminder-due       at each due time of a Space (its start, and each "N minutes before" a holder
 *                      asked for): fans out into batch jobs, one per page of at most `pageSize`
 *                      holders for whom something is due and unsent (keyed by Space, start time,
 *                      kind and the page's first holder, so a second fan-out queues nothing again).
 *   reminder-batch     e-mail and push to the holders of one page; a short expiry, since it is small.
 *   reminder-calendar  when a Space's calendar entry changed (moved, renamed, cancelled: its
 *                      SEQUENCE went up) or someone added it: the new `.ics` by e-mail.
 *
 * A sweep (at start and every SPACECRAFT_REMINDER_SWEEP_SECONDS) catches what no job covers: a
 * change to a Space whose job was never queued because the server died between the two writes, a
 * Space that went live early, a claim whose sender died (its lease ran out), a failed send due for
 * a retry; it fans out too (with its own round in the keys). Nothing is ever sent for an ended or cancelled Space (see domain/reminders.ts).
 */
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Tables } from '../db/schema.ts';
import { calendarChanged, calendarKey, decideDelivery, deliveryKey, dueTimes, LATE_LIMIT_MINUTES, MINUTES_BEFORE_MAX, type ReminderKind, type TimedChannel } from '../domain/reminders.ts';
import type { Logger } from '../logger.ts';
import { DeliveryLedger, type LedgerItem } from './delivery-ledger.ts';
import type { MailSender } from './mailer.ts';
import type { PushSender } from './push-sender.ts';
import { calendarEmail, reminderEmail, reminderPush, type ReminderSpace, type Timing } from './reminder-messages.ts';
import { BATCH_QUEUE, batchJobKey, CALENDAR_QUEUE, calendarJobKey, DUE_QUEUE, dueJobKey, type BatchJob, type CalendarJob, type DueJob, type ReminderJobs } from './reminder-jobs.ts';
import { leadTimes, loadHolders, loadPushTargets, loadSpace, type Holder, type HolderRange, type PushRow, type ReminderSpaceRow } from './reminder-holders.ts';
import { spaceCalendar, type CalendarSpace } from './space-calendar.ts';

const SEND_CONCURRENCY = 16;
/** Holders per batch job (a page). */
const DEFAULT_PAGE_SIZE = 200;

export type DeliveryDeps = {
  db: Db;
  jobs: ReminderJobs;
  /** The queue's job id for a key (to cancel a moved Space's old jobs). */
  jobIdOf: (queue: string, key: string) => string;
  mailer: MailSender | null;
  push: PushSender;
  logger: Logger;
  now?: () => Date;
  leaseMs: number;
  sweepMs: number;
  /** The server's public base URL (links in messages). */
  baseUrl: () => string;
  /** Holders per batch job (default 200). */
  pageSize?: number;
};

type Work = { item: LedgerItem; send: () => Promise<'sent' | 'skipped'> };

export class ReminderDelivery {
  readonly #d: DeliveryDeps;
  readonly #ledger: DeliveryLedger;
  readonly #now: () => Date;
  readonly #log: Logger;
  readonly #pageSize: number;
  #sweepTimer: NodeJS.Timeout | null = null;
  #sweeping: Promise<void> | null = null;
  #closed = false;

  constructor(deps: DeliveryDeps) {
    this.#d = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#ledger = new DeliveryLedger(deps.db, deps.leaseMs);
    this.#log = deps.logger.child({ module: 'reminders' });
    this.#pageSize = Math.max(1, Math.floor(deps.pageSize ?? DEFAULT_PAGE_SIZE));
  }

  /** Registers the workers and starts the sweep (a first one at once). */
  async start(): Promise<void> {
    // A due job only queues the pages (one read of the holders and the ledger); each page sends to at most pageSize holders.
    await this.#d.jobs.work<DueJob>(DUE_QUEUE, async (job) => void (await this.fanOut(job.spaceId)), { concurrency: 2, retryDelaySeconds: 5, expireInSeconds: 120 });
    await this.#d.jobs.work<BatchJob>(BATCH_QUEUE, (job) => this.deliverBatch(job), { concurrency: 2, retryDelaySeconds: 5, expireInSeconds: 300 });
    await this.#d.jobs.work<CalendarJob>(CALENDAR_QUEUE, (job) => this.deliverCalendar(job.spaceId, job.sequence, job.accountId), { concurrency: 2, retryDelaySeconds: 5 });
    this.#scheduleSweep(0);
  }

  close(): Promise<void> {
    this.#closed = true;
    if (this.#sweepTimer) clearTimeout(this.#sweepTimer);
    return this.#sweeping ?? Promise.resolve();
  }

  #scheduleSweep(delayMs: number): void {
    if (this.#closed) return;
    this.#sweepTimer = setTimeout(() => {
      this.#sweeping = this.sweep()
        .catch((error: unknown) => this.#log.warn({ err: error }, 'reminder sweep failed; the next one tries again'))
        .finally(() => {
          this.#sweeping = null;
          this.#scheduleSweep(this.#d.sweepMs);
        });
    }, delayMs);
    this.#sweepTimer.unref();
  }

  /** Publishes calendar changes no job was queued for, then sends whatever is due and unsent. */
  async sweep(): Promise<void> {
    const { rows: changed } = await sql<{ id: string }>`
      select s.id from spaces s left join space_calendars c on c.space_id = s.id
      where s.scheduled_for is not null and (
        (s.status = 'scheduled' and (c.space_id is null or c.starts_at <> s.scheduled_for or c.title <> s.title or c.cancelled))
        or (s.status = 'cancelled' and c.space_id is not null and not c.cancelled))
      limit 1000`.execute(this.#d.db);
    for (const { id } of changed) {
      if (this.#closed) return;
      await this.syncSpace(id);
    }
    const now = this.#now();
    const { rows: due } = await sql<{ id: string }>`
      select s.id from spaces s
      where s.status in ('scheduled', 'live') and s.scheduled_for is not null
        and s.scheduled_for > ${new Date(now.getTime() - LATE_LIMIT_MINUTES * 60_000)}
        and s.scheduled_for <= ${new Date(now.getTime() + MINUTES_BEFORE_MAX * 60_000)}
        and (exists (select 1 from reminders r where r.space_id = s.id)
             or exists (select 1 from creator_reminders o where o.creator_id = s.host_account_id))
      limit 1000`.execute(this.#d.db);
    // Pages already queued in this round are not queued again; the next round queues what is still unsent.
    const round = `sweep-${Math.floor(Date.now() / this.#d.sweepMs)}`;
    for (const { id } of due) {
      if (this.#closed) return;
      await this.fanOut(id, round);
    }
  }

  /**
   * Brings a Space's calendar entry and its due jobs in line with the Space: called when it is
   * scheduled, edited or cancelled (and by the sweep). A change bumps SEQUENCE and queues the
   * e-mail of the new version, in the same transaction; a move queues jobs at the new due times
   * and cancels the old ones.
   */
  async syncSpace(spaceId: string): Promise<void> {
    const space = await loadSpace(this.#d.db, spaceId);
    if (!space || space.scheduledFor === null || (space.status !== 'scheduled' && space.status !== 'cancelled')) return;
    const current = { startsAt: space.scheduledFor, title: space.title, cancelled: space.status === 'cancelled' };
    const leads = await leadTimes(this.#d.db, space);
    const moved = await this.#d.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('space_calendars')
        .values({ space_id: spaceId, sequence: 0, starts_at: current.startsAt, title: current.title, cancelled: current.cancelled })
        .onConflict((oc) => oc.column('space_id').doNothing())
        .returning('space_id')
        .execute();
      if (inserted.length > 0) {
        if (!current.cancelled) await this.#queueDue(trx, space, current.startsAt, leads);
        return null;
      }
      const published = await trx.selectFrom('space_calendars').selectAll().where('space_id', '=', spaceId).forUpdate().executeTakeFirstOrThrow();
      if (!calendarChanged({ startsAt: published.starts_at, title: published.title, cancelled: published.cancelled }, current)) return null;
      const sequence = Number(published.sequence) + 1;
      await trx.updateTable('space_calendars').set({ sequence, starts_at: current.startsAt, title: current.title, cancelled: current.cancelled, updated_at: this.#now() }).where('space_id', '=', spaceId).execute();
      await this.#d.jobs.send<CalendarJob>(CALENDAR_QUEUE, { spaceId, sequence }, { key: calendarJobKey(spaceId, sequence), trx });
      if (!current.cancelled) await this.#queueDue(trx, space, current.startsAt, leads);
      return published.starts_at.getTime() !== current.startsAt.getTime() || current.cancelled ? published.starts_at : null;
    });
    if (moved) await this.#cancelDue(spaceId, moved, leads);
  }

  /** Queues the due jobs of one reminder on a Space starting at `startsAt`, in `trx` if given (keys make a repeat a no-op). */
  async queueDueIn(trx: Transaction<Tables> | undefined, spaceId: string, startsAt: Date, minutesBefore: number | null): Promise<void> {
    await this.#queueDue(trx, { id: spaceId }, startsAt, minutesBefore === null ? [] : [minutesBefore]);
  }

  async #queueDue(trx: Transaction<Tables> | undefined, space: { id: string }, startsAt: Date, leads: number[]): Promise<void> {
    const now = this.#now().getTime();
    const times = new Set<number>([startsAt.getTime(), ...leads.map((m) => startsAt.getTime() - m * 60_000)]);
    for (const at of times) {
      if (at < now - LATE_LIMIT_MINUTES * 60_000) continue;
      const dueAt = new Date(at);
      await this.#d.jobs.send<DueJob>(DUE_QUEUE, { spaceId: space.id }, { startAfter: dueAt, key: dueJobKey(space.id, dueAt), ...(trx ? { trx } : {}) });
    }
  }

  async #cancelDue(spaceId: string, oldStart: Date, leads: number[]): Promise<void> {
    for (const at of new Set([oldStart.getTime(), ...leads.map((m) => oldStart.getTime() - m * 60_000)])) {
      try {
        await this.#d.jobs.cancel(DUE_QUEUE, this.#d.jobIdOf(DUE_QUEUE, dueJobKey(spaceId, new Date(at))));
      } catch (error) {
        // A job left behind finds nothing due for the old time when it runs: harmless.
        this.#log.debug({ err: error, spaceId }, 'an old reminder job could not be cancelled');
      }
    }
  }

  /**
   * Queues one batch job per page of at most `pageSize` holders for whom a reminder of the Space is
   * due now and not yet sent (pages of the holders of one kind and lead time, in order of account
   * id, keyed by their first holder: a second run queues no page again). Returns the jobs queued.
   */
  async fanOut(spaceId: string, round?: string): Promise<number> {
    const space = await loadSpace(this.#d.db, spaceId);
    if (!space || space.scheduledFor === null) return 0;
    const now = this.#now();
    const startsAt = space.scheduledFor;
    const moment = { status: space.status, startsAt, startedAt: space.startedAt };
    const startDue = space.startedAt && space.startedAt < startsAt ? space.startedAt : startsAt;
    const holders = await loadHolders(this.#d.db, space);
    if (holders.length === 0) return 0;
    const [states, pushTargets] = await Promise.all([this.#ledger.states(spaceId), loadPushTargets(this.#d.db, space)]);
    // Each group (the start; "N minutes before" for each N) in order of account id, with whether anything is left to send.
    const groups = new Map<string, { kind: ReminderKind; minutesBefore: number | null; holders: Array<{ accountId: string; pending: boolean }> }>();
    for (const holder of holders) {
      for (const due of dueTimes(startsAt, holder.minutesBefore)) {
        if (decideDelivery(due.kind, due.kind === 'start' ? startDue : due.at, moment, now).action !== 'send') continue;
        const minutesBefore = due.kind === 'before' ? holder.minutesBefore : null;
        const name = `${due.kind}${minutesBefore ?? ''}`;
        const group = groups.get(name) ?? { kind: due.kind, minutesBefore, holders: [] };
        groups.set(name, group);
        const pending = this.#channels(holder, pushTargets).some((channel) => DeliveryLedger.claimable(states.get(deliveryKey(holder.accountId, spaceId, channel, due.kind, startsAt)), now));
        group.holders.push({ accountId: holder.accountId, pending });
      }
    }
    let queued = 0;
    for (const group of groups.values()) {
      for (let i = 0; i < group.holders.length; i += this.#pageSize) {
        const page = group.holders.slice(i, i + this.#pageSize);
        if (!page.some((holder) => holder.pending)) continue;
        const job: BatchJob = { spaceId, startsAt: startsAt.toISOString(), kind: group.kind, minutesBefore: group.minutesBefore, firstAccountId: page[0]!.accountId, lastAccountId: page.at(-1)!.accountId };
        if ((await this.#d.jobs.send<BatchJob>(BATCH_QUEUE, job, { key: batchJobKey(job, round) })) !== null) queued++;
      }
    }
    if (queued > 0) this.#log.info({ spaceId, queued, round }, 'reminder pages queued');
    return queued;
  }

  /** Sends one page's reminders (its holders, kind and lead time) that are due now and not yet sent; nothing if the Space moved since. Throws when some failed (the job retries). */
  async deliverBatch(job: BatchJob): Promise<void> {
    await this.#deliver(job.spaceId, job);
  }

  /** Sends every timed reminder (e-mail, push) of the Space that is due now and not yet sent, in this call. Throws when some failed. */
  async deliverDue(spaceId: string): Promise<void> {
    await this.#deliver(spaceId, null);
  }

  async #deliver(spaceId: string, batch: BatchJob | null): Promise<void> {
    const space = await loadSpace(this.#d.db, spaceId);
    if (!space || space.scheduledFor === null) return;
    if (batch && space.scheduledFor.toISOString() !== batch.startsAt) return; // moved: the new occurrence has its own pages
    const now = this.#now();
    const startsAt = space.scheduledFor;
    const moment = { status: space.status, startsAt, startedAt: space.startedAt };
    // A Space that went live early: its start reminder is due when it went live.
    const startDue = space.startedAt && space.startedAt < startsAt ? space.startedAt : startsAt;
    const range: HolderRange | undefined = batch ? { first: batch.firstAccountId, last: batch.lastAccountId } : undefined;
    const holders = await loadHolders(this.#d.db, space, range);
    if (holders.length === 0) return;
    const [states, pushTargets] = await Promise.all([this.#ledger.states(spaceId, range), loadPushTargets(this.#d.db, space, range)]);
    const info = this.#spaceInfo(space, startsAt);
    const ics = holders.some((holder) => holder.byEmail && holder.email) ? spaceCalendar(await this.#calendarSpace(info, false), { domain: this.#domain(), method: 'publish', now }) : '';
    const work: Work[] = [];
    for (const holder of holders) {
      for (const due of dueTimes(startsAt, holder.minutesBefore)) {
        if (batch && (due.kind !== batch.kind || (due.kind === 'before' && holder.minutesBefore !== batch.minutesBefore))) continue;
        const decision = decideDelivery(due.kind, due.kind === 'start' ? startDue : due.at, moment, now);
        if (decision.action !== 'send') continue;
        for (const channel of this.#channels(holder, pushTargets)) {
          const key = deliveryKey(holder.accountId, spaceId, channel, due.kind, startsAt);
          if (!DeliveryLedger.claimable(states.get(key), now)) continue;
          work.push({ item: { key, accountId: holder.accountId, spaceId, channel }, send: () => this.#sendTimed(channel, due.kind, key, holder, info, decision, pushTargets.get(holder.accountId) ?? [], ics) });
        }
      }
    }
    await this.#run(work);
  }

  #channels(holder: Holder, pushTargets: Map<string, PushRow[]>): TimedChannel[] {
    const channels: TimedChannel[] = [];
    if (holder.byEmail && holder.email && this.#d.mailer) channels.push('email');
    if (holder.byPush && (pushTargets.get(holder.accountId)?.length ?? 0) > 0) channels.push('push');
    return channels;
  }

  async #sendTimed(channel: TimedChannel, kind: ReminderKind, key: string, holder: Holder, space: ReminderSpace, timing: Timing, targets: PushRow[], ics: string): Promise<'sent' | 'skipped'> {
    if (channel === 'email') {
      const unsubscribeUrl = this.#unsubscribeUrl(holder.unsubscribeToken!);
      const content = reminderEmail(space, timing, { timeZone: holder.timeZone, unsubscribeUrl });
      await this.#d.mailer!.send({ to: holder.email!, ...content, idempotencyKey: key, unsubscribeUrl, calendar: { content: ics, as: 'attachment', method: 'PUBLISH' } });
      return 'sent';
    }
    const payload = reminderPush(space, timing);
    let sent = false;
    let lastError: unknown = null;
    for (const target of targets) {
      try {
        const result = await this.#d.push.send(target, { ...payload, tag: `${payload.tag}-${kind}` }, key);
        if (result === 'gone') await this.#d.db.deleteFrom('push_subscriptions').where('id', '=', target.id).execute();
        else sent = true;
      } catch (error) {
        lastError = error;
      }
    }
    if (sent) return 'sent';
    if (lastError) throw lastError;
    return 'skipped';
  }

  /** E-mails the Space's current calendar entry (SEQUENCE `sequence`) to who added it (or to `onlyAccountId`). */
  async deliverCalendar(spaceId: string, sequence: number, onlyAccountId?: string): Promise<void> {
    if (!this.#d.mailer) return;
    const space = await loadSpace(this.#d.db, spaceId);
    const published = await this.#d.db.selectFrom('space_calendars').selectAll().where('space_id', '=', spaceId).executeTakeFirst();
    if (!space || !published || Number(published.sequence) !== sequence || space.timeZone === null) return; // a newer version supersedes this one
    if (space.status !== 'scheduled' && space.status !== 'cancelled') return;
    const now = this.#now();
    const holders = (await loadHolders(this.#d.db, space, onlyAccountId)).filter((holder) => holder.byCalendar && holder.email);
    const states = await this.#ledger.states(spaceId);
    const info = this.#spaceInfo(space, published.starts_at);
    const cancelled = published.cancelled;
    const calendar = await this.#calendarSpace(info, cancelled, sequence, space.timeZone);
    const ics = spaceCalendar(calendar, { domain: this.#domain(), method: cancelled ? 'cancel' : 'request', now });
    const change = cancelled ? 'cancelled' : sequence === 0 || onlyAccountId ? 'added' : 'moved';
    const work: Work[] = [];
    for (const holder of holders) {
      const key = calendarKey(holder.accountId, spaceId, sequence);
      if (!DeliveryLedger.claimable(states.get(key), now)) continue;
      work.push({
        item: { key, accountId: holder.accountId, spaceId, channel: 'calendar' },
        send: async () => {
          const unsubscribeUrl = this.#unsubscribeUrl(holder.unsubscribeToken!);
          const content = calendarEmail(info, change, { timeZone: holder.timeZone, unsubscribeUrl });
          await this.#d.mailer!.send({ to: holder.email!, ...content, idempotencyKey: key, unsubscribeUrl, calendar: { content: ics, as: 'invitation', method: cancelled ? 'CANCEL' : 'REQUEST' } });
          return 'sent';
        },
      });
    }
    await this.#run(work);
  }

  /**
   * Sends `work` 16 at a time. Each item is claimed just before it is sent (so its lease covers its
   * own send, not the wait behind the others), then recorded; throws after all ran if any failed.
   */
  async #run(work: Work[]): Promise<void> {
    if (work.length === 0) return;
    let sent = 0;
    let failures = 0;
    let next = 0;
    const lane = async () => {
      while (next < work.length && !this.#closed) {
        const w = work[next++]!;
        const owned = await this.#ledger.claim([w.item], this.#now());
        if (!owned.has(w.item.key)) continue; // another sender has it, or it is done
        try {
          const result = await w.send();
          if (result === 'sent') await this.#ledger.sent(w.item.key, this.#now());
          else await this.#ledger.skipped(w.item.key, this.#now(), 'nowhere to send it');
          sent++;
        } catch (error) {
          failures++;
          this.#log.warn({ err: error, key: w.item.key }, 'a reminder could not be sent; it will be retried');
          await this.#ledger.failed(w.item.key, this.#now(), error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, work.length) }, lane));
    if (sent + failures > 0) this.#log.info({ spaceId: work[0]!.item.spaceId, sent, failed: failures }, 'reminders sent');
    if (failures > 0) throw new Error(`${failures} reminder(s) failed; they will be retried`);
  }

  #spaceInfo(space: ReminderSpaceRow, startsAt: Date): ReminderSpace & { timeZone: string } {
    return { id: space.id, title: space.title, hostName: space.hostName, startsAt, link: `${this.#d.baseUrl()}/s/${space.id}`, timeZone: space.timeZone ?? 'UTC' };
  }

  async #calendarSpace(space: ReminderSpace & { timeZone?: string }, cancelled: boolean, sequence?: number, timeZone?: string): Promise<CalendarSpace> {
    let seq = sequence;
    if (seq === undefined) {
      const row = await this.#d.db.selectFrom('space_calendars').select('sequence').where('space_id', '=', space.id).executeTakeFirst();
      seq = Number(row?.sequence ?? 0);
    }
    return { id: space.id, title: space.title, startsAt: space.startsAt, timeZone: timeZone ?? space.timeZone ?? 'UTC', hostName: space.hostName, link: space.link, sequence: seq, cancelled };
  }

  #unsubscribeUrl(token: string): string {
    return `${this.#d.baseUrl()}/api/reminders/unsubscribe?token=${token}`;
  }

  #domain(): string {
    return new URL(this.#d.baseUrl()).hostname || 'spacecraft.invalid';
  }
}
