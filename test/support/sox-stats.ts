/** Fixtures' levels as sox measures them (`sox <file> -n stats`). */
import { spawnSync } from 'node:child_process';
import { requireCommand } from './require-tool.ts';

export type SoxStats = { peakDbfs: number; rmsDbfs: number };

export function soxStats(path: string): SoxStats {
  requireCommand('sox', ['--version']);
  // `stats` writes its table on stderr.
  const run = spawnSync('sox', [path, '-n', 'stats'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`sox stats failed for ${path}: ${run.stderr}`);
  const table = run.stderr;
  const field = (name: string) => {
    const match = new RegExp(`^${name}\\s+(-?[\\d.]+|-inf)`, 'm').exec(table);
    if (!match) throw new Error(`sox stats has no "${name}" for ${path}`);
    return match[1] === '-inf' ? -Infinity : Number(match[1]);
  };
  return { peakDbfs: field('Pk lev dB'), rmsDbfs: field('RMS lev dB') };
}
