/**
 * Linux /proc readings for the capacity bench: a process's CPU time (all its
 * threads), its RSS, its children, the machine's load, and CPU pinning with taskset.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICK_NS = 1e9 / 100; // USER_HZ is 100 on Linux

/** CPU time used so far by `pid` (all threads) in user and in system (kernel) mode, in nanoseconds. */
export function cpuSplitNs(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state(0) ppid(1) ... utime(11) stime(12)
  return { user: Number(fields[11]) * TICK_NS, system: Number(fields[12]) * TICK_NS };
}

/** CPU time used so far by `pid` (user + system, all threads), in nanoseconds. */
export function cpuNs(pid: number): number {
  const { user, system } = cpuSplitNs(pid);
  return user + system;
}

/** Resident set size of `pid`, in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** Direct children of `pid`. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

export function commandName(pid: number): string {
  return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
}

/** Pins every thread of `pid` to `cpus` (a taskset list such as "0" or "1"). */
export function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { stdio: 'ignore' });
}

/** Busy and total jiffies of the whole machine (all CPUs), from /proc/stat. */
function machineJiffies(): { busy: number; total: number; perCpu: Array<{ busy: number; total: number }> } {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => l.startsWith('cpu'));
  const parse = (line: string) => {
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  };
  const [all, ...cpus] = lines.map(parse);
  return { ...all!, perCpu: cpus };
}

/** Samples a set of processes and the machine over a window. */
export class CpuWindow {
  readonly #pids: number[];
  readonly #start: number;
  readonly #cpu: Array<{ user: number; system: number }>;
  readonly #machine = machineJiffies();

  constructor(pids: number[]) {
    this.#pids = pids;
    this.#start = performance.now();
    this.#cpu = pids.map(cpuSplitNs);
  }

  /** Per pid: share of one core used over the window (1 = 100 %), and its user-mode part; the machine's busy share per CPU. */
  end(): { seconds: number; cores: number[]; userCores: number[]; machineBusy: number[] } {
    const seconds = (performance.now() - this.#start) / 1000;
    const split = this.#pids.map(cpuSplitNs);
    const cores = split.map((c, i) => (c.user + c.system - this.#cpu[i]!.user - this.#cpu[i]!.system) / 1e9 / seconds);
    const userCores = split.map((c, i) => (c.user - this.#cpu[i]!.user) / 1e9 / seconds);
    const now = machineJiffies();
    const machineBusy = now.perCpu.map((c, i) => {
      const before = this.#machine.perCpu[i]!;
      return (c.busy - before.busy) / Math.max(1, c.total - before.total);
    });
    return { seconds, cores, userCores, machineBusy };
  }
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** UDP counters of the kernel (InDatagrams, RcvbufErrors, SndbufErrors, InErrors ...). */
export function udpCounters(): Record<string, number> {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const log = (message: string) => process.stderr.write(`capacity: ${message}\n`);
