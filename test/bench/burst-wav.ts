/**
 * The benchmark's microphone signal, written as a 48 kHz mono 16-bit WAV.
 * Tone bursts whose gaps vary (no two neighbours alike), so each onset is known
 * by the interval before it and a latency can never alias onto the wrong burst.
 */
import { writeFileSync } from 'node:fs';
import { encodeWav } from '../support/wav.ts';

const RATE = 48_000;

/** Onset-to-onset periods in ms: a fixed shuffle of 350..650 ms by 50, neighbours always differ. */
export const BURST_PERIODS_MS = [400, 550, 350, 600, 450, 650, 500, 350, 550, 400, 600, 500, 650, 450, 550, 350, 500, 600, 400, 650, 450, 500, 350, 600, 550, 400, 650, 500, 450, 600];

/** Bursts of `hz` lasting `burstMs`, one every BURST_PERIODS_MS[i] ms, at `amplitude` (0..1) peak. */
export function writeJitteredBursts(path: string, options: { hz: number; burstMs: number; amplitude: number }): void {
  const total = BURST_PERIODS_MS.reduce((a, b) => a + b, 0);
  const samples = new Float32Array(Math.round((total * RATE) / 1000));
  const burst = Math.round((options.burstMs * RATE) / 1000);
  let start = 0;
  for (const period of BURST_PERIODS_MS) {
    const at = Math.round((start * RATE) / 1000);
    // Starts at phase 0, so the onset is sharp but click-free.
    for (let i = 0; i < burst; i++) samples[at + i] = options.amplitude * Math.sin((2 * Math.PI * options.hz * i) / RATE);
    start += period;
  }
  writeFileSync(path, encodeWav([samples], RATE));
}
