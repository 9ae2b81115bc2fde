/**
 * The program stream with real media: a real mediasoup worker, ffmpeg sending the host's and a
 * speaker's tones as Opus into producers, the GStreamer mixer (server/media/program-mixer.ts)
 * mixing them into the program producer, and ffmpeg recording a consumer of the program. The
 * recording is measured: both tones are in it, and a voice that leaves the stage leaves the mix
 * while the other goes on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProgramMixer } from '../../server/media/program-mixer.ts';
import { AUDIO_CODECS } from '../../server/media/worker-pool.ts';
import { requireFfmpeg, type FfmpegRun } from '../support/ffmpeg.ts';
import { requireCommand } from '../support/require-tool.ts';
import { produceTone, recordProducer, toneDbfs } from '../support/rtp-tones.ts';
import { processAlive } from '../support/processes.ts';

const HOST_HZ = 440;
const SPEAKER_HZ = 1000;
/** ffmpeg's sine is −18 dBFS peak (−21 RMS); a mixed voice well above this is clearly there. */
const HEARD_DBFS = -35;
/** A voice gone from the mix is far below this. */
const GONE_DBFS = -55;

let worker: types.Worker;
let dir: string;
const runs = new Set<FfmpegRun>();
const mixers: ProgramMixer[] = [];
const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });

beforeAll(async () => {
  requireFfmpeg();
  requireCommand('gst-launch-1.0', ['--version']);
  dir = mkdtempSync(join(tmpdir(), 'spacecraft-program-'));
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
});

afterEach(async () => {
  for (const mixer of mixers.splice(0)) mixer.close();
  for (const run of runs) run.kill();
  await Promise.all([...runs].map((run) => run.exited));
  runs.clear();
});

afterAll(() => {
  worker?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function levels(samples: Float32Array, rate: number, from: number, to: number) {
  const [start, end] = [Math.round(from * rate), Math.round(to * rate)];
  return { host: toneDbfs(samples, rate, HOST_HZ, start, end), speaker: toneDbfs(samples, rate, SPEAKER_HZ, start, end) };
}

describe('the program mixer', { timeout: 60_000 }, () => {
  it("mixes the host's and a speaker's tones into one program producer, and drops a voice that leaves the stage", async () => {
    const router = await worker.createRouter({ mediaCodecs: AUDIO_CODECS });
    const mixer = await ProgramMixer.create(router, { slots: 4, logger });
    mixers.push(mixer);
    const host = await produceTone(router, HOST_HZ, 14, runs);
    const speaker = await produceTone(router, SPEAKER_HZ, 14, runs);
    await mixer.addInput(host.producer.id);
    await mixer.addInput(speaker.producer.id);
    expect(mixer.inputs).toEqual([host.producer.id, speaker.producer.id]);

    // The program is one producer in the Space's router, like any voice on stage.
    expect(mixer.producer.kind).toBe('audio');
    const recording = await recordProducer(router, mixer.producer.id, 8, dir, runs);
    // Let both voices be heard for a while, then the speaker leaves the stage.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    mixer.removeInput(speaker.producer.id);
    expect(mixer.inputs).toEqual([host.producer.id]);
    const wav = await recording.done;
    const rate = wav.sampleRate;
    const both = levels(wav.mono, rate, 1.5, 3.5);
    const after = levels(wav.mono, rate, 6, 8);
    console.info(`program: host ${both.host.toFixed(1)} dBFS, speaker ${both.speaker.toFixed(1)} dBFS; after the speaker left: host ${after.host.toFixed(1)}, speaker ${after.speaker.toFixed(1)}`);
    expect(both.host).toBeGreaterThan(HEARD_DBFS);
    expect(both.speaker).toBeGreaterThan(HEARD_DBFS);
    expect(after.host).toBeGreaterThan(HEARD_DBFS);
    expect(after.speaker).toBeLessThan(GONE_DBFS);
  });

  it('keeps the program running while nobody speaks, and a voice that comes later is mixed in', async () => {
    const router = await worker.createRouter({ mediaCodecs: AUDIO_CODECS });
    const mixer = await ProgramMixer.create(router, { slots: 2, logger });
    mixers.push(mixer);
    const recording = await recordProducer(router, mixer.producer.id, 6, dir, runs);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const speaker = await produceTone(router, SPEAKER_HZ, 8, runs);
    await mixer.addInput(speaker.producer.id);
    const wav = await recording.done;
    // Silence first (the program never stops), then the speaker.
    expect(wav.durationSeconds).toBeGreaterThan(5.5);
    expect(levels(wav.mono, wav.sampleRate, 0.2, 1.5).speaker).toBeLessThan(GONE_DBFS);
    expect(levels(wav.mono, wav.sampleRate, 4.5, 5.8).speaker).toBeGreaterThan(HEARD_DBFS);
  });

  it('refuses more voices than it has slots, and closes with its router', async () => {
    const router = await worker.createRouter({ mediaCodecs: AUDIO_CODECS });
    const mixer = await ProgramMixer.create(router, { slots: 1, logger });
    mixers.push(mixer);
    const a = await produceTone(router, HOST_HZ, 3, runs);
    const b = await produceTone(router, SPEAKER_HZ, 3, runs);
    await mixer.addInput(a.producer.id);
    await mixer.addInput(a.producer.id);
    await expect(mixer.addInput(b.producer.id)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    // The voice's own producer closing frees its slot.
    a.producer.close();
    await expect.poll(() => mixer.inputs, { timeout: 5000 }).toEqual([]);
    await mixer.addInput(b.producer.id);
    expect(mixer.inputs).toEqual([b.producer.id]);
    const pid = mixer.pid;
    router.close();
    expect(mixer.closed).toBe(true);
    expect(mixer.producer.closed).toBe(true);
    await expect.poll(() => processAlive(pid), { timeout: 5000 }).toBe(false);
  });
});
