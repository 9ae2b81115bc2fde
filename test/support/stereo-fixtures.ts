/** Stereo audio fixtures made with sox: a different sine on each side, optionally with a tone on both. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCommand } from './require-tool.ts';

/**
 * A WAV (48 kHz stereo, 16 bit) of `leftHz` on the left and `rightHz` on the
 * right, each at `volume` (linear peak), plus `bothHz` at the same volume on
 * both sides when given.
 */
export function writeStereoTones(path: string, args: { leftHz: number; rightHz: number; bothHz?: number; seconds: number; volume: number }): void {
  requireCommand('sox', ['--version']);
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-stereo-'));
  try {
    const sine = (hz: number) => {
      const file = join(dir, `${hz}.wav`);
      execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', file, 'synth', String(args.seconds), 'sine', String(hz), 'vol', String(args.volume)]);
      return file;
    };
    const side = (hz: number, name: string) => {
      if (args.bothHz === undefined) return sine(hz);
      const file = join(dir, `${name}.wav`);
      execFileSync('sox', ['-m', '-v', '1', sine(hz), '-v', '1', sine(args.bothHz), file]);
      return file;
    };
    execFileSync('sox', ['-M', side(args.leftHz, 'left'), side(args.rightHz, 'right'), path]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A WAV (48 kHz mono, 16 bit) of `cycles` × (`offSeconds` of silence, then `onSeconds` of a `hz` sine at `volume`): a voice that speaks and stops. */
export function writeBursts(path: string, args: { hz: number; onSeconds: number; offSeconds: number; volume: number; cycles: number }): void {
  requireCommand('sox', ['--version']);
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-bursts-'));
  try {
    const silence = join(dir, 'off.wav');
    const tone = join(dir, 'on.wav');
    execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', silence, 'trim', '0', String(args.offSeconds)]);
    execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', tone, 'synth', String(args.onSeconds), 'sine', String(args.hz), 'vol', String(args.volume)]);
    execFileSync('sox', [...Array.from({ length: args.cycles }, () => [silence, tone]).flat(), path]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
