/**
 * Our whole server (server/main.ts of a source tree, one mediasoup worker) under
 * real WebRTC listeners: the signalling process and its worker pinned to core 0,
 * this process (the load generator: a @roamhq/wrtc host publishing Opus, a few
 * decoding @roamhq/wrtc probe listeners and N node-datachannel listeners) to core 1.
 * A listener counts only once it has received RTP, and in each window only if
 * its RTP kept arriving (sequence gaps are loss).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { CPU_LIMIT } from './bare.ts';
import type { GrowReply, LoadgenRequest, SnapshotReply } from './loadgen-child.ts';
import { cpuNs, CpuWindow, log, pin, rssBytes, sleep, udpCounters } from './proc.ts';
import { narrowDown, rampUp } from './ramp.ts';
import { DEMO_LISTENERS } from '../../../server/db/seed.ts';
import { signInDemo, startServerChild, type ServerChild } from './server-child.ts';
import { WrtcHost, WrtcProbe, type ProbeReport } from './wrtc-peers.ts';

export type OursStep = {
  n: number;
  /** Length of the measuring window, and the RTP packets every listener and probe received in it. */
  seconds: number;
  packets: number;
  workerCore: number;
  workerUserCore: number;
  signallingCore: number;
  loadgenCore: number;
  machineBusy: number[];
  workerRssMB: number;
  signallingRssMB: number;
  alive: number;
  lost: number;
  receiverDrops: number;
  joinFailures: number;
  /**
   * Listeners whose connection ended (client side, on the saturated load generator) while the worker was under
   * its limit with no loss, closed and replaced by new ones before the step was measured again (once).
   */
  replaced: number;
  /** The batch that brought N up (absent when N went down). */
  joins?: { count: number; seconds: number; perListenerMs: number[]; signallingCpuSeconds: number; workerCpuSeconds: number };
  probes: ProbeReport[];
  ok: boolean;
};

export type OursResult = {
  steps: OursStep[];
  maxN: number;
  /** What stopped the ramp: the server (a step failed), the load generator's core, or the step limit/time. */
  limitedBy: 'server' | 'load generator' | 'step limit';
  idle: OursStep;
  loadgenCpuPer1000: number;
  cpuPer1000: number;
  userCpuPer1000: number;
  signallingCpuPer1000: number;
  rssPer1000MB: number;
  signallingRssPer1000MB: number;
  extrapolatedN: number;
  extrapolatedNWithSignalling: number;
  probeJoinMs: number[];
  server: Pick<ServerChild, 'pid' | 'workerPid'>;
};

export type OursOptions = {
  root: string;
  step?: number;
  maxN?: number;
  budgetMs?: number;
  probes?: number;
  concurrency?: number;
  /** Called at the largest good N with the server still loaded, e.g. to profile it. */
  atLimit?: (server: ServerChild) => Promise<void>;
  serverExecArgv?: string[];
  loadgenProcesses?: number;
  /** Run exactly these N (in order) instead of the ramp; the CPU fit then takes every step where all listeners received. */
  fixedSteps?: number[];
  /** Producers on stage, each consumed by every listener: the host alone (1), or the host and speakers (up to 1 + 3 demo listeners). */
  publishers?: number;
};

const JOIN_TIMEOUT_MS = 20_000;
/** A failing step with the load generator past this share of core 1 (and the worker under its limit) is the generator's limit, not the server's. */
const GENERATOR_LIMIT = 0.9;

type Child = { process: ChildProcess; count: number; pending: Map<number, (r: unknown) => void> };

/** node-datachannel listeners spread over several processes, all pinned to core 1. */
class LoadgenPool {
  readonly #children: Child[] = [];
  #nextId = 1;

  static async start(processes: number): Promise<LoadgenPool> {
    const pool = new LoadgenPool();
    for (let i = 0; i < processes; i++) {
      const proc = fork(new URL('./loadgen-child.ts', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const child: Child = { process: proc, count: 0, pending: new Map() };
      await new Promise<void>((resolve, reject) => {
        proc.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
        proc.on('message', (m: { ready?: boolean; id?: number; result?: unknown }) => {
          if (m.ready) resolve();
          else if (m.id) {
            child.pending.get(m.id)?.(m.result);
            child.pending.delete(m.id);
          }
        });
      });
      pin(proc.pid!, '1');
      pool.#children.push(child);
    }
    return pool;
  }

  get pids(): number[] {
    return this.#children.map((c) => c.process.pid!);
  }

  get count(): number {
    return this.#children.reduce((a, c) => a + c.count, 0);
  }

  #call<T>(child: Child, command: LoadgenRequest): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve) => {
      child.pending.set(id, resolve as (r: unknown) => void);
      child.process.send({ ...command, id });
    });
  }

  /** Brings the total to `n`, spread evenly; resolves when every new listener received RTP or timed out. */
  async grow(n: number, join: { wsUrl: string; spaceId: string; rtpCapabilities: unknown; concurrency: number; timeoutMs: number; publishers: number }) {
    const add = this.#children.map(() => 0);
    for (let total = this.count; total < n; total++) {
      const i = this.#children.reduce((best, c, j) => (c.count + add[j]! < this.#children[best]!.count + add[best]! ? j : best), 0);
      add[i]!++;
    }
    const replies = await Promise.all(
      this.#children.map((c, i) =>
        add[i]
          ? this.#call<GrowReply>(c, { cmd: 'grow', count: add[i]!, ...join, concurrency: Math.max(1, Math.round(join.concurrency / this.#children.length)) }).then((r) => {
              c.count += add[i]!;
              return r;
            })
          : null,
      ),
    );
    const done = replies.filter((r): r is GrowReply => r !== null);
    return {
      joined: done.reduce((a, r) => a + r.joined, 0),
      failed: done.reduce((a, r) => a + r.failed, 0),
      firstError: done.find((r) => r.firstError)?.firstError,
      seconds: (Math.max(...done.map((r) => r.lastFirstRtpAt)) - Math.min(...done.map((r) => r.startedAt))) / 1000,
      perListenerMs: done.flatMap((r) => r.perListenerMs),
    };
  }

  async shrink(n: number): Promise<void> {
    let remove = this.count - n;
    await Promise.all(
      [...this.#children].reverse().map((c) => {
        const k = Math.min(remove, c.count);
        remove -= k;
        c.count -= k;
        return k ? this.#call(c, { cmd: 'shrink', count: c.count }) : null;
      }),
    );
  }

  /** Removes listeners whose connection ended; returns how many. */
  async prune(): Promise<number> {
    const replies = await Promise.all(this.#children.map((c) => this.#call<{ removed: number; count: number }>(c, { cmd: 'prune' }).then((r) => ((c.count = r.count), r))));
    return replies.reduce((a, r) => a + r.removed, 0);
  }

  async snapshot(): Promise<SnapshotReply> {
    const replies = await Promise.all(this.#children.map((c) => this.#call<SnapshotReply>(c, { cmd: 'snapshot' })));
    const states: Record<string, number> = {};
    for (const r of replies) for (const [k, v] of Object.entries(r.states)) states[k] = (states[k] ?? 0) + v;
    return { packets: replies.flatMap((r) => r.packets), lost: replies.flatMap((r) => r.lost), states };
  }

  close(): void {
    for (const c of this.#children) c.process.kill('SIGKILL');
  }
}

export async function measureOurs(options: OursOptions): Promise<OursResult> {
  const stepSize = options.step ?? 200;
  const maxN = options.maxN ?? 5000;
  const concurrency = options.concurrency ?? 32;
  const deadline = Date.now() + (options.budgetMs ?? 300_000);
  const server = await startServerChild(options.root, { execArgv: options.serverExecArgv ?? [] });
  pin(server.pid, '0');
  pin(server.workerPid, '0');
  pin(process.pid, '1');
  const host = new WrtcHost();
  const probes: WrtcProbe[] = [];
  const speakers: WrtcHost[] = [];
  const publishers = options.publishers ?? 1;
  let pool: LoadgenPool | undefined;
  try {
    pool = await LoadgenPool.start(options.loadgenProcesses ?? 4);
    const lg = pool;
    await host.start({ wsUrl: server.wsUrl, origin: server.url, sessionToken: server.hostToken });
    // Speakers on stage: demo listeners who ask, are accepted by the host, publish (bursts and hum, as the host) and unmute.
    for (const { handle } of DEMO_LISTENERS.slice(0, publishers - 1)) {
      const speaker = new WrtcHost();
      speakers.push(speaker);
      await speaker.startAsSpeaker({ wsUrl: server.wsUrl, sessionToken: await signInDemo(server.url, handle), spaceId: host.spaceId, host });
    }
    if (speakers.length !== publishers - 1) throw new Error(`${publishers} publishers asked for, at most ${1 + DEMO_LISTENERS.length} (the host and the demo listeners)`);
    const caps = await WrtcProbe.capabilitiesFor(host.routerRtpCapabilities);
    for (let i = 0; i < (options.probes ?? 3); i++) {
      const probe = new WrtcProbe();
      await probe.join({ wsUrl: server.wsUrl, spaceId: host.spaceId });
      probes.push(probe);
    }
    const loadPids = [process.pid, ...lg.pids];

    const measure = async (n: number): Promise<OursStep> => {
      await sleep(1500);
      const start = await lg.snapshot();
      const probeStart = await Promise.all(probes.map((p) => p.inbound()));
      const udp0 = udpCounters();
      const since = performance.now();
      const cpu = new CpuWindow([server.workerPid, server.pid, ...loadPids]);
      await sleep(4000);
      const { seconds, cores, userCores, machineBusy } = cpu.end();
      const end = await lg.snapshot();
      const udp1 = udpCounters();
      if (Object.keys(end.states).length > 1) log(`listener states: ${JSON.stringify(end.states)}`);
      const expected = seconds * 50;
      let alive = 0;
      let lost = 0;
      let packets = 0;
      end.packets.forEach((streams, i) => {
        packets += streams.reduce((a, p, k) => a + p - (start.packets[i]?.[k] ?? 0), 0);
        lost += end.lost[i]! - (start.lost[i] ?? 0);
        // Alive: every one of its streams (one per publisher) kept flowing.
        const flowing = streams.filter((p, k) => p - (start.packets[i]?.[k] ?? 0) >= expected / 2).length;
        if (streams.length === publishers && flowing === publishers) alive++;
      });
      const probeReports = await Promise.all(probes.map((p, i) => p.report(host.burstTimes, since, probeStart[i]!)));
      const step: OursStep = {
        n,
        seconds,
        packets: packets + probeReports.reduce((a, r) => a + r.packetsReceived, 0),
        workerCore: cores[0]!,
        workerUserCore: userCores[0]!,
        signallingCore: cores[1]!,
        loadgenCore: cores.slice(2).reduce((a, b) => a + b, 0),
        machineBusy,
        workerRssMB: rssBytes(server.workerPid) / 2 ** 20,
        signallingRssMB: rssBytes(server.pid) / 2 ** 20,
        alive,
        lost,
        receiverDrops: (udp1['RcvbufErrors'] ?? 0) - (udp0['RcvbufErrors'] ?? 0),
        joinFailures: 0,
        replaced: 0,
        probes: probeReports,
        ok: false,
      };
      step.ok = step.workerCore < CPU_LIMIT && lost === 0 && alive === n && end.packets.length === n;
      return step;
    };

    const idle = await measure(0);
    const steps: OursStep[] = [];
    let generatorSaturated = false;
    const run = async (n: number): Promise<OursStep> => {
      let joins: OursStep['joins'];
      let failed = 0;
      if (n > lg.count) {
        const cpu0 = cpuNs(server.pid);
        const workerCpu0 = cpuNs(server.workerPid);
        const grown = await lg.grow(n, { wsUrl: server.wsUrl, spaceId: host.spaceId, rtpCapabilities: caps, concurrency, timeoutMs: JOIN_TIMEOUT_MS, publishers });
        joins = { count: grown.joined, seconds: grown.seconds, perListenerMs: grown.perListenerMs, signallingCpuSeconds: (cpuNs(server.pid) - cpu0) / 1e9, workerCpuSeconds: (cpuNs(server.workerPid) - workerCpu0) / 1e9 };
        failed = grown.failed;
        if (grown.firstError) log(`join failed (${grown.failed}): ${grown.firstError}`);
      } else {
        await lg.shrink(n);
        await sleep(500);
      }
      let step = await measure(n);
      let replaced = 0;
      if (!step.ok && step.workerCore < CPU_LIMIT && step.lost === 0 && step.alive < n) {
        // Some listeners' connections ended with the server under its limit and nothing lost: replace them, measure again.
        replaced = await lg.prune();
        if (replaced > 0) {
          const regrown = await lg.grow(n, { wsUrl: server.wsUrl, spaceId: host.spaceId, rtpCapabilities: caps, concurrency, timeoutMs: JOIN_TIMEOUT_MS, publishers });
          failed += regrown.failed;
          log(`ours N=${n}: ${replaced} listeners' connections had ended (worker ${(step.workerCore * 100).toFixed(1)} %, no loss); replaced, measuring again`);
          step = await measure(n);
        }
      }
      step.replaced = replaced;
      if (joins) step.joins = joins;
      step.joinFailures = failed;
      if (failed > 0) step.ok = false;
      steps.push(step);
      const p = step.probes.map((r) => `${r.packetsLost}/${r.jitterMs.toFixed(1)}ms`).join(' ');
      log(
        `ours N=${n}: worker ${(step.workerCore * 100).toFixed(1)} %, signalling ${(step.signallingCore * 100).toFixed(1)} %, load generator ${(step.loadgenCore * 100).toFixed(1)} %, ` +
          `alive ${step.alive}/${n}, lost ${step.lost}, join failures ${failed}, replaced ${replaced}, receiver drops ${step.receiverDrops}, worker RSS ${step.workerRssMB.toFixed(1)} MB, ` +
          `signalling RSS ${step.signallingRssMB.toFixed(1)} MB${joins ? `, joined ${joins.count} in ${joins.seconds.toFixed(1)} s` : ''}, probes lost/jitter ${p} ${step.ok ? 'ok' : 'OVER'}`,
      );
      generatorSaturated = step.loadgenCore > GENERATOR_LIMIT && step.workerCore < CPU_LIMIT;
      return step;
    };

    const ramp = await rampUp(run, { stepSize, maxN, deadline, fixedSteps: options.fixedSteps });
    // Narrow down only a limit of the server's: one of the load generator's says nothing about the server.
    const generatorLimited = ramp.bad > 0 && generatorSaturated;
    const { good, bad } = generatorLimited ? ramp : await narrowDown(run, ramp, deadline);
    if (options.atLimit && good > 0) {
      if (lg.count !== good) await run(good);
      await options.atLimit(server);
    }

    // With fixed steps the CPU fit takes every step where all listeners received (loss there is the busy machine's).
    const usable = steps.filter((s) => (options.fixedSteps ? s.alive === s.n : s.ok) && s.n > 0);
    const slope = (f: (s: OursStep) => number) =>
      usable.reduce((a, s) => a + (f(s) - f(idle)) * s.n, 0) / Math.max(1, usable.reduce((a, s) => a + s.n * s.n, 0));
    const cpu = slope((s) => s.workerCore);
    const sig = slope((s) => s.signallingCore);
    return {
      steps,
      maxN: good,
      limitedBy: generatorLimited ? 'load generator' : bad ? 'server' : 'step limit',
      idle,
      cpuPer1000: cpu * 1000,
      userCpuPer1000: slope((s) => s.workerUserCore) * 1000,
      signallingCpuPer1000: sig * 1000,
      rssPer1000MB: slope((s) => s.workerRssMB) * 1000,
      signallingRssPer1000MB: slope((s) => s.signallingRssMB) * 1000,
      loadgenCpuPer1000: slope((s) => s.loadgenCore) * 1000,
      extrapolatedN: cpu > 0 ? (CPU_LIMIT - idle.workerCore) / cpu : 0,
      extrapolatedNWithSignalling: cpu + sig > 0 ? (CPU_LIMIT - idle.workerCore - idle.signallingCore) / (cpu + sig) : 0,
      probeJoinMs: probes.map((p) => p.joinMs),
      server: { pid: server.pid, workerPid: server.workerPid },
    };
  } finally {
    pool?.close();
    for (const p of probes) p.close();
    for (const s of speakers) s.close();
    host.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureOurs({ root: process.argv[2] ?? process.cwd(), step: Number(process.argv[3] ?? 200), maxN: Number(process.argv[4] ?? 5000) });
  console.log(JSON.stringify({ ...result, steps: undefined }, null, 2));
  process.exit(0);
}
