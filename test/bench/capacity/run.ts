/**
 * `npm run bench:capacity`: how many listeners one core holds, bare mediasoup
 * against our whole server, in the same run on the same machine; then the time
 * for many listeners to join one Space and the `spaceState` frames it costs.
 * Prints tables (and writes them with the raw numbers as JSON under /tmp).
 *
 *   node test/bench/capacity/run.ts [--root <tree>] [--before-root <tree>] [--joins 2000]
 *        [--step 200] [--only bare,ours,joins] [--loadgen-processes 4] [--no-profile] [--publishers 1] [--fixed-steps 100,200,300]
 *
 * `--publishers 3`: the Space has three producers on stage (the host and two speakers, demo accounts
 * accepted onto the stage) and every listener consumes all three; bare mediasoup gets three
 * producers and N×3 consumers (three per listener transport) to compare with.
 *
 * Linux only (/proc, taskset); perf optional (profiles of the worker at the limit).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { CPU_LIMIT, measureBare, type BareResult } from './bare.ts';
import { measureJoins, measureJoinsProfiled, type JoinResult } from './joins.ts';
import { measureOurs, type OursResult } from './ours.ts';
import { loadAverage, log } from './proc.ts';
import { profile, type Profile } from './profile.ts';

const { values } = parseArgs({
  options: {
    root: { type: 'string', default: process.cwd() },
    'before-root': { type: 'string' },
    joins: { type: 'string', default: '2000' },
    step: { type: 'string', default: '200' },
    only: { type: 'string', default: 'bare,ours,joins' },
    'loadgen-processes': { type: 'string', default: '4' },
    'no-profile': { type: 'boolean', default: false },
    /** SRTP suite of the bare consumers; browsers and libdatachannel negotiate AEAD_AES_256_GCM with mediasoup when they can. */
    'bare-suite': { type: 'string', default: 'AES_CM_128_HMAC_SHA1_80' },
    /** An unstripped mediasoup-worker with the same build id as the one that runs, to name the worker's functions in its profile. */
    'worker-symbols': { type: 'string', default: process.env['CAPACITY_WORKER_SYMBOLS'] },
    out: { type: 'string' },
    /** Producers on stage that every listener consumes: 1 (the host) or more (the host and speakers). */
    publishers: { type: 'string', default: '1' },
    /** e.g. 100,200,300: exactly these N instead of the ramp (for a machine too busy to ramp to the limit); the CPU fit takes every step. */
    'fixed-steps': { type: 'string' },
  },
});
const fixedSteps = values['fixed-steps']?.split(',').map(Number);
const publishers = Number(values.publishers);
if (!Number.isInteger(publishers) || publishers < 1 || publishers > 4) throw new Error('--publishers takes 1 to 4 (the host and up to three demo speakers)');
const only = new Set(values.only!.split(','));
const step = Number(values.step);
const commit = (root: string) => {
  try {
    const head = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--', 'server'], { encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted server/ changes` : head;
  } catch {
    return '?';
  }
};

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const percentile = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
/**
 * The worker's CPU above idle per RTP packet the listeners received, in µs (median over the steps with
 * listeners): independent of how far the ramp got, so it still compares on a machine so busy that the
 * worker cannot send every packet in time.
 */
function perPacket(steps: Array<{ n: number; seconds: number; workerCore: number; packets: number }>, idleCore: number): number {
  const xs = steps.filter((s) => s.n > 0 && s.packets > 0).map((s) => (((s.workerCore - idleCore) * s.seconds) / s.packets) * 1e6);
  return xs.length ? percentile(xs, 50) : NaN;
}
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}
function profileText(title: string, p: Profile | undefined): string {
  if (!p) return `${title}: no profile (perf not available)`;
  return [
    `${title} (perf, cpu-clock, ${p.samples} samples, ${(p.loopbackReceiveShare * 100).toFixed(1)} % of them in the loopback receive path; ${p.file})`,
    '  by object: ' + p.byDso.map(([d, v]) => `${d} ${v.toFixed(1)} %`).join(', '),
    ...p.bySymbol.slice(0, 16).map(([s, v]) => `  ${v.toFixed(1).padStart(5)} %  ${s}`),
  ].join('\n');
}

const started = new Date();
const loadAtStart = loadAverage();
const report: string[] = [];
const raw: Record<string, unknown> = { started: started.toISOString(), root: values.root, commit: commit(values.root!), loadAtStart, publishers };
let bare: BareResult | undefined;
let ours: OursResult | undefined;
let bareProfile: Profile | undefined;
let oursProfile: Profile | undefined;
const joins: JoinResult[] = [];
let joinProfile: JoinResult | undefined;
const doProfile = !values['no-profile'];
const symbols = values['worker-symbols'] ? { symbols: values['worker-symbols'], dso: 'mediasoup-worker' } : {};

if (only.has('bare')) {
  log('bare mediasoup …');
  bare = await measureBare({ step, budgetMs: 240_000, srtpCryptoSuite: values['bare-suite'] as 'AES_CM_128_HMAC_SHA1_80', publishers, ...(fixedSteps ? { fixedSteps } : {}), atLimit: async (pid) => void (bareProfile = doProfile ? await profile(pid, 5, symbols) : undefined) });
  raw['bare'] = bare;
}
if (only.has('ours')) {
  log(`our server (${values.root}) …`);
  ours = await measureOurs({
    root: values.root!,
    step,
    budgetMs: 300_000,
    loadgenProcesses: Number(values['loadgen-processes']),
    publishers,
    ...(fixedSteps ? { fixedSteps } : {}),
    atLimit: async (server) => void (oursProfile = doProfile ? await profile(server.workerPid, 5, symbols) : undefined),
  });
  raw['ours'] = ours;
}
if (only.has('joins')) {
  const roots = [...(values['before-root'] ? [values['before-root']] : []), values.root!];
  for (const root of roots) {
    log(`${values.joins} joins on ${root} …`);
    const j = await measureJoins(root, Number(values.joins));
    j.commit = commit(root);
    joins.push(j);
  }
  if (doProfile) {
    log(`${values.joins} joins on ${values.root} again, with the signalling process under node --cpu-prof …`);
    joinProfile = await measureJoinsProfiled(values.root!, Number(values.joins));
    raw['joinProfile'] = joinProfile;
  }
  raw['joins'] = joins;
}

report.push(`Capacity bench, ${started.toISOString()}; server tree ${values.root} at ${raw['commit']}`);
report.push(
  publishers === 1
    ? 'one publisher (the host); each listener consumes it'
    : `${publishers} publishers on stage (the host and ${publishers - 1} speakers, each a producer); each listener consumes all ${publishers} (bare: ${publishers} producers, N×${publishers} consumers, ${publishers} per listener transport)`,
);
report.push(
  `machine: ${cpus().length} CPUs; mediasoup worker (and our signalling process) pinned to CPU 0, load generators to CPU 1; ` +
    `1/5/15-min load average ${loadAtStart} at the start, ${loadAverage()} at the end (other work on the machine shares both CPUs).`,
);

if (bare || ours) {
  const b = bare;
  const o = ours;
  const ratio = b && o && b.cpuPer1000 > 0 ? b.cpuPer1000 / o.cpuPer1000 : NaN;
  const ratioSig = b && o ? b.cpuPer1000 / (o.cpuPer1000 + o.signallingCpuPer1000) : NaN;
  const lastOk = o?.steps.filter((s) => s.ok).at(-1);
  const joinMs = o?.steps.flatMap((s) => s.joins?.perListenerMs ?? []) ?? [];
  const joinBatches = o?.steps.filter((s) => s.joins && s.joins.count > 0) ?? [];
  const joinRate = joinBatches.length ? joinBatches.reduce((a, s) => a + s.joins!.count, 0) / joinBatches.reduce((a, s) => a + s.joins!.seconds, 0) : NaN;
  const sigCpuPerJoin = joinBatches.length ? (joinBatches.reduce((a, s) => a + s.joins!.signallingCpuSeconds, 0) / joinBatches.reduce((a, s) => a + s.joins!.count, 0)) * 1000 : NaN;
  // The worker's CPU while a batch joined, less what the listeners already there cost at the previous step's rate.
  let joinWork = 0;
  let joinCount = 0;
  let previousCore = o?.idle.workerCore ?? 0;
  for (const s of o?.steps ?? []) {
    if (s.joins && s.joins.count > 0) {
      joinWork += Math.max(0, s.joins.workerCpuSeconds - previousCore * s.joins.seconds);
      joinCount += s.joins.count;
    }
    previousCore = s.workerCore;
  }
  const workerCpuPerJoin = joinCount ? (joinWork / joinCount) * 1000 : NaN;
  const lat = lastOk?.probes.flatMap((p) => p.latencyMs) ?? [];
  report.push('');
  report.push(
    table([
      ['', 'bare mediasoup', 'our server'],
      ['listener transport', `PlainTransport, SRTP ${values['bare-suite']}`, 'WebRtcTransport (ICE + DTLS-SRTP, suite as negotiated)'],
      ['producers; consumers per listener', `${publishers}; ${publishers}`, `${publishers}; ${publishers}`],
      ['largest N measured: 0 loss, worker < 90 %', b ? int(b.maxN) : '-', o ? `${int(o.maxN)}${o.limitedBy === 'load generator' ? ' (load generator saturated)' : ''}` : '-'],
      ['worker CPU at that N', b ? pct(b.steps.find((s) => s.n === b.maxN)?.workerCore ?? NaN) : '-', lastOk ? pct(lastOk.workerCore) : '-'],
      ['worker CPU per 1,000 listeners (fit)', b ? pct(b.cpuPer1000) : '-', o ? pct(o.cpuPer1000) : '-'],
      ['  of which user mode (mediasoup, SRTP, libc)', b ? pct(b.userCpuPer1000) : '-', o ? pct(o.userCpuPer1000) : '-'],
      ['  of which kernel (UDP send, loopback delivery)', b ? pct(b.cpuPer1000 - b.userCpuPer1000) : '-', o ? pct(o.cpuPer1000 - o.userCpuPer1000) : '-'],
      ['listeners per core at 90 % (from the fit)', b ? int(b.extrapolatedN) : '-', o ? int(o.extrapolatedN) : '-'],
      [
        'worker samples in loopback receive path (perf)',
        bareProfile ? pct(bareProfile.loopbackReceiveShare) : '-',
        oursProfile ? pct(oursProfile.loopbackReceiveShare) : '-',
      ],
      [
        '  worker CPU per 1,000 without it (as with a NIC)',
        b && bareProfile ? pct(b.cpuPer1000 * (1 - bareProfile.loopbackReceiveShare)) : '-',
        o && oursProfile ? pct(o.cpuPer1000 * (1 - oursProfile.loopbackReceiveShare)) : '-',
      ],
      ['  ratio ours ÷ bare (worker)', '', Number.isFinite(ratio) ? ratio.toFixed(2) : '-'],
      ['worker CPU per RTP packet delivered, median of steps', b ? `${perPacket(b.steps, b.idleCore).toFixed(1)} µs` : '-', o ? `${perPacket(o.steps, o.idle.workerCore).toFixed(1)} µs` : '-'],
      ['  ratio ours ÷ bare, listeners per core from the cost per packet (holds on a starved machine)', '', b && o ? (perPacket(b.steps, b.idleCore) / perPacket(o.steps, o.idle.workerCore)).toFixed(2) : '-'],
      ['  ratio incl. signalling CPU (steady state)', '', Number.isFinite(ratioSig) ? ratioSig.toFixed(2) : '-'],
      ['  ratio of user-mode CPU per listener (bare ÷ ours)', '', b && o ? (b.userCpuPer1000 / o.userCpuPer1000).toFixed(2) : '-'],
      [
        '  ratio without the loopback receive path',
        '',
        b && o && bareProfile && oursProfile
          ? ((b.cpuPer1000 * (1 - bareProfile.loopbackReceiveShare)) / (o.cpuPer1000 * (1 - oursProfile.loopbackReceiveShare))).toFixed(2)
          : '-',
      ],
      ['worker RSS per 1,000 listeners', b ? `${b.rssPer1000MB.toFixed(1)} MB` : '-', o ? `${o.rssPer1000MB.toFixed(1)} MB` : '-'],
      ['worker RSS idle', b ? `${b.baselineRssMB.toFixed(1)} MB` : '-', o ? `${o.idle.workerRssMB.toFixed(1)} MB` : '-'],
      ['signalling CPU, steady, at largest N', '-', lastOk ? pct(lastOk.signallingCore) : '-'],
      ['signalling CPU per join', '-', Number.isFinite(sigCpuPerJoin) ? `${sigCpuPerJoin.toFixed(1)} ms` : '-'],
      ['worker CPU per join (ICE, DTLS, consume; above steady media)', '-', Number.isFinite(workerCpuPerJoin) ? `${workerCpuPerJoin.toFixed(1)} ms` : '-'],
      ['signalling RSS per 1,000 listeners', '-', o ? `${o.signallingRssPer1000MB.toFixed(1)} MB` : '-'],
      ['join → first RTP per listener p50 / p95', '-', joinMs.length ? `${percentile(joinMs, 50).toFixed(0)} / ${percentile(joinMs, 95).toFixed(0)} ms` : '-'],
      ['join rate (batches of 200, 32 in flight)', '-', Number.isFinite(joinRate) ? `${joinRate.toFixed(0)} joins/s` : '-'],
      ['load generator CPU per 1,000 listeners', b ? pct(b.steps.filter((s) => s.ok).reduce((a, s) => a + s.loadgenCore / s.n, 0) / Math.max(1, b.steps.filter((s) => s.ok).length) * 1000) : '-', o ? pct(o.loadgenCpuPer1000) : '-'],
      [
        'decoding probes at largest N: lost, jitter',
        '-',
        lastOk ? lastOk.probes.map((p) => `${p.packetsLost}/${p.packetsReceived}, ${p.jitterMs.toFixed(0)} ms`).join('; ') : '-',
      ],
      ['  burst latency p50 / p95 (feed → decoded)', '-', lat.length ? `${percentile(lat, 50).toFixed(0)} / ${percentile(lat, 95).toFixed(0)} ms (n=${lat.length})` : '-'],
    ]),
  );
  if (b) {
    report.push('', 'bare steps');
    report.push(
      table([
        ['N', 'worker CPU', 'user', 'loadgen CPU', 'worker RSS', 'streams', 'lost', 'min pkts', 'rcvbuf drops', 'ok'],
        ...b.steps.map((s) => [String(s.n), pct(s.workerCore), pct(s.workerUserCore), pct(s.loadgenCore), `${s.workerRssMB.toFixed(1)} MB`, String(s.streams), String(s.lost), `${s.perStreamMin}/${s.expectedPerStream}`, String(s.receiverDrops), s.ok ? 'ok' : 'OVER']),
      ]),
    );
  }
  if (o) {
    report.push('', 'our server steps');
    report.push(
      table([
        ['N', 'worker CPU', 'user', 'signalling CPU', 'loadgen CPU', 'worker RSS', 'signalling RSS', 'receiving', 'lost', 'join fails', 'replaced', 'batch joins/s', 'probe loss', 'probe jitter', 'probe latency p50', 'ok'],
        ...o.steps.map((s) => [
          String(s.n),
          pct(s.workerCore),
          pct(s.workerUserCore),
          pct(s.signallingCore),
          pct(s.loadgenCore),
          `${s.workerRssMB.toFixed(1)} MB`,
          `${s.signallingRssMB.toFixed(1)} MB`,
          `${s.alive}/${s.n}`,
          String(s.lost),
          String(s.joinFailures),
          String(s.replaced),
          s.joins && s.joins.seconds > 0 ? (s.joins.count / s.joins.seconds).toFixed(0) : '-',
          s.probes.map((p) => p.packetsLost).join('/'),
          `${Math.max(...s.probes.map((p) => p.jitterMs)).toFixed(0)} ms`,
          `${percentile(s.probes.flatMap((p) => p.latencyMs), 50).toFixed(0)} ms`,
          s.ok ? 'ok' : 'OVER',
        ]),
      ]),
    );
  }
  if (doProfile && b) report.push('', profileText(`bare worker at N=${b.maxN}`, bareProfile));
  if (doProfile && o) report.push('', profileText(`our worker at N=${o.maxN}`, oursProfile));
}

if (joins.length) {
  report.push('', `${values.joins} listeners join one Space through our signalling (WebSocket connect + joinSpace, 64 in flight, no media); spaceState frames counted as the clients received them until counts settled`);
  report.push(
    table([
      ['server tree', 'commit', 'join time', 'joins/s', 'settled after', 'spaceState frames', 'per listener', 'final counts exact', 'server CPU'],
      ...joins.map((j) => [
        j.root,
        j.commit,
        `${j.joinSeconds.toFixed(1)} s`,
        j.joinsPerSecond.toFixed(0),
        `${j.settleSeconds.toFixed(1)} s`,
        int(j.spaceStateFrames),
        j.framesPerListener.toFixed(1),
        j.finalCountsExact ? 'yes' : 'NO',
        `${j.serverCpuSeconds.toFixed(1)} s`,
      ]),
    ]),
  );
}

if (joinProfile?.profile) {
  const p = joinProfile.profile;
  report.push(
    '',
    `signalling process under node --cpu-prof while ${values.joins} listeners joined (samples from first connect until the counts settled: ${p.totalMs.toFixed(0)} ms of CPU; join time ${joinProfile.joinSeconds.toFixed(1)} s with the profiler on), top self time:`,
    ...p.top.map(([name, ms]) => `  ${ms.toFixed(0).padStart(6)} ms  ${((ms / p.totalMs) * 100).toFixed(1).padStart(5)} %  ${name}`),
  );
}

report.push(
  '',
  `Notes: a listener counts only once its client received RTP, and in each 4 s window only if its packets kept flowing (≥ half of those sent) with no sequence gap; ` +
    `CPU is each process's own time from /proc over the window (1 = one core); "per 1,000" figures are least-squares slopes over the good steps above idle; ` +
    `listeners per core = (${CPU_LIMIT * 100} % − idle) ÷ slope. On loopback the kernel's receive path for each packet runs in the sender's context, so part of the worker's time is the receivers' kernel work.`,
);
const text = report.join('\n');
console.log(text);
const out = values.out ?? `/tmp/capacity-${started.toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(out, `${JSON.stringify({ ...raw, report: text }, null, 2)}\n`);
console.log(`\nraw numbers: ${out}`);
process.exit(0);
