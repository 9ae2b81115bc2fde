/**
 * `npm run bench:tickets`: ticket sales through one whole server (one node: HTTP, the ticket
 * store, the real `stripe` SDK against the local stub), per backend (PGlite on a data folder,
 * PostgreSQL): **checkouts started per second** (POST /checkout: a seat held, a Checkout Session
 * created at the stub, the session recorded) and **webhook events processed per second**
 * (`checkout.session.completed`, signed by the SDK's own helper, POSTed to /api/stripe/webhooks:
 * verified, recorded and applied in one transaction), first deliveries and duplicates. Requests run
 * `--concurrency` at a time. Loopback only; prints a table.
 *
 *   node test/bench/tickets/run.ts [--buyers 400] [--concurrency 32] [--backends pglite,postgres]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { newSessionToken } from '../../../server/accounts/session-token.ts';
import { loadConfig } from '../../../server/config.ts';
import { newSpaceId } from '../../../server/db/space-store.ts';
import { startServer, type RunningServer } from '../../../server/server.ts';
import { percentile } from '../../support/percentiles.ts';
import { startPostgres, type TestPostgres } from '../../support/postgres.ts';
import { StripeStub } from '../../support/stripe-stub.ts';
import { runBench } from '../run-bench.ts';

const { values } = parseArgs({ options: { buyers: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '32' }, backends: { type: 'string', default: 'pglite,postgres' } } });
const BUYERS = Number(values.buyers);
const CONCURRENCY = Number(values.concurrency);
const BACKENDS = values.backends.split(',') as Array<'pglite' | 'postgres'>;
const logger = pino({ level: process.env['BENCH_LOG_LEVEL'] ?? 'silent' });
const cleanups: Array<() => unknown> = [];

type Row = { backend: string; what: string; n: number; perSecond: number; p50: number; p95: number; ok: number; load: string };

/** Runs `tasks` `CONCURRENCY` at a time; each one's latency in ms and the wall time. */
async function pool<T>(tasks: Array<() => Promise<T>>): Promise<{ results: T[]; latencies: number[]; seconds: number }> {
  const results: T[] = new Array(tasks.length);
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        const t0 = performance.now();
        results[i] = await tasks[i]!();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { results, latencies, seconds: (performance.now() - started) / 1000 };
}

async function seed(server: RunningServer) {
  const db = server.database.db;
  const rows = await db
    .insertInto('accounts')
    .values(Array.from({ length: BUYERS + 1 }, (_, i) => ({ handle: `bench_${i}`, display_name: `Bench ${i}`, password_hash: 'x' })))
    .returning('id')
    .execute();
  const sessions = rows.map((row) => ({ id: row.id, ...newSessionToken() }));
  for (let i = 0; i < sessions.length; i += 500) {
    await db
      .insertInto('sessions')
      .values(sessions.slice(i, i + 500).map((s) => ({ token_hash: s.hash, account_id: s.id, expires_at: new Date(Date.now() + 86_400_000) })))
      .execute();
  }
  const spaceId = newSpaceId();
  await db.insertInto('spaces').values({ id: spaceId, host_account_id: rows[0]!.id, title: 'Bench show', status: 'scheduled', scheduled_for: new Date(Date.now() + 3600_000), time_zone: 'UTC' }).execute();
  return { host: sessions[0]!, buyers: sessions.slice(1), spaceId };
}

async function call(url: string, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function once(backend: 'pglite' | 'postgres', postgres: () => Promise<TestPostgres>): Promise<Row[]> {
  const load = () => loadavg()[0]!.toFixed(1);
  const loadBefore = load();
  const stub = await StripeStub.start();
  cleanups.push(() => stub.close());
  let databaseEnv: Record<string, string>;
  if (backend === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-bench-tickets-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    databaseEnv = { SPACECRAFT_DATA_DIR: dir };
  } else {
    databaseEnv = { DATABASE_URL: await (await postgres()).createDatabase() };
  }
  const config = loadConfig({ SPACECRAFT_PORT: '0', SPACECRAFT_WORKERS: '1', SPACECRAFT_DEMO_DATA: 'false', SPACECRAFT_HOST_MIN_FOLLOWERS: '0', SPACECRAFT_IP_JOINS_PER_MINUTE: '100000', ...databaseEnv, ...stub.env() });
  const server = await startServer(config, logger);
  cleanups.push(() => server.close());
  const { host, buyers, spaceId } = await seed(server);
  if ((await call(server.url, 'POST', '/api/accounts/me/payouts', host.token, {})).status !== 200) throw new Error('payouts set-up failed');
  stub.finishOnboarding([...stub.state.accounts.keys()].at(-1)!);
  await call(server.url, 'GET', '/api/accounts/me/payouts', host.token);
  const priced = await call(server.url, 'PUT', `/api/spaces/${spaceId}/tickets`, host.token, { currency: 'usd', amount: 700, capacity: 100_000 });
  if (priced.status !== 200) throw new Error(`pricing failed: ${JSON.stringify(priced.body)}`);

  const checkouts = await pool(buyers.map((b) => () => call(server.url, 'POST', `/api/spaces/${spaceId}/checkout`, b.token, {})));
  const started = checkouts.results.filter((r) => r.status === 201);
  if (started.length === 0) throw new Error(`no checkout started: ${JSON.stringify(checkouts.results[0]?.body)}`);

  // Buyers pay at the stub; its events are kept (no webhook URL yet), then delivered CONCURRENCY at a time.
  for (const answer of started) stub.payCheckout(answer.body['sessionId'] as string);
  const completed = stub.state.events.filter((e) => e.type === 'checkout.session.completed');
  stub.webhookUrl = `${server.url}/api/stripe/webhooks`;
  const first = await pool(completed.map((event) => () => stub.deliver(event)));
  const again = await pool(completed.map((event) => () => stub.deliver(event)));
  const sold = (await call(server.url, 'GET', `/api/spaces/${spaceId}/sales`, host.token)).body['sold'];
  if (sold !== completed.length) throw new Error(`sold ${String(sold)}, expected ${completed.length}`);
  const loadAfter = load();
  const row = (what: string, run: { latencies: number[]; seconds: number }, ok: number): Row => ({
    backend,
    what,
    n: run.latencies.length,
    perSecond: run.latencies.length / run.seconds,
    p50: percentile(run.latencies, 50),
    p95: percentile(run.latencies, 95),
    ok,
    load: `${loadBefore} → ${loadAfter}`,
  });
  const rows = [
    row('checkouts started (POST /checkout)', checkouts, started.length),
    row('webhook events, first delivery', first, first.results.filter((s) => s[0] === 200).length),
    row('webhook events, duplicates', again, again.results.filter((s) => s[0] === 200).length),
  ];
  await server.close();
  await stub.close();
  return rows;
}

async function main(): Promise<void> {
  let postgres: Promise<TestPostgres> | null = null;
  const getPostgres = () => (postgres ??= startPostgres().then((pg) => (cleanups.push(() => pg.stop()), pg)));
  const rows: Row[] = [];
  for (const backend of BACKENDS) rows.push(...(await once(backend, getPostgres)));
  console.log(`\nticket sales on one node: ${BUYERS} buyers, ${CONCURRENCY} requests at a time (loopback, the stripe SDK against the local stub)\n`);
  const header = ['backend', 'what', 'n', 'ok', 'per s', 'p50 ms', 'p95 ms', 'load 1 min'];
  const table = rows.map((r) => [r.backend, r.what, String(r.n), String(r.ok), r.perSecond.toFixed(0), r.p50.toFixed(1), r.p95.toFixed(1), r.load]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  for (const line of [header, ...table]) console.log(line.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
}

await runBench(main, 20 * 60_000, cleanups);
