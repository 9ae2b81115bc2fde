/**
 * `npm run bench:reminders`: one Space with 10,000 reminder holders (each with e-mail and a browser
 * subscribed to push), due a few seconds ahead as a real pg-boss job; the server's delivery engine
 * sends to a local SMTP server (smtp-server, messages not parsed) and a local push service (VAPID
 * checked, every payload decrypted, RFC 8291). Per backend (PGlite on a data folder, PostgreSQL):
 * reminders delivered per second (e-mail and push together, and each), and the delay from the due
 * time to the first and to the last one received. Loopback only; prints a table.
 *
 *   node test/bench/reminders/run.ts [--holders 10000] [--backends pglite,postgres]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import webpush from 'web-push';
import type { DatabaseConfig } from '../../../server/config.ts';
import { Database } from '../../../server/db/database.ts';
import { JobQueue } from '../../../server/jobs/job-queue.ts';
import { SmtpMailer } from '../../../server/reminders/mailer.ts';
import { WebPushSender } from '../../../server/reminders/push-sender.ts';
import { ReminderDelivery } from '../../../server/reminders/reminder-delivery.ts';
import { startPostgres, type TestPostgres } from '../../support/postgres.ts';
import { PushEndpoint } from '../../support/push-endpoint.ts';
import { SmtpSink } from '../../support/smtp-sink.ts';
import { runBench } from '../run-bench.ts';

const { values } = parseArgs({ options: { holders: { type: 'string', default: '10000' }, backends: { type: 'string', default: 'pglite,postgres' } } });
const HOLDERS = Number(values.holders);
const BACKENDS = values.backends.split(',') as Array<'pglite' | 'postgres'>;
const logger = pino({ level: process.env['BENCH_LOG_LEVEL'] ?? 'warn' });
const cleanups: Array<() => unknown> = [];

type Result = { backend: string; setupS: number; firstMs: number; lastMs: number; lastEmailMs: number; lastPushMs: number; perSecond: number; emailPerSecond: number; pushPerSecond: number; load: string };

async function once(backend: 'pglite' | 'postgres', postgres: () => Promise<TestPostgres>): Promise<Result> {
  const loadBefore = loadavg()[0]!.toFixed(1);
  let config: DatabaseConfig;
  if (backend === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-bench-reminders-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    config = { kind: 'pglite', dataDir: dir };
  } else {
    config = { kind: 'postgres', url: await (await postgres()).createDatabase() };
  }
  const sink = await SmtpSink.start({ parse: false });
  const push = await PushEndpoint.start();
  const database = await Database.open(config, logger);
  const jobs = await JobQueue.start(database, logger, { pollSeconds: 0.5 });
  const mailer = new SmtpMailer(sink.url, 'Spacecraft <reminders@bench.test>');
  const delivery = new ReminderDelivery({ db: database.db, jobs, jobIdOf: JobQueue.idOf, mailer, push: new WebPushSender(webpush.generateVAPIDKeys(), 'mailto:r@bench.test'), logger, leaseMs: 120_000, sweepMs: 3_600_000, baseUrl: () => 'http://bench.test' });
  const closeAll = async () => {
    await delivery.close();
    mailer.close();
    await jobs.stop(2_000);
    await database.close();
    await sink.close();
    await push.close();
  };
  try {
    const setupStarted = Date.now();
    const db = database.db;
    const host = (await db.insertInto('accounts').values({ handle: 'bench_host', display_name: 'Bench Host', password_hash: 'disabled' }).returning('id').executeTakeFirstOrThrow()).id;
    await db.insertInto('spaces').values({ id: 'benchspace', host_account_id: host, title: 'Bench Space', status: 'scheduled', scheduled_for: new Date(Date.now() + 3600_000), time_zone: 'Europe/Paris' }).execute();
    const subscriptions = Array.from({ length: HOLDERS }, () => push.subscription());
    for (let i = 0; i < HOLDERS; i += 1000) {
      const slice = Array.from({ length: Math.min(1000, HOLDERS - i) }, (_, k) => i + k);
      const ids = await db.insertInto('accounts').values(slice.map((n) => ({ handle: `holder_${n}`, display_name: `Holder ${n}`, password_hash: 'disabled' }))).returning('id').execute();
      await db.insertInto('reminder_contacts').values(ids.map((row, k) => ({ account_id: row.id, email: `holder${slice[k]}@bench.test`, time_zone: 'America/New_York', unsubscribe_token: `${String(slice[k]).padStart(43, 'u')}` }))).execute();
      await db.insertInto('push_subscriptions').values(ids.map((row, k) => ({ account_id: row.id, endpoint: subscriptions[slice[k]!]!.endpoint, p256dh: subscriptions[slice[k]!]!.keys.p256dh, auth: subscriptions[slice[k]!]!.keys.auth }))).execute();
      await db.insertInto('reminders').values(ids.map((row) => ({ account_id: row.id, space_id: 'benchspace', by_email: true, by_push: true, by_calendar: false, minutes_before: null }))).execute();
    }
    // Due in 5 s, whole seconds; the due job is queued the way a schedule change queues it.
    const dueAt = new Date(Math.ceil(Date.now() / 1000 + 5) * 1000);
    await db.updateTable('spaces').set({ scheduled_for: dueAt }).where('id', '=', 'benchspace').execute();
    await delivery.start();
    await delivery.syncSpace('benchspace');
    const setupS = (Date.now() - setupStarted) / 1000;
    const deadline = Date.now() + 30 * 60_000;
    while (sink.all.length < HOLDERS || push.messages.length < HOLDERS) {
      if (Date.now() > deadline) throw new Error(`only ${sink.all.length} e-mails and ${push.messages.length} pushes after 30 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (push.errors.length > 0) throw new Error(`the push service refused ${push.errors.length}: ${push.errors[0]}`);
    const due = dueAt.getTime();
    const first = Math.min(sink.arrivals[0]!, push.arrivals[0]!);
    const lastEmail = Math.max(...sink.arrivals);
    const lastPush = Math.max(...push.arrivals);
    const last = Math.max(lastEmail, lastPush);
    return {
      backend,
      setupS,
      firstMs: first - due,
      lastMs: last - due,
      lastEmailMs: lastEmail - due,
      lastPushMs: lastPush - due,
      perSecond: (2 * HOLDERS) / ((last - first) / 1000),
      emailPerSecond: HOLDERS / ((lastEmail - sink.arrivals[0]!) / 1000),
      pushPerSecond: HOLDERS / ((lastPush - push.arrivals[0]!) / 1000),
      load: `${loadBefore} → ${loadavg()[0]!.toFixed(1)}`,
    };
  } finally {
    await closeAll();
  }
}

async function main(): Promise<void> {
  let postgres: Promise<TestPostgres> | null = null;
  const startPg = () => (postgres ??= startPostgres().then((pg) => (cleanups.push(() => pg.stop()), pg)));
  const results: Result[] = [];
  for (const backend of BACKENDS) {
    console.log(`${backend}: ${HOLDERS} holders…`);
    results.push(await once(backend, startPg));
  }
  console.log(`\nOne Space, ${HOLDERS.toLocaleString('en')} reminder holders, each by e-mail and push (${(2 * HOLDERS).toLocaleString('en')} sends); times from the due time`);
  console.log('backend    delivered/s  e-mail/s  push/s  first ms  last e-mail ms  last push ms  last ms  setup s  load avg');
  for (const r of results) {
    console.log(
      `${r.backend.padEnd(9)} ${r.perSecond.toFixed(0).padStart(12)} ${r.emailPerSecond.toFixed(0).padStart(9)} ${r.pushPerSecond.toFixed(0).padStart(7)} ${r.firstMs.toFixed(0).padStart(9)} ${r.lastEmailMs.toFixed(0).padStart(15)} ${r.lastPushMs.toFixed(0).padStart(13)} ${r.lastMs.toFixed(0).padStart(8)} ${r.setupS.toFixed(1).padStart(8)}  ${r.load}`,
    );
  }
}

await runBench(main, 60 * 60_000, cleanups);
