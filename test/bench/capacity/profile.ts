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

export type Profile = { file: string; samples: string; byDso: Array<[string, number]>; bySymbol: Array<[string, number]> };

function parse(text: string, limit: number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const line of text.split('\n')) {
    const m = /^\s+([\d.]+)%\s+(.*)$/.exec(line);
    if (m && out.length < limit) out.push([m[2]!.trim().replace(/\s+/g, ' ').slice(0, 90), Number(m[1])]);
  }
  return out;
}

/**
 * Samples `pid` (all threads) for `seconds` and returns the top shared objects and symbols.
 * Asynchronous on purpose: this process feeds the RTP, and must go on doing so while perf records.
 */
export async function profile(pid: number, seconds: number): Promise<Profile | undefined> {
  if (!hasPerf()) return undefined;
  // Kept (under /tmp) so it can be reported again, e.g. with an unstripped worker in perf's build-id cache.
  const dir = mkdtempSync(join(tmpdir(), 'capacity-perf-'));
  const file = join(dir, `worker-${pid}.perf.data`);
  try {
    await promisify(execFile)('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '999', '-p', String(pid), '-o', file, '--', 'sleep', String(seconds)]);
    const report = (sort: string) =>
      execFileSync('perf', ['report', '-i', file, '--stdio', '--no-children', '-g', 'none', '--sort', sort], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 2 ** 20 });
    const header = report('dso');
    const samples = /Samples: (\S+) of event 'cpu-clock'/.exec(header)?.[1] ?? '?';
    return { file, samples, byDso: parse(header, 8), bySymbol: parse(report('dso,sym'), 18) };
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}
