/**
 * `npm run bench`: the studio in browser mode on loopback, Chromium's fake
 * microphone, real listeners. Measures mouth-to-ear latency and listener join
 * time and prints a table. Exits non-zero, with a reason, if it cannot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestStudio } from '../support/studio-fixture.ts';
import { cleanups, type Row } from './harness.ts';
import { measureJoins } from './join-time.ts';
import { measureMouthToEar } from './mouth-to-ear.ts';
import { runBench } from './run-bench.ts';

const DEADLINE_MS = 170_000;

const EXPLANATION = `
mouth-to-ear: 1 kHz burst onsets in the studio's microphone stream (as the page receives it, after
Chromium's voice processing) vs the same onsets in a listener's received stream, each found by an
AudioWorklet to the sample and mapped to one wall clock. Includes the studio's Web Audio program
mix, Opus encoding, RTP over loopback, mediasoup, the listener's jitter buffer and decoder, and one
Web Audio input hop per probe. Excludes capture hardware, voice processing, the speaker's output
latency. The indented rows split it at the track the studio publishes (a third probe).
join: from the click on "Listen live" to the first received sample over -40 dBFS, each time in a
fresh browser context (page load not counted): signalling, transports (ICE/DTLS), consume, first
packets, jitter buffer. The indented rows split it where the page gets the MediaStream.
All on loopback, one machine, headless Chromium.`;

function table(rows: Row[]): string {
  const cells = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(29) : v.padStart(i === 1 ? 3 : 6))).join('  ');
  const lines = [`${cells(['metric', 'n', 'p50 ms', 'p95 ms', 'min ms', 'max ms'])}  goal`];
  for (const { metric, summary: s, goal } of rows) {
    const verdict = goal ? `  p95 < ${goal.p95Below} ms ${s.p95 < goal.p95Below ? '(met)' : '(NOT met)'}` : '';
    lines.push(cells([metric, String(s.n), ...[s.p50, s.p95, s.min, s.max].map((v) => v.toFixed(1))]) + verdict);
  }
  return lines.join('\n');
}

/** Other work on the machine delays packets and audio callbacks, and the jitter buffer grows to match: say so beside the numbers. */
function machine(loadAtStart: number): string {
  const line = `machine: ${availableParallelism()} CPUs, 1-minute load average ${loadAtStart.toFixed(1)} before the bench, ${loadavg()[0]!.toFixed(1)} at its end.`;
  return loadAtStart >= 1 ? `${line} Other work was running: it inflates these numbers, the jitter buffer's share most.` : line;
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-bench-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const studio = await startTestStudio();
  cleanups.push(() => studio.close());
  const latency = await measureMouthToEar(studio, dir);
  const joins = await measureJoins(studio, dir);
  console.log(table([...latency.rows, ...joins.rows]));
  console.log(EXPLANATION);
  for (const note of [...latency.notes, ...joins.notes, machine(loadAtStart)]) console.log(note);
}

await runBench(main, DEADLINE_MS, cleanups);
