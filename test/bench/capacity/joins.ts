/**
 * Time for many listeners to join one Space through our signalling (WebSocket
 * connect + `joinSpace`, no media), and the `spaceState` frames the server sent,
 * counted as the clients received them until the counts settle.
 *
 *   node test/bench/capacity/joins.ts [--root <source tree>] [--listeners 2000] [--out file.json]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topSelfTime } from './cpuprofile.ts';
import { parseArgs } from 'node:util';
import { cpuNs, loadAverage, log, pin, sleep } from './proc.ts';
import { SignallingClient } from './signalling-client.ts';
import { startServerChild } from './server-child.ts';

export type JoinResult = {
  root: string;
  commit: string;
  listeners: number;
  concurrency: number;
  joinSeconds: number;
  joinsPerSecond: number;
  settleSeconds: number;
  spaceStateFrames: number;
  framesPerListener: number;
  finalCountsExact: boolean;
  serverCpuSeconds: number;
  load: string;
  /** Where the signalling process spent its CPU (node --cpu-prof), when asked. */
  profile?: { totalMs: number; top: Array<[string, number]> };
  /** The join phase (first connect to settled) on the monotonic clock, µs. */
  windowUs?: { fromUs: number; toUs: number };
};

export async function measureJoins(root: string, listeners: number, options: { concurrency?: number; profileDir?: string } = {}): Promise<JoinResult> {
  const concurrency = options.concurrency ?? 64;
  const loadBefore = loadAverage();
  const server = await startServerChild(root, options.profileDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] } : {});
  pin(server.pid, '0');
  pin(server.workerPid, '0');
  pin(process.pid, '1');
  const clients: SignallingClient[] = [];
  try {
    const host = await SignallingClient.connect(server.wsUrl, { origin: server.url });
    clients.push(host);
    await host.request('signIn', { sessionToken: server.hostToken });
    const created = await host.request<{ space: { spaceId: string } }>('createSpace', { title: 'capacity joins' });
    const spaceId = created.space.spaceId;
    const cpu0 = cpuNs(server.pid);
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < listeners) {
        next++;
        const client = await SignallingClient.connect(server.wsUrl);
        clients.push(client);
        await client.request('joinSpace', { spaceId });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const joinSeconds = (performance.now() - t0) / 1000;
    // Settle: every client has seen the final count, or no frame arrives for 2 s (deadline 120 s).
    let total = -1;
    let quietSince = performance.now();
    const deadline = performance.now() + 120_000;
    for (;;) {
      const now = clients.reduce((s, c) => s + c.spaceStates, 0);
      if (now !== total) {
        total = now;
        quietSince = performance.now();
      }
      const exact = clients.every((c) => c.lastListenerCount() === listeners);
      if ((exact && performance.now() - quietSince > 1000) || performance.now() - quietSince > 2000 || performance.now() > deadline) break;
      await sleep(100);
    }
    const settleSeconds = (quietSince - t0) / 1000;
    const windowUs = { fromUs, toUs: Number(process.hrtime.bigint() / 1000n) };
    const serverCpuSeconds = (cpuNs(server.pid) - cpu0) / 1e9;
    const finalCountsExact = clients.every((c) => c.lastListenerCount() === listeners);
    return {
      root,
      commit: '',
      listeners,
      concurrency,
      joinSeconds,
      joinsPerSecond: listeners / joinSeconds,
      settleSeconds,
      spaceStateFrames: total,
      framesPerListener: total / listeners,
      finalCountsExact,
      serverCpuSeconds,
      windowUs,
      load: `${loadBefore} before, ${loadAverage()} after`,
    };
  } finally {
    for (const c of clients) c.close();
    await server.close();
  }
}

/** measureJoins with the signalling process profiled (the profile covers its whole life: start, joins, leaves, shutdown). */
export async function measureJoinsProfiled(root: string, listeners: number): Promise<JoinResult> {
  const dir = mkdtempSync(join(tmpdir(), 'capacity-cpuprof-'));
  try {
    const result = await measureJoins(root, listeners, { profileDir: dir });
    const top = topSelfTime(dir, result.windowUs);
    if (top) result.profile = top;
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { root: { type: 'string', default: process.cwd() }, listeners: { type: 'string', default: '2000' }, out: { type: 'string' } } });
  const { execFileSync } = await import('node:child_process');
  const result = await measureJoins(values.root!, Number(values.listeners));
  result.commit = execFileSync('git', ['-C', values.root!, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  log(JSON.stringify(result));
  if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}
