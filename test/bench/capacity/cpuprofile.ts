/** Top self-time functions of a V8 .cpuprofile (from `node --cpu-prof`). */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };

/** Samples taken within `window` (µs on the monotonic clock, as process.hrtime) only, when given. */
export function topSelfTime(dir: string, window?: { fromUs: number; toUs: number }, limit = 14): { totalMs: number; top: Array<[string, number]> } | undefined {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return undefined;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };
  const interval = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length); // ms per sample
  const hitsById = new Map<number, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (!window || (t >= window.fromUs && t <= window.toUs)) hitsById.set(id, (hitsById.get(id) ?? 0) + 1);
  });
  const byName = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = hitsById.get(n.id) ?? 0;
    const { functionName, url, lineNumber } = n.callFrame;
    if (!hits || functionName === '(idle)' || functionName === '(program)') continue;
    const where = url ? `${basename(url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    byName.set(name, (byName.get(name) ?? 0) + hits * interval);
    total += hits * interval;
  }
  return { totalMs: total, top: [...byName].sort((a, b) => b[1] - a[1]).slice(0, limit) };
}
