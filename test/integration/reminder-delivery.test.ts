/**
 * The delivery engine driven by a clock the test controls (its `now()`), on PGlite and PostgreSQL,
 * with a real SMTP server and a local push service: nothing before the due time; "N minutes
 * before" at its time; a start reminder sent late says how long ago the Space started; a "before"
 * reminder whose start passed is dropped; nothing for an ended Space or past the late limit; a
 * failed send is retried after its back-off and sent once; a vanished push subscription is removed.
 * A Space with more holders than a page fans out into several batch jobs (real pg-boss), each
 * holder told once, and a second fan-out queues no page again.
 */
import { pino } from 'pino';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Database } from '../../server/db/database.ts';
import { LATE_LIMIT_MINUTES } from '../../server/domain/reminders.ts';
import { JobQueue } from '../../server/jobs/job-queue.ts';
import { SmtpMailer } from '../../server/reminders/mailer.ts';
import { WebPushSender } from '../../server/reminders/push-sender.ts';
import { ReminderDelivery } from '../../server/reminders/reminder-delivery.ts';
import { BATCH_QUEUE, type BatchJob } from '../../server/reminders/reminder-jobs.ts';
import { PushEndpoint } from '../support/push-endpoint.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { BACKENDS, useTestDatabases } from '../support/test-databases.ts';

const logger = pino({ level: 'silent' });
const databases = useTestDatabases();
const MINUTE = 60_000;

describe.each(BACKENDS)('reminder delivery on %s, on a controlled clock', { timeout: 60_000 }, (backend) => {
  let database: Database;
  let jobs: JobQueue;
  let sink: SmtpSink;
  let push: PushEndpoint;
  let delivery: ReminderDelivery;
  let clock = new Date();
  let hostId: string;
  let n = 0;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    push = await PushEndpoint.start();
    database = await Database.open(await databases.fresh(backend), logger);
    jobs = await JobQueue.start(database, logger, { pollSeconds: 0.5 });
    const mailer = new SmtpMailer(sink.url, 'Spacecraft <reminders@spaces.test>');
    delivery = new ReminderDelivery({ db: database.db, jobs, jobIdOf: JobQueue.idOf, mailer, push: new WebPushSender(webpush.generateVAPIDKeys(), 'mailto:r@spaces.test'), logger, now: () => clock, leaseMs: 30_000, sweepMs: 3_600_000, baseUrl: () => 'http://spaces.test' });
    hostId = (await database.db.insertInto('accounts').values({ handle: 'host', display_name: 'The Host', password_hash: 'disabled' }).returning('id').executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => {
    await delivery?.close();
    await jobs?.stop(1_000);
    await database?.close();
    await sink?.close();
    await push?.close();
  });

  /** A Space starting at `startsAt` (far from the real clock: no job of pg-boss fires in this test) and a listener with a reminder. */
  async function setUp(startsAt: Date, reminder: { email?: boolean; push?: boolean; minutesBefore?: number | null }, status: 'scheduled' | 'live' | 'ended' = 'scheduled') {
    n++;
    const spaceId = `space${n}`;
    await database.db.insertInto('spaces').values({ id: spaceId, host_account_id: hostId, title: `Space ${n}`, status, scheduled_for: startsAt, time_zone: 'Europe/Paris', ...(status !== 'scheduled' ? { started_at: startsAt } : {}), ...(status === 'ended' ? { ended_at: new Date(startsAt.getTime() + MINUTE) } : {}) }).execute();
    const account = (await database.db.insertInto('accounts').values({ handle: `listener${n}`, display_name: `Listener ${n}`, password_hash: 'disabled' }).returning('id').executeTakeFirstOrThrow()).id;
    const email = `listener${n}@example.com`;
    await database.db.insertInto('reminder_contacts').values({ account_id: account, email, time_zone: 'Asia/Tokyo', unsubscribe_token: `${'t'.repeat(40)}${String(n).padStart(3, '0')}` }).execute();
    const subscription = push.subscription();
    await database.db.insertInto('push_subscriptions').values({ account_id: account, endpoint: subscription.endpoint, p256dh: subscription.keys.p256dh, auth: subscription.keys.auth }).execute();
    await database.db.insertInto('reminders').values({ account_id: account, space_id: spaceId, by_email: reminder.email ?? true, by_push: reminder.push ?? false, by_calendar: false, minutes_before: reminder.minutesBefore ?? null }).execute();
    return { spaceId, email, subscription };
  }

  const farStart = () => new Date(Date.now() + 10 * 24 * 60 * MINUTE + n * MINUTE);

  it('sends nothing early, "N minutes before" at its time, and the start reminder late with how long ago it started', async () => {
    const startsAt = farStart();
    const { spaceId, email } = await setUp(startsAt, { minutesBefore: 15 });
    clock = new Date(startsAt.getTime() - 20 * MINUTE);
    await delivery.deliverDue(spaceId);
    expect(sink.to(email)).toHaveLength(0);

    clock = new Date(startsAt.getTime() - 15 * MINUTE);
    await delivery.deliverDue(spaceId);
    await delivery.deliverDue(spaceId); // a job that runs twice sends once
    expect(sink.to(email).map((m) => m.subject)).toEqual(['Space 1 starts in 15 minutes']);

    // The server was down at the start; it is back 12 minutes later.
    clock = new Date(startsAt.getTime() + 12 * MINUTE);
    await delivery.deliverDue(spaceId);
    expect(sink.to(email).map((m) => m.subject)).toEqual(['Space 1 starts in 15 minutes', 'Space 1 started 12 minutes ago']);
    expect(sink.to(email)[1]!.text).toContain('(Asia/Tokyo)');
    await delivery.deliverDue(spaceId);
    expect(sink.all.filter((m) => m.envelopeTo.includes(email))).toHaveLength(2);
  });

  it('drops a "before" reminder once the start passed, and sends nothing for an ended Space or past the late limit', async () => {
    const late = await setUp(farStart(), { minutesBefore: 30 });
    clock = new Date((await database.db.selectFrom('spaces').select('scheduled_for').where('id', '=', late.spaceId).executeTakeFirstOrThrow()).scheduled_for!.getTime() + 2 * MINUTE);
    await delivery.deliverDue(late.spaceId);
    expect(sink.to(late.email).map((m) => m.subject)).toEqual(['Space 2 started 2 minutes ago']);

    const endedStart = farStart();
    const ended = await setUp(endedStart, { push: true }, 'ended');
    clock = new Date(endedStart.getTime() + 30_000);
    await delivery.deliverDue(ended.spaceId);
    expect(sink.to(ended.email)).toHaveLength(0);
    expect(push.messages.filter((m) => m.subscription === ended.subscription.id)).toHaveLength(0);

    const tooLateStart = farStart();
    const tooLate = await setUp(tooLateStart, {});
    clock = new Date(tooLateStart.getTime() + (LATE_LIMIT_MINUTES + 1) * MINUTE);
    await delivery.deliverDue(tooLate.spaceId);
    expect(sink.to(tooLate.email)).toHaveLength(0);
  });

  it('retries a failed send after its back-off and sends it once', async () => {
    const startsAt = farStart();
    const { spaceId, email, subscription } = await setUp(startsAt, { push: true });
    clock = startsAt;
    sink.failNext(1);
    push.failNext(1);
    await expect(delivery.deliverDue(spaceId)).rejects.toThrow(/2 reminder\(s\) failed/);
    const failed = await database.db.selectFrom('reminder_deliveries').select(['channel', 'status', 'attempts', 'detail']).where('space_id', '=', spaceId).orderBy('channel').execute();
    expect(failed.map((row) => [row.channel, row.status, Number(row.attempts)])).toEqual([['email', 'failed', 1], ['push', 'failed', 1]]);
    // Before the back-off: not taken again.
    clock = new Date(startsAt.getTime() + 5_000);
    await delivery.deliverDue(spaceId);
    expect(sink.to(email)).toHaveLength(0);
    clock = new Date(startsAt.getTime() + 20_000);
    await delivery.deliverDue(spaceId);
    await delivery.deliverDue(spaceId);
    expect(sink.to(email)).toHaveLength(1);
    expect(push.unique().filter((m) => m.subscription === subscription.id)).toHaveLength(1);
    const sent = await database.db.selectFrom('reminder_deliveries').select(['status', 'attempts']).where('space_id', '=', spaceId).execute();
    expect(sent.map((row) => [row.status, Number(row.attempts)])).toEqual([['sent', 2], ['sent', 2]]);
  });

  it('removes a push subscription the push service says is gone', async () => {
    const startsAt = farStart();
    const { spaceId, subscription } = await setUp(startsAt, { email: false, push: true });
    push.markGone(subscription.id);
    clock = startsAt;
    await delivery.deliverDue(spaceId);
    expect(await database.db.selectFrom('push_subscriptions').select('id').where('endpoint', '=', subscription.endpoint).execute()).toEqual([]);
    const [row] = await database.db.selectFrom('reminder_deliveries').select(['status', 'detail']).where('space_id', '=', spaceId).execute();
    expect(row).toMatchObject({ status: 'skipped' });
  });

  it('fans a Space with more holders than a page out into several batch jobs: each holder told once, a second fan-out queues nothing', async () => {
    const startsAt = farStart();
    const first = await setUp(startsAt, {});
    const emails = [first.email];
    for (let i = 0; i < 6; i++) {
      const account = (await database.db.insertInto('accounts').values({ handle: `crowd${n}_${i}`, display_name: `Crowd ${i}`, password_hash: 'disabled' }).returning('id').executeTakeFirstOrThrow()).id;
      const email = `crowd${n}-${i}@example.com`;
      emails.push(email);
      await database.db.insertInto('reminder_contacts').values({ account_id: account, email, time_zone: 'UTC', unsubscribe_token: `${'c'.repeat(39)}${n}${i}`.padEnd(43, 'x') }).execute();
      await database.db.insertInto('reminders').values({ account_id: account, space_id: first.spaceId, by_email: true, by_push: false, by_calendar: false, minutes_before: null }).execute();
    }
    const paged = new ReminderDelivery({ db: database.db, jobs, jobIdOf: JobQueue.idOf, mailer: new SmtpMailer(sink.url, 'Spacecraft <reminders@spaces.test>'), push: new WebPushSender(webpush.generateVAPIDKeys(), 'mailto:r@spaces.test'), logger, now: () => clock, leaseMs: 30_000, sweepMs: 3_600_000, baseUrl: () => 'http://spaces.test', pageSize: 3 });
    clock = startsAt;
    expect(await paged.fanOut(first.spaceId)).toBe(3); // 7 holders, pages of 3
    expect(await paged.fanOut(first.spaceId)).toBe(0); // the same pages: nothing queued again

    const ran: BatchJob[] = [];
    await jobs.work<BatchJob>(BATCH_QUEUE, async (job) => {
      ran.push(job);
      await paged.deliverBatch(job);
    }, { concurrency: 2 });
    await vi.waitFor(() => expect(emails.filter((email) => sink.to(email).length > 0)).toHaveLength(7), { timeout: 30_000, interval: 100 });
    expect(emails.map((email) => sink.to(email).length)).toEqual(Array(7).fill(1));
    expect(ran).toHaveLength(3);
    expect(new Set(ran.map((job) => job.firstAccountId)).size).toBe(3);
    const sent = await database.db.selectFrom('reminder_deliveries').select(['status']).where('space_id', '=', first.spaceId).execute();
    expect(sent.map((row) => row.status)).toEqual(Array(7).fill('sent'));
    // Everything sent: a later fan-out (a sweep's round) finds no page with anything left.
    expect(await paged.fanOut(first.spaceId, 'later')).toBe(0);
    await paged.close();
  });
});
