/** A CPU profile of a running process with `perf` (software clock, so it works in VMs without PMU counters). */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function hasPerf(): boolean {
  try {
    execFileSync('perf', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export type Profile = {
  file: string;
  samples: string;
  /**
   * Share of the samples spent in the kernel's receive path (net_rx_action: delivery into the receiving
   * socket and waking its reader). On loopback that runs in the sender's context; with a NIC it would not.
   */
  loopbackReceiveShare: number; byDso: Array<[string, number]>; bySymbol: Array<[string, number]> };

function parse(text: string, limit: number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const line of text.split('\n')) {
    const m = /^\s+([\d.]+)%\s+(.*)$/.exec(line);
    if (m && out.length < limit) out.push([m[2]!.trim().replace(/\s+/g, ' ').slice(0, 90), Number(m[1])]);
  }
  return out;
}

/**
 * The worker ships stripped: with an unstripped build of the same binary (same build id), name
 * its addresses with addr2line and add up the shares per function.
 */
function symbolize(text: string, dso: string, symbols: string, limit: number): Array<[string, number]> {
  const rows: Array<{ pct: number; dso: string; sym: string }> = [];
  for (const line of text.split('\n')) {
    const m = /^\s+([\d.]+)%\s+(\S+)\s+\[.\]\s+(.*)$/.exec(line);
    if (m) rows.push({ pct: Number(m[1]), dso: m[2]!, sym: m[3]!.trim() });
  }
  const addresses = rows.filter((r) => r.dso === dso && r.sym.startsWith('0x')).map((r) => r.sym);
  const names = new Map<string, string>();
  if (addresses.length) {
    const out = execFileSync('addr2line', ['-f', '-C', '-e', symbols, ...addresses], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }).split('\n');
    addresses.forEach((a, i) => names.set(a, out[2 * i] ?? a));
  }
  const sum = new Map<string, number>();
  for (const r of rows) {
    const name = `${r.dso} ${(names.get(r.sym) ?? r.sym).replace(/\(.*$/, '')}`.slice(0, 90);
    sum.set(name, (sum.get(name) ?? 0) + r.pct);
  }
  return [...sum].sort((a, b) => b[1] - a[1]).slice(0, limit);
}

function receiveShare(file: string): number {
  const script = execFileSync('perf', ['script', '-i', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 512 * 2 ** 20 });
  let total = 0;
  let receive = 0;
  for (const sample of script.split(/\n\s*\n/)) {
    if (!sample.includes('cpu-clock')) continue;
    total++;
    if (sample.includes(' net_rx_action')) receive++;
  }
  return total ? receive / total : 0;
}

/**
 * Samples `pid` (all threads) for `seconds` and returns the top shared objects and symbols.
 * Asynchronous on purpose: this process feeds the RTP, and must go on doing so while perf records.
 */
export async function profile(pid: number, seconds: number, options: { symbols?: string; dso?: string } = {}): Promise<Profile | undefined> {
  if (!hasPerf()) return undefined;
  // Kept (under /tmp) so it can be reported again, e.g. with an unstripped worker in perf's build-id cache.
  const dir = mkdtempSync(join(tmpdir(), 'capacity-perf-'));
  const file = join(dir, `worker-${pid}.perf.data`);
  try {
    await promisify(execFile)('perf', ['record', '-q', '-g', '-e', 'cpu-clock', '-F', '999', '-p', String(pid), '-o', file, '--', 'sleep', String(seconds)]);
    const report = (sort: string) =>
      execFileSync('perf', ['report', '-i', file, '--stdio', '--no-children', '-g', 'none', '--sort', sort], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 2 ** 20 });
    const header = report('dso');
    const samples = /Samples: (\S+) of event 'cpu-clock'/.exec(header)?.[1] ?? '?';
    const bySym = report('dso,sym');
    const bySymbol = options.symbols && options.dso ? symbolize(bySym, options.dso, options.symbols, 18) : parse(bySym, 18);
    return { file, samples, loopbackReceiveShare: receiveShare(file), byDso: parse(header, 8), bySymbol };
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}
