/**
 * `npm run bench:scale` (issue #12): in one run on one machine,
 *   1. listeners per node with 1 vs 2 workers (pipeToRouter), as a ratio (workers.ts);
 *   2. the program mix's added latency and CPU per Space (mix.ts);
 *   3. the HLS overflow's latency next to the direct (WebRTC-path) arrival (mix.ts);
 *   4. re-plumbing the mix on a stage change: fixed slots vs restarting the mixer (replumb.ts);
 *   5. what listeners hear: WebRTC vs HLS overflow pages in Chromium, burst → onset (players.ts; needs `npm run build`).
 * Prints tables; never asserts. Linux only (/proc, taskset).
 *
 *   node test/bench/scale/run.ts [--listeners 500,500,500,500] [--seconds 20] [--segment 1] [--only workers,mix]
 *
 * Each listener count is measured twice back to back (1 worker, then 2): repeat a count for more pairs.
 */
import { parseArgs } from 'node:util';
import { summarize } from '../../support/percentiles.ts';
import { loadAverage } from '../capacity/proc.ts';
import { runBench } from '../run-bench.ts';
import { measureMix } from './mix.ts';
import { measurePlayers } from './players.ts';
import { measureReplumb } from './replumb.ts';
import { measureWorkers } from './workers.ts';

const { values } = parseArgs({
  options: {
    listeners: { type: 'string', default: '500,500,500,500' },
    seconds: { type: 'string', default: '20' },
    segment: { type: 'string', default: '1' },
    only: { type: 'string', default: 'workers,mix,replumb,players' },
  },
});
const only = new Set(values.only!.split(','));
const log = (line: string) => process.stderr.write(`scale: ${line}\n`);
const ms = (v: number) => v.toFixed(0).padStart(7);

await runBench(
  async () => {
    console.log(`load average at start: ${loadAverage()}`);
    if (only.has('workers')) {
      const rows = await measureWorkers(values.listeners!.split(',').map(Number), log);
      console.log('\nListeners per node, 1 vs 2 workers (SRTP PlainTransport listeners of one Opus stream; the 2-worker half piped with pipeToRouter)');
      console.log('workers  listeners  split        worker CPU (% of a core)  user-mode only       streams  lost  node holds at 90 %/worker');
      for (const r of rows) {
        console.log(
          `${String(r.workers).padStart(7)}  ${String(r.listeners).padStart(9)}  ${r.perWorker.join(' + ').padEnd(11)}  ${r.cpu.map((c) => (c * 100).toFixed(1)).join(' + ').padEnd(24)}  ${r.userCpu.map((c) => (c * 100).toFixed(1)).join(' + ').padEnd(19)}  ${String(r.streams).padStart(7)}  ${String(r.lost).padStart(4)}  ${Math.round(r.holds)}`,
        );
      }
      // Rows come in pairs (1 worker, then 2) measured back to back: one ratio per pair.
      for (const [label, of] of [['all CPU', (r: (typeof rows)[number]) => r.holds], ['user-mode CPU', (r: (typeof rows)[number]) => r.holdsUser]] as const) {
        const ratios: number[] = [];
        // A pair where either side lost packets is left out: a starved worker (the machine's load) reads as cheap.
        for (let i = 0; i + 1 < rows.length; i += 2) if (rows[i]!.lost === 0 && rows[i + 1]!.lost === 0) ratios.push(of(rows[i + 1]!) / of(rows[i]!));
        const sorted = [...ratios].sort((a, b) => a - b);
        const median = sorted.length ? sorted[Math.floor(sorted.length / 2)]!.toFixed(2) : '–';
        console.log(`2 workers ÷ 1 worker (${label}), pairs without loss: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${median}`);
      }
    }
    if (only.has('mix')) {
      const mix = await measureMix({ seconds: Number(values.seconds), segmentSeconds: Number(values.segment), log });
      console.log('\nProgram mix (GStreamer audiomixer child, 13 slots) and HLS overflow (ffmpeg, fMP4, Opus copied)');
      console.log('                                              n   p50 ms  p95 ms  min ms  max ms');
      const row = (label: string, v: number[]) => {
        if (v.length === 0) return console.log(`${label.padEnd(44)}  0`);
        const s = summarize(v);
        console.log(`${label.padEnd(44)}${String(s.n).padStart(3)}  ${ms(s.p50)} ${ms(s.p95)} ${ms(s.min)} ${ms(s.max)}`);
      };
      row('mix added latency (program − direct onset)', mix.mixLatencyMs);
      row(`HLS listed (${mix.segmentSeconds} s segments) − direct onset`, mix.hlsLatencyMs);
      console.log(`direct bursts seen: ${mix.directBursts}`);
      console.log(`mixer CPU: ${mix.mixerCpu.map((c) => `${c.voices} voice(s) ${(c.core * 100).toFixed(1)} %`).join(', ')} of a core; HLS packager ${(mix.packagerCore * 100).toFixed(1)} %`);
    }
    if (only.has('replumb')) {
      const r = await measureReplumb({ changes: 6, log });
      console.log('\nRe-plumbing the mix on a stage change: longest gap in the program packets around each change (normally 20 ms)');
      console.log(`no change (baseline)           ${r.baselineMs.toFixed(0)} ms`);
      console.log(`fixed slots (ProgramMixer)     ${r.fixedSlotsMs.map((g) => g.toFixed(0)).join(', ')} ms`);
      console.log(`restart the mixer per change   ${r.restartMs.map((g) => g.toFixed(0)).join(', ')} ms`);
    }
    if (only.has('players')) {
      const p = await measurePlayers({ seconds: 45, log });
      console.log('\nWhat listeners hear: host burst (its first frame to the encoder) → onset in the page\'s <audio>, Chromium, same clock');
      console.log('                                              n   p50 ms  p95 ms  min ms  max ms');
      for (const [label, v] of [['WebRTC listener page', p.webrtcMs], ['HLS overflow page (hls.js, 1 s segments)', p.hlsMs]] as const) {
        if (v.length === 0) console.log(`${label.padEnd(44)}  0`);
        else {
          const s = summarize(v);
          console.log(`${label.padEnd(44)}${String(s.n).padStart(3)}  ${ms(s.p50)} ${ms(s.p95)} ${ms(s.min)} ${ms(s.max)}`);
        }
      }
    }
    console.log(`load average at end: ${loadAverage()}`);
  },
  15 * 60_000,
  [],
);
