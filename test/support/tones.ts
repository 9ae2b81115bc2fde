/** Audio fixtures made with sox: segments rendered one by one, then concatenated. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCommand } from './require-tool.ts';

type Segment = { hz: number; seconds: number; volume: number };

function render(path: string, segments: Segment[]): void {
  requireCommand('sox', ['--version']);
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-tones-'));
  try {
    const parts = segments.map((s, i) => {
      const part = join(dir, `${i}.wav`);
      execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', part, 'synth', String(s.seconds), 'sine', String(s.hz), 'vol', String(s.volume)]);
      return part;
    });
    execFileSync('sox', [...parts, path]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A WAV (48 kHz mono, 16 bit) of back-to-back sine tones, e.g. [[440, 1.5], [880, 1.5]]. */
export function writeToneSequence(path: string, tones: Array<[hz: number, seconds: number]>, volume = 0.5): void {
  render(path, tones.map(([hz, seconds]) => ({ hz, seconds, volume })));
}

/** A WAV (48 kHz mono, 16 bit) of one sine: `volume` 1 peaks at full scale (0 dBFS), 0.1 at −20 dBFS. */
export function writeSine(path: string, hz: number, seconds: number, volume: number): void {
  render(path, [{ hz, seconds, volume }]);
}
