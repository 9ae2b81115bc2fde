/**
 * `npm run bench:join-db`: listener join → first audio with the database in the path, on PGlite
 * (a data folder on disk, as the app runs) and on PostgreSQL (a throwaway loopback cluster), in the
 * same run: two servers (`server/main.ts` as children, one worker each), each with a live Space
 * whose host publishes Opus; Node WebRTC listeners (@roamhq/wrtc under mediasoup-client, see
 * timed-listener.ts) join them in turn, alternating servers and kinds of join so that machine load
 * falls on both alike:
 *   - guest: no account (the database is not asked);
 *   - signed in: `signIn` with a session token (looked up by hash in the database, with the
 *     account's eligibility) before `joinSpace` (which checks the account's removals);
 *   - signed in, pre-joined: everything up to a paused consumer on a connected transport before
 *     the "click"; timed from `resumeConsumer` only (issue #8 point 6's plan).
 * Prints a table (p50/p95 and the steps' times after the click). Loopback only; bounded count and time.
 *
 *   node test/bench/database/run.ts [--joins 20] [--backends pglite,postgres]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_LISTENERS, DEMO_PASSWORD } from '../../../server/db/seed.ts';
import { percentile, summarize } from '../../support/percentiles.ts';
import { startPostgres, type TestPostgres } from '../../support/postgres.ts';
import { startServerChild, type ServerChild } from '../capacity/server-child.ts';
import { WrtcHost } from '../capacity/wrtc-peers.ts';
import { TimedListener, type JoinMode, type JoinSteps } from './timed-listener.ts';
import { runBench } from '../run-bench.ts';

const { values } = parseArgs({
  options: {
    joins: { type: 'string', default: '20' },
    backends: { type: 'string', default: 'pglite,postgres' },
  },
});
const JOINS = Number(values.joins);
const DEADLINE_MS = 240_000;
const log = (message: string) => process.stderr.write(`join-db: ${message}\n`);

type Backend = 'pglite' | 'postgres';
type Kind = { name: string; signedIn: boolean; mode: JoinMode };
const KINDS: Kind[] = [
  { name: 'guest', signedIn: false, mode: 'full' },
  { name: 'signed in', signedIn: true, mode: 'full' },
  { name: 'signed in, pre-joined (resume only)', signedIn: true, mode: 'prejoined' },
];
type Target = { backend: Backend; server: ServerChild; host: WrtcHost; token: string };

const cleanups: Array<() => unknown> = [];

async function signInListener(url: string): Promise<string> {
  const response = await fetch(`${url}/api/accounts/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ handle: DEMO_LISTENERS[2]!.handle, password: DEMO_PASSWORD }),
  });
  if (response.status !== 201) throw new Error(`the demo listener could not sign in: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

async function startTarget(backend: Backend, postgres: () => Promise<TestPostgres>): Promise<Target> {
  let env: Record<string, string>;
  if (backend === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-bench-pglite-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    env = { SPACECRAFT_DATA_DIR: dir };
  } else {
    env = { DATABASE_URL: await (await postgres()).createDatabase() };
  }
  const server = await startServerChild(process.cwd(), { env });
  cleanups.push(() => server.close());
  const host = new WrtcHost();
  cleanups.push(() => host.close());
  await host.start({ wsUrl: server.wsUrl, origin: server.url, sessionToken: server.hostToken });
  return { backend, server, host, token: await signInListener(server.url) };
}

const MARKS: Array<keyof JoinSteps> = ['socket', 'signIn', 'joinSpace', 'createTransport', 'consume', 'connectTransport', 'resumeConsumer', 'connected', 'firstAudio'];

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const backends = values.backends!.split(',') as Backend[];
  let pg: Promise<TestPostgres> | undefined;
  const postgres = () =>
    (pg ??= startPostgres().then((p) => {
      cleanups.push(() => p.stop());
      return p;
    }));
  const targets: Target[] = [];
  for (const backend of backends) {
    log(`starting a server on ${backend} …`);
    targets.push(await startTarget(backend, postgres));
  }
  // Let the hosts' streams settle before the first join.
  await new Promise((r) => setTimeout(r, 1000));
  const results = new Map<string, JoinSteps[]>();
  const key = (t: Target, k: Kind) => `${t.backend}|${k.name}`;
  for (let i = 0; i < JOINS; i++) {
    // Rotate the order each round, so that neither backend nor kind always goes first.
    const round = targets.flatMap((t) => KINDS.map((k) => ({ t, k })));
    const shift = i % round.length;
    for (const { t, k } of [...round.slice(shift), ...round.slice(0, shift)]) {
      const listener = new TimedListener();
      try {
        const steps = await listener.join({ wsUrl: t.server.wsUrl, spaceId: t.host.spaceId, mode: k.mode, ...(k.signedIn ? { sessionToken: t.token } : {}) });
        results.set(key(t, k), [...(results.get(key(t, k)) ?? []), steps]);
      } finally {
        listener.close();
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    log(`round ${i + 1}/${JOINS}`);
  }

  const rows: string[][] = [['backend', 'join', 'n', 'p50 ms', 'p95 ms', 'max ms', ...MARKS.map((m) => `${m} p50`), 'signIn RTT p50', 'joinSpace RTT p50', '(signIn+joinSpace)/total']];
  for (const t of targets) {
    for (const k of KINDS) {
      const all = results.get(key(t, k)) ?? [];
      const total = all.map((s) => s.firstAudio);
      const s = summarize(total);
      const p50 = (m: keyof JoinSteps) => {
        const xs = all.map((x) => x[m]).filter((x): x is number => x !== undefined);
        return xs.length ? percentile(xs, 50).toFixed(0) : '-';
      };
      const signInRtt = all.filter((x) => x.signIn !== undefined).map((x) => x.signIn! - x.socket!);
      const joinRtt = all.filter((x) => x.joinSpace !== undefined).map((x) => x.joinSpace! - (x.signIn ?? x.socket!));
      const share = all.filter((x) => x.joinSpace !== undefined).map((x) => (x.joinSpace! - x.socket!) / x.firstAudio);
      rows.push([
        t.backend,
        k.name,
        String(s.n),
        s.p50.toFixed(1),
        s.p95.toFixed(1),
        s.max.toFixed(1),
        ...MARKS.map(p50),
        signInRtt.length ? percentile(signInRtt, 50).toFixed(1) : '-',
        joinRtt.length ? percentile(joinRtt, 50).toFixed(1) : '-',
        share.length ? `${(percentile(share, 50) * 100).toFixed(0)} %` : '-',
      ]);
    }
  }
  console.log(table(rows));
  console.log(`
Listener join → first audio with the database in the path: Node WebRTC listeners (@roamhq/wrtc = libwebrtc, under
mediasoup-client Chrome111), not Chromium, to isolate the server; one server per backend (server/main.ts, one worker),
each with a live Space whose host (a wrtc peer signed in as the demo creator) publishes Opus. "First audio" = the first
decoded 10 ms frame over −64 dBFS (libwebrtc's jitter buffer and decoder included, no audio output device). Step
columns: ms after the "click" at which each step ended (p50); socket = WebSocket open; signIn = session token checked
against the database (+ eligibility query); RTT columns = that request's round trip alone. The pre-joined row did
socket … consume, connectTransport and ICE/DTLS before the click, and times resumeConsumer → first audio only.
PGlite: a data folder on disk (temp), as the app runs; PostgreSQL 15 on loopback (fsync off). Joins alternate
backends and kinds, ${JOINS} rounds.
machine: ${availableParallelism()} CPUs shared with other work; 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`);
}

await runBench(main, DEADLINE_MS, cleanups);
