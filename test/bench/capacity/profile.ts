/** A CPU profile of a running process with `perf` (software clock, so it works in VMs without PMU counters). */
import { execFileSync } from 'node:child_process';
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

export type Profile = { samples: string; byDso: Array<[string, number]>; bySymbol: Array<[string, number]> };

function parse(text: string, limit: number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const line of text.split('\n')) {
    const m = /^\s+([\d.]+)%\s+(.*)$/.exec(line);
    if (m && out.length < limit) out.push([m[2]!.trim().replace(/\s+/g, ' ').slice(0, 90), Number(m[1])]);
  }
  return out;
}

/** Samples `pid` (all threads) for `seconds` and returns the top shared objects and symbols. */
export function profile(pid: number, seconds: number): Profile | undefined {
  if (!hasPerf()) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'capacity-perf-'));
  const file = join(dir, 'perf.data');
  try {
    execFileSync('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '999', '-p', String(pid), '-o', file, '--', 'sleep', String(seconds)], { stdio: 'ignore' });
    const report = (sort: string) =>
      execFileSync('perf', ['report', '-i', file, '--stdio', '--no-children', '-g', 'none', '--sort', sort], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 2 ** 20 });
    const header = report('dso');
    const samples = /Samples: (\S+)/.exec(header)?.[1] ?? '?';
    return { samples, byDso: parse(header, 8), bySymbol: parse(report('dso,sym'), 18) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
