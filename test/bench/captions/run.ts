/**
 * Live captions benchmark (issue #10 point 7): `npm run bench:captions [-- --speakers 4] [--priority=-10] [--alignments 4]`.
 *
 * The default caption engine (pocketsphinx-lines) on flite speech in four voices, each
 * voice saying the 12 sentences of sentences.ts (0.3 s of silence before each, 1 s after):
 *
 * - batch: one engine per voice is given the whole set as fast as it reads it: WER,
 *   CPU seconds per audio second (real-time factor). WER is measured at `--alignments`
 *   sub-frame alignments (the set behind 0, 2.5, 5, 7.5 ms of extra silence) and given as
 *   mean and range. The same samples decode differently with where the engine's reads fall
 *   (16 KiB reads in batch, 20 ms writes live: where an utterance is ended and the next one
 *   framed from), and that alone moves a voice's WER on this set by up to 5.5 points
 *   (measured: rms batch 3.7 % at +0 ms, 6.4 % at +2.5, +5, +7.5 ms; rms fed in 512 ms
 *   writes, batch's read size, 3.7 %, in 500 ms or 20 ms writes 6.4 %; kal16 batch 2.8 –
 *   8.3 %). So one alignment's batch WER is no bar for live; the range is;
 * - live: `--speakers` engines at once (voices in turn), each fed in 20 ms chunks at the
 *   pace of real speech (chunk k written once its audio has "happened", at t0 + (k+1)·20 ms,
 *   so audio time a is wall time t0 + a):
 *   - partial-word latency: for each word of each final, the first partial that already
 *     held that word (same text at the same place), minus the word's end in the audio;
 *   - final latency: the final's arrival minus the end of its last word;
 *   - WER of the finals, per voice, against batch decoding of the same audio;
 *   - CPU per live speaker (engine process user+system time / wall time), so live speakers
 *     per core = 1 / that; memory = the engine's peak RSS (VmHWM).
 *
 * Speed numbers depend on the machine's load (quoted with each run); nothing is asserted.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, setPriority } from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { CaptionEngine, type EngineResult } from '../../../server/captions/caption-engine.ts';
import { summarize, type Summary } from '../../support/percentiles.ts';
import { captionEngineCommand, FLITE_VOICES, requireSpeechTools, speechPcm, wordErrorRate, type FliteVoice } from '../../support/speech.ts';
import { runBench } from '../run-bench.ts';
import { SENTENCES } from './sentences.ts';

const { values: args } = parseArgs({ options: { speakers: { type: 'string', default: '4' }, priority: { type: 'string' }, alignments: { type: 'string', default: '4' } } });
const SPEAKERS = Math.max(1, Number(args.speakers));
/** `--priority=-10` (root): engines at that nice level, to measure them as on a server of their own when the machine is shared. */
const PRIORITY = args.priority === undefined ? undefined : Number(args.priority);
/** Extra leading silence of the batch runs, in samples: 0, 2.5, 5, 7.5 ms (a 10 ms frame's sub-frame phases). */
const ALIGNMENTS = Array.from({ length: Math.max(1, Number(args.alignments)) }, (_, i) => i * 40);
const CHUNK_BYTES = 640; // 20 ms
const CHUNK_MS = 20;
const logger = pino({ level: 'error' });
const engines = new Set<CaptionEngine>();
const CLOCK_TICKS = 100; // USER_HZ on Linux

type Speech = { voice: FliteVoice; pcm: Buffer; reference: string };

function speechSet(voice: FliteVoice): Speech {
  const pcm = Buffer.concat(SENTENCES.map((s) => speechPcm(s, { voice, padBefore: 0.3, padAfter: 1 })));
  return { voice, pcm, reference: SENTENCES.join(' ') };
}

/** CPU seconds (user + system) of a process so far, from /proc (NaN once it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

function peakRssMb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU of an engine across its processes (a restarted one is a new process): the last reading of each. */
function cpuMeter(engine: CaptionEngine): { read: () => number; stop: () => void } {
  const last = new Map<number, number>();
  const sample = (): void => {
    const pid = engine.pid;
    if (pid === undefined) return;
    const cpu = cpuSeconds(pid);
    if (!Number.isNaN(cpu)) last.set(pid, cpu);
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    read: () => {
      sample();
      return [...last.values()].reduce((a, b) => a + b, 0);
    },
    stop: () => clearInterval(timer),
  };
}

async function startEngine(): Promise<CaptionEngine> {
  const engine = await CaptionEngine.start({ command: captionEngineCommand(), logger, readyTimeoutMs: 120_000 });
  engines.add(engine);
  if (PRIORITY !== undefined) setPriority(engine.pid!, PRIORITY);
  return engine;
}

function finalsText(results: Array<{ at: number; result: EngineResult }>): string {
  return results
    .filter((r) => r.result.kind === 'final')
    .map((r) => r.result.text)
    .join(' ');
}

async function waitForQuiet(results: unknown[], quietMs: number, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  let seen = results.length;
  let since = Date.now();
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    if (results.length !== seen) {
      seen = results.length;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}

type BatchRun = { voice: FliteVoice; wer: number; rtf: number; audioSeconds: number };

async function batch(speech: Speech, shiftSamples = 0): Promise<BatchRun> {
  const engine = await startEngine();
  const results: Array<{ at: number; result: EngineResult }> = [];
  engine.events.on('result', (result) => results.push({ at: Date.now(), result }));
  const meter = cpuMeter(engine);
  const cpuBefore = meter.read();
  engine.write(Buffer.concat([Buffer.alloc(shiftSamples * 2), speech.pcm]));
  await until(() => results.filter((r) => r.result.kind === 'final').length >= SENTENCES.length, 300_000);
  await waitForQuiet(results, 1500, 30_000);
  const cpu = meter.read() - cpuBefore;
  meter.stop();
  engine.close();
  const audioSeconds = speech.pcm.length / 32_000;
  return { voice: speech.voice, wer: wordErrorRate(speech.reference, finalsText(results)), rtf: cpu / audioSeconds, audioSeconds };
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

type LiveRun = {
  voice: FliteVoice;
  wer: number;
  partialLatencyMs: number[];
  finalLatencyMs: number[];
  cpuPerWallSecond: number;
  peakRssMb: number;
  /** Restarts because the engine fell 20 s behind (an overloaded machine), and the audio that cost. */
  restarts: number;
  droppedSeconds: number;
};

async function live(speech: Speech, t0: number): Promise<LiveRun> {
  const engine = await startEngine();
  const results: Array<{ at: number; result: EngineResult }> = [];
  engine.events.on('result', (result) => results.push({ at: Date.now(), result }));
  const chunks = Math.ceil(speech.pcm.length / CHUNK_BYTES);
  // Everyone starts together at t0 (engines loaded by then).
  await new Promise((r) => setTimeout(r, Math.max(0, t0 - Date.now())));
  const meter = cpuMeter(engine);
  const cpuBefore = meter.read();
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(chunks, Math.floor((Date.now() - t0) / CHUNK_MS));
      for (; next < due; next++) engine.write(speech.pcm.subarray(next * CHUNK_BYTES, Math.min(speech.pcm.length, (next + 1) * CHUNK_BYTES)));
      if (next >= chunks) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await waitForQuiet(results, 2000, 30_000);
  const wall = (Date.now() - t0) / 1000;
  const cpu = meter.read() - cpuBefore;
  meter.stop();
  const rss = peakRssMb(engine.pid ?? -1);
  const restarts = engine.restarts;
  const droppedSeconds = engine.droppedSeconds;
  engine.close();

  const wallOf = (audioSeconds: number): number => t0 + audioSeconds * 1000;
  const partialLatencyMs: number[] = [];
  const finalLatencyMs: number[] = [];
  for (const { at, result } of results) {
    if (result.kind !== 'final' || result.words.length === 0) continue;
    finalLatencyMs.push(at - wallOf(result.end));
    const partials = results.filter((r) => r.result.kind === 'partial' && r.result.utterance === result.utterance);
    for (const [i, word] of result.words.entries()) {
      const first = partials.find((p) => p.result.words[i]?.word === word.word);
      partialLatencyMs.push((first ? first.at : at) - wallOf(word.end));
    }
  }
  return { voice: speech.voice, wer: wordErrorRate(speech.reference, finalsText(results)), partialLatencyMs, finalLatencyMs, cpuPerWallSecond: cpu / wall, peakRssMb: rss, restarts, droppedSeconds };
}

const f = (n: number, digits = 0): string => n.toFixed(digits);
const row = (label: string, s: Summary): string => `${label.padEnd(44)} ${String(s.n).padStart(5)} ${f(s.p50).padStart(7)} ${f(s.p95).padStart(7)} ${f(s.min).padStart(7)} ${f(s.max).padStart(7)}`;

async function main(): Promise<void> {
  requireSpeechTools();
  const load0 = loadavg()[0]!;
  const sets = new Map(FLITE_VOICES.map((v) => [v, speechSet(v)]));

  console.log(`caption engine: ${captionEngineCommand().join(' ')}`);
  console.log(`speech: ${SENTENCES.length} flite sentences per voice (${f(sets.get('rms')!.pcm.length / 32_000, 1)} s for rms), ${availableParallelism()} cores, load ${f(load0, 1)}${PRIORITY === undefined ? '' : `, engines at nice ${PRIORITY}`}\n`);

  const batches: BatchRun[] = [];
  const batchWers = new Map<FliteVoice, number[]>();
  for (const voice of FLITE_VOICES) {
    for (const shift of ALIGNMENTS) {
      const run = await batch(sets.get(voice)!, shift);
      if (shift === 0) batches.push(run);
      batchWers.set(voice, [...(batchWers.get(voice) ?? []), run.wer]);
    }
  }

  const t0 = Date.now() + 3000;
  const lives = await Promise.all(Array.from({ length: SPEAKERS }, (_, i) => live(sets.get(FLITE_VOICES[i % FLITE_VOICES.length]!)!, t0)));
  const load1 = loadavg()[0]!;

  console.log(`live: ${SPEAKERS} speakers at once, real-time pace in 20 ms chunks (load ${f(load0, 1)} → ${f(load1, 1)})`);
  console.log(`${'latency'.padEnd(44)} ${'n'.padStart(5)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'min ms'.padStart(7)} ${'max ms'.padStart(7)}`);
  console.log(row('partial word (word end in audio → partial)', summarize(lives.flatMap((l) => l.partialLatencyMs))));
  console.log(row('final (last word end → final)', summarize(lives.flatMap((l) => l.finalLatencyMs))));

  const pct = (n: number): string => `${f(n * 100, 1)}%`;
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`\nWER; batch at ${ALIGNMENTS.length} alignments (+${ALIGNMENTS.map((a) => f(a / 16, 1)).join(', ')} ms of silence first); live: mean over that voice's live speakers`);
  console.log(`${'voice'.padEnd(8)} ${'batch +0 ms'.padStart(12)} ${'batch mean'.padStart(11)} ${'batch range'.padStart(14)} ${'live WER'.padStart(9)}`);
  let batchSum = 0;
  let batchMeanSum = 0;
  let liveSum = 0;
  for (const b of batches) {
    const wers = batchWers.get(b.voice)!;
    const mine = lives.filter((l) => l.voice === b.voice);
    const liveWer = mine.length ? mean(mine.map((l) => l.wer)) : NaN;
    batchSum += b.wer;
    batchMeanSum += mean(wers);
    liveSum += mine.length ? liveWer : mean(wers);
    const range = `${pct(Math.min(...wers))} – ${pct(Math.max(...wers))}`;
    console.log(`${b.voice.padEnd(8)} ${pct(b.wer).padStart(12)} ${pct(mean(wers)).padStart(11)} ${range.padStart(14)} ${(mine.length ? pct(liveWer) : '-').padStart(9)}`);
  }
  const n = batches.length;
  console.log(`${'all'.padEnd(8)} ${pct(batchSum / n).padStart(12)} ${pct(batchMeanSum / n).padStart(11)} ${''.padStart(14)} ${pct(liveSum / n).padStart(9)}  (live column: batch mean for a voice with no live speaker)`);

  const rtf = batches.reduce((s, b) => s + b.rtf, 0) / batches.length; // the +0 ms runs
  const cpuPerSpeaker = lives.reduce((s, l) => s + l.cpuPerWallSecond, 0) / lives.length;
  const rss = lives.reduce((s, l) => s + l.peakRssMb, 0) / lives.length;
  console.log(`\nbatch real-time factor (engine CPU s per audio s): ${f(rtf, 3)}`);
  console.log(`live CPU per speaker (engine CPU s per wall s, speech ≈ ${f(sets.get('rms')!.pcm.length / 32_000 - SENTENCES.length * 1.3, 0)} of ${f(sets.get('rms')!.pcm.length / 32_000, 0)} s): ${f(cpuPerSpeaker, 3)} → live speakers per core: ${f(1 / cpuPerSpeaker, 1)}`);
  console.log(`engine memory per speaker (peak RSS): ${f(rss, 0)} MB`);
  const restarts = lives.reduce((s, l) => s + l.restarts, 0);
  const dropped = lives.reduce((s, l) => s + l.droppedSeconds, 0);
  console.log(`live engines restarted for falling 20 s behind: ${restarts} (${f(dropped, 1)} s of audio dropped)`);
}

await runBench(main, 15 * 60_000, [
  () => {
    for (const engine of engines) engine.close();
  },
]);
