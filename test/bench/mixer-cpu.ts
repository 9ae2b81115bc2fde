/**
 * `node test/bench/mixer-cpu.ts` (after `npm run build`): the studio renderer's
 * CPU with the mixer running, as a share of one core, read from Chromium's own
 * process accounting (CDP SystemInfo.getProcessInfo: every renderer process of
 * the studio's browser, which holds the studio page alone; listeners run in a
 * browser of their own). Phases of 10 s each:
 *
 *   idle mixer    the mic and the meters only, not live
 *   whole, music  track playing (stereo), a pad every second, Podcast voice
 *                 processing, ducking, monitoring the program, live to one
 *                 listener in music mode (stereo Opus, 256 kbps)
 *   whole, voice  the same in voice mode (mono, 64 kbps, speech band)
 *   … not drawn   the same with the page not drawn: what layout and paint cost
 *
 * Prints a table, the renderer split by thread (Linux /proc: the page's main
 * thread, the AudioWorklet thread that renders the whole Web Audio graph, the
 * compositor, the audio devices, WebRTC), and what drawing costs as a ratio
 * within the run (renderer drawn ÷ not drawn: compare runs by it, the shared
 * machine's load moves the absolute numbers); never fails a test run. Goal
 * (issue #8): under 10 % of a core with the meters at display rate (the meters
 * paint at 30 Hz, see renderer/studio/features/mixer/lib/display-clock.ts).
 *
 *   --before <dir>  also measure the studio page built before a change (a copy
 *                   of out/renderer), served by its own studio, in the same run
 *   --rounds N      N rounds per build, alternating (means printed)
 *   --profile       CPU profile of the page's main thread: top functions
 *   --trace         Chromium trace: the renderer's top events by self time
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { DEFAULT_MIXER } from '../../electron/contract.ts';
import { PRESETS } from '../../renderer/lib/mix/presets.ts';
import { launchChromium } from '../support/chromium.ts';
import { openMixerStudio, playTrack, type Cleanups } from '../support/mixer-studio.ts';
import { writeBursts, writeStereoTones } from '../support/stereo-fixtures.ts';
import { writeSine } from '../support/tones.ts';

const PHASE_MS = 10_000;
const GOAL_PERCENT = 10;

type ProcessInfo = { type: string; id: number; cpuTime: number };

/** Renderer process ids of the browser (the studio's browser holds the studio page alone). */
async function rendererPids(browser: Browser): Promise<number[]> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo' as never)) as unknown as { processInfo: ProcessInfo[] };
    return processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
  } finally {
    await cdp.detach();
  }
}

const CLOCK_TICKS = 100;
/** CPU seconds per thread name of the given processes (Linux /proc; empty elsewhere). Threads of one name are summed. */
function cpuByThread(pids: readonly number[]): Map<string, number> {
  const byName = new Map<string, number>();
  for (const pid of pids) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const open = stat.indexOf('(');
        const close = stat.lastIndexOf(')');
        // Numbered pools (CompositorTileW2, ThreadPoolForeg…) count as one.
        const name = stat.slice(open + 1, close).replace(/\d+$/, '');
        const fields = stat.slice(close + 2).split(' ');
        const seconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
        byName.set(name, (byName.get(name) ?? 0) + seconds);
      } catch {
        // The thread ended meanwhile.
      }
    }
  }
  return byName;
}

/** CPU seconds of the browser's processes by type. */
async function cpuByType(browser: Browser): Promise<Map<string, number>> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo' as never)) as unknown as { processInfo: ProcessInfo[] };
    const byType = new Map<string, number>();
    for (const p of processInfo) byType.set(p.type, (byType.get(p.type) ?? 0) + p.cpuTime);
    return byType;
  } finally {
    await cdp.detach();
  }
}

/** The studio page's main-thread time by kind (CDP Performance metrics, seconds). */
const MAIN_THREAD = ['ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'TaskDuration'] as const;
const sessions = new WeakMap<Page, CDPSession>();
async function mainThread(page: Page): Promise<Map<string, number>> {
  // One session for the page's life: its metrics count from its Performance.enable.
  let cdp = sessions.get(page);
  if (!cdp) {
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    sessions.set(page, cdp);
  }
  const { metrics } = await cdp.send('Performance.getMetrics');
  return new Map(metrics.filter((m) => (MAIN_THREAD as readonly string[]).includes(m.name)).map((m) => [m.name, m.value]));
}

/** `--profile`: a CPU profile of the studio page's main thread in every phase, its top functions by self time printed (the profiler's own cost inflates that run's numbers). */
const PROFILE = process.argv.includes('--profile');
const profiles: Array<{ phase: string; top: Array<[string, number]> }> = [];

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
async function profiled<T>(page: Page, phase: string, run: () => Promise<T>): Promise<T> {
  if (!PROFILE) return run();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] } };
    await cdp.detach();
    // Self time per function: each sample's delta goes to the node it hit.
    const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const frame = byNode.get(id)?.callFrame;
      if (!frame) return;
      const file = frame.url.split('/').pop() ?? '';
      const name = `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
      self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
    });
    const wall = profile.endTime - profile.startTime;
    profiles.push({ phase, top: [...self].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 25).map(([name, us]) => [name, (100 * us) / wall]) });
  }
}

/** `--trace`: a Chromium trace of every phase, the renderer's threads' top events by self time printed (tracing's own cost inflates that run's numbers). */
const TRACE = process.argv.includes('--trace');
const traces: Array<{ phase: string; top: Array<[string, number, number]> }> = [];
type TraceEvent = { ph: string; name: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string } };

async function traced<T>(browser: Browser, page: Page, phase: string, run: () => Promise<T>): Promise<T> {
  if (!TRACE) return run();
  await browser.startTracing(page, { categories: ['toplevel', 'blink', 'cc', 'devtools.timeline', 'v8', 'renderer.scheduler', 'viz', 'gpu', 'disabled-by-default-devtools.timeline'] });
  const started = performance.now();
  let result: T;
  try {
    result = await run();
  } finally {
    const wall = (performance.now() - started) * 1000;
    const { traceEvents } = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
    const pids = new Set(await rendererPids(browser));
    const threadName = new Map<string, string>();
    for (const e of traceEvents) if (e.ph === 'M' && e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
    // Self time per (thread, event): an event's duration less its children's, on each thread's stack of complete events.
    const self = new Map<string, { wall: number; count: number }>();
    const byThread = new Map<string, TraceEvent[]>();
    for (const e of traceEvents) {
      if (e.ph !== 'X' || e.dur === undefined || !pids.has(e.pid)) continue;
      const key = `${e.pid}:${e.tid}`;
      (byThread.get(key) ?? byThread.set(key, []).get(key)!).push(e);
    }
    for (const [key, events] of byThread) {
      events.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
      const stack: Array<{ end: number; name: string; own: number }> = [];
      const close = (until: number) => {
        while (stack.length > 0 && stack[stack.length - 1]!.end <= until) {
          const done = stack.pop()!;
          const name = `${threadName.get(key) ?? key} / ${done.name}`;
          const row = self.get(name) ?? { wall: 0, count: 0 };
          row.wall += done.own;
          row.count++;
          self.set(name, row);
        }
      };
      for (const e of events) {
        close(e.ts);
        const parent = stack[stack.length - 1];
        if (parent) parent.own -= e.dur!;
        stack.push({ end: e.ts + e.dur!, name: e.name, own: e.dur! });
      }
      close(Number.POSITIVE_INFINITY);
    }
    traces.push({ phase, top: [...self].sort((a, b) => b[1].wall - a[1].wall).slice(0, 30).map(([name, row]) => [name, (100 * row.wall) / wall, (1e6 * row.count) / wall]) });
  }
  return result!;
}

async function measure(browser: Browser, page: Page, during?: () => Promise<void>, phase = ''): Promise<Map<string, number>> {
  return traced(browser, page, phase, () => profiled(page, phase, () => measureNow(browser, page, during)));
}

async function measureNow(browser: Browser, page: Page, during?: () => Promise<void>): Promise<Map<string, number>> {
  const pids = await rendererPids(browser);
  const before = await cpuByType(browser);
  const pageBefore = await mainThread(page);
  const threadsBefore = cpuByThread(pids);
  const started = performance.now();
  await (during?.() ?? new Promise((r) => setTimeout(r, PHASE_MS)));
  const after = await cpuByType(browser);
  const pageAfter = await mainThread(page);
  const threadsAfter = cpuByThread(pids);
  const wall = (performance.now() - started) / 1000;
  const shares = new Map<string, number>();
  for (const [name, seconds] of threadsAfter) shares.set(`thread:${name}`, (100 * (seconds - (threadsBefore.get(name) ?? 0))) / wall);
  for (const [type, seconds] of after) shares.set(type, (100 * (seconds - (before.get(type) ?? 0))) / wall);
  for (const [name, seconds] of pageAfter) shares.set(name, (100 * (seconds - (pageBefore.get(name) ?? 0))) / wall);
  return shares;
}

/** A pad every second for the phase. */
async function padsEverySecond(host: Page): Promise<void> {
  const end = performance.now() + PHASE_MS;
  while (performance.now() < end) {
    await host.keyboard.press('1');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

type Row = [string, Map<string, number>];

/**
 * `--before <dir>`: a studio renderer built before a change (a copy of out/renderer), served by a second studio's
 * bridge in place of out/renderer and measured in the same run, before and after alternating: the ratio of the
 * two on the same machine at the same time is what to read.
 */
function argument(name: string): string | null {
  const at = process.argv.indexOf(name);
  return at >= 0 ? (process.argv[at + 1] ?? null) : null;
}

/** One studio with the whole mixer: the four phases. */
async function studioPhases(files: { voice: string; track: string; pad: string }, label: string, rendererDir: string | null): Promise<Row[]> {
  const cleanups: Cleanups = [];
  try {
    const { host, browser } = await openMixerStudio(cleanups, { ...DEFAULT_MIXER, mode: 'music', track: { loop: true } }, files.voice, rendererDir ?? undefined);
    await host.waitForTimeout(2000);
    const rows: Row[] = [];
    const phase = (name: string) => (label ? `${label}: ${name}` : name);
    rows.push([phase('idle mixer (mic, meters)'), await measure(browser, host, undefined, phase('idle'))]);

    await playTrack(host, files.track);
    await host.getByRole('button', { name: 'Edit pads' }).click();
    await host.getByLabel('Load a clip onto pad 1').setInputFiles(files.pad);
    await host.getByRole('button', { name: 'Done' }).click();
    await host.evaluate(
      ([processing]) => window.studio.settings.get().then((s) => window.studio.settings.update({ mixer: { ...s.mixer, processing } })),
      [PRESETS.podcast.processing] as const,
    );
    await host.getByRole('radio', { name: 'Program' }).check();
    await host.getByLabel('Space title').fill('Mixer CPU');
    await host.getByRole('button', { name: 'Go live' }).click();
    const link = await host.getByLabel('Listener link').inputValue({ timeout: 15_000 });
    const listeners = await launchChromium();
    cleanups.push(() => listeners.close());
    const listener = await listeners.newPage();
    await listener.goto(link);
    await listener.getByRole('button', { name: /Listen live/ }).click();
    await listener.getByText('You are listening').waitFor({ timeout: 15_000 });
    await host.locator('body').click({ position: { x: 5, y: 5 } });
    await host.waitForTimeout(2000);
    rows.push([phase('whole mixer, live, music'), await measure(browser, host, () => padsEverySecond(host), phase('music'))]);
    await host.getByRole('radio', { name: 'Voice' }).check();
    await host.waitForTimeout(2000);
    rows.push([phase('whole mixer, live, voice'), await measure(browser, host, () => padsEverySecond(host), phase('voice'))]);
    // The same with the page not drawn (display: none): what layout and painting the meters cost.
    await host.evaluate(() => void (document.body.style.display = 'none'));
    await host.waitForTimeout(1000);
    rows.push([phase('  … with nothing drawn'), await measure(browser, host, () => padsEverySecond(host), phase('not drawn'))]);
    return rows;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-mixer-bench-'));
  try {
    const voice = join(dir, 'voice.wav');
    writeBursts(voice, { hz: 300, onSeconds: 2, offSeconds: 2, volume: 0.1, cycles: 10 });
    const track = join(dir, 'track.wav');
    writeStereoTones(track, { leftHz: 440, rightHz: 660, bothHz: 12_000, seconds: 30, volume: 0.15 });
    const pad = join(dir, 'pad.wav');
    writeSine(pad, 2000, 0.5, 0.2);
    const files = { voice, track, pad };

    const before = argument('--before');
    const rounds = Math.max(1, Number(argument('--rounds') ?? 1));
    const builds: Array<{ label: string; rows: Row[][] }> = before ? [{ label: 'before', rows: [] }, { label: 'after', rows: [] }] : [{ label: '', rows: [] }];
    for (let round = 0; round < rounds; round++) {
      // Alternating, the first build first in even rounds and last in odd ones: a load that drifts falls on both.
      const order = round % 2 === 0 ? builds : [...builds].reverse();
      for (const build of order) build.rows.push(await studioPhases(files, build.label, build.label === 'before' ? before : null));
    }
    // Per phase, the mean of the rounds.
    const rows: Row[] = builds.flatMap(({ rows: runs }) =>
      runs[0]!.map(([name], i): Row => {
        const shares = new Map<string, number>();
        for (const run of runs) for (const [key, value] of run[i]![1]) shares.set(key, (shares.get(key) ?? 0) + value / runs.length);
        return [name, shares];
      }),
    );

    const types = ['renderer', 'utility', 'browser', 'TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'];
    const heads = ['renderer', 'utility', 'browser', 'main task', 'script', 'layout', 'style'];
    const width = Math.max(28, ...rows.map(([name]) => name.length + 2));
    console.log(`${'phase'.padEnd(width)}${heads.map((t) => `${t} %`.padStart(12)).join('')}  goal`);
    for (const [name, shares] of rows) {
      const renderer = shares.get('renderer') ?? 0;
      console.log(`${name.padEnd(width)}${types.map((t) => (shares.get(t) ?? 0).toFixed(1).padStart(12)).join('')}  renderer < ${GOAL_PERCENT} % ${renderer < GOAL_PERCENT ? '(met)' : '(NOT met)'}`);
    }
    // Where the renderer's time goes, by thread (Linux /proc): every thread over 0.3 % in any phase.
    const threadNames = [...new Set(rows.flatMap(([, shares]) => [...shares].filter(([k, v]) => k.startsWith('thread:') && v >= 0.3).map(([k]) => k)))];
    threadNames.sort((a, b) => (rows[1]![1].get(b) ?? 0) - (rows[1]![1].get(a) ?? 0));
    if (threadNames.length > 0) {
      const short = (name: string) => name.replace('whole mixer, live, ', '').replace('  … with nothing drawn', 'not drawn').replace(' (mic, meters)', '').slice(0, 17);
      console.log(`\nrenderer by thread, % of a core\n${'thread'.padEnd(20)}${rows.map(([name]) => short(name).padStart(18)).join('')}`);
      for (const thread of threadNames) console.log(`${thread.slice(7).padEnd(20)}${rows.map(([, shares]) => (shares.get(thread) ?? 0).toFixed(1).padStart(18)).join('')}`);
    }
    for (const { phase, top } of profiles) {
      console.log(`\nmain thread, ${phase}: top self time, % of a core (sampled; includes the profiler's own cost)`);
      for (const [name, share] of top) console.log(`  ${share.toFixed(2).padStart(6)}  ${name}`);
    }
    for (const { phase, top } of traces) {
      console.log(`\nrenderer trace, ${phase}: top events by self time (wall), % of the phase, per second`);
      for (const [name, share, perSecond] of top) console.log(`  ${share.toFixed(2).padStart(6)} ${perSecond.toFixed(0).padStart(6)}/s  ${name}`);
    }
    if (before) {
      console.log(`\nafter ÷ before, renderer (same run, ${rounds} round${rounds > 1 ? 's' : ''} each, alternating):`);
      for (let i = 0; i < 4; i++) {
        const b = rows[i]![1].get('renderer') ?? 0;
        const a = rows[i + 4]![1].get('renderer') ?? 0;
        console.log(`  ${rows[i + 4]![0].replace('after: ', '').trim().padEnd(28)} ${b.toFixed(1).padStart(6)} → ${a.toFixed(1).padStart(6)} %   ${b > 0 ? (a / b).toFixed(2) : '-'}`);
      }
    }
    const renderer = (row: number) => rows[row]![1].get('renderer') ?? 0;
    for (let first = 0; first < rows.length; first += 4) {
      const hidden = renderer(first + 3);
      const label = rows.length > 4 ? ` (${rows[first]![0].split(':')[0]})` : '';
      if (hidden > 0) console.log(`${first === 0 ? '\n' : ''}drawing${label}: renderer drawn ÷ not drawn = ${(renderer(first + 1) / hidden).toFixed(2)} (music), ${(renderer(first + 2) / hidden).toFixed(2)} (voice)`);
    }
    console.log(`
% of one core over ${PHASE_MS / 1000} s, from Chromium's process accounting. renderer: the studio page (Web Audio,
its AudioWorklets, WebRTC's Opus encoder and transport, React at display rate, software compositing);
utility: Chromium's audio and network services; browser: Chromium's main process. main task / script /
layout / style: the studio page's main thread only (CDP Performance metrics), part of renderer.
Headless without a GPU (every frame is rastered in software), loopback, fake microphone.
machine: ${availableParallelism()} CPUs, 1-minute load average ${loadAtStart.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after${loadAtStart >= 1 ? ' (other work was running: it inflates these numbers)' : ''}.`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
