/**
 * SpeakerCaptions end to end on the server side, with real parts only:
 *
 *   flite WAV → ffmpeg (libopus, RTP, real time) → PlainTransport → Producer (mediasoup)
 *     → SpeakerCaptions: DirectTransport consumer → RTP → Opus decode → pocketsphinx-lines
 *
 * It yields the spoken words (recall bound: see server/captions/caption-engine.test.ts;
 * Opus at 64 kbps costs the recogniser little, so the same 0.8 holds), with times that
 * map to the wall clock through `startedAt`; pause stops captions and resume brings them
 * back; closing leaves nothing in mediasoup and no process; a bad engine command is a
 * typed error that leaves nothing behind either.
 */
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SpeakerCaptions, type EngineResult } from '../../server/captions/speaker-captions.ts';
import { SpacecraftError } from '../../server/errors.ts';
import { AUDIO_CODECS } from '../../server/media/worker-pool.ts';
import { SENTENCES } from '../bench/captions/sentences.ts';
import { requireFfmpeg, startFfmpeg, tail, type FfmpegRun } from '../support/ffmpeg.ts';
import { captionEngineCommand, requireSpeechTools, speechWav, wordRecall } from '../support/speech.ts';
import { freeUdpPortPair } from '../support/udp.ts';
import { processAlive } from '../support/processes.ts';

const LOCALHOST = '127.0.0.1';
const PAYLOAD_TYPE = 101;
const SSRC = 22_222_222;
const logger = pino({ level: 'silent' });

let worker: types.Worker;
let engineCommand: string[];
const running = new Set<FfmpegRun>();
const pipelines = new Set<SpeakerCaptions>();

/** `localPort`: ffmpeg's own RTP port (RTCP the next), the same for every run, because the comedia transport keeps the first source it hears. */
type Ingest = { router: types.Router; transport: types.PlainTransport; producer: types.Producer; localPort: number };

async function ingest(): Promise<Ingest> {
  const router = await worker.createRouter({ mediaCodecs: AUDIO_CODECS });
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCALHOST }, rtcpMux: false, comedia: true });
  const producer = await transport.produce({
    kind: 'audio',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', clockRate: 48000, payloadType: PAYLOAD_TYPE, channels: 2 }], encodings: [{ ssrc: SSRC }] },
  });
  return { router, transport, producer, localPort: await freeUdpPortPair() };
}

/** Sends a WAV as Opus RTP at real-time pace into the ingest transport; resolves when ffmpeg is done. */
async function send(into: Ingest, wav: string): Promise<void> {
  const run = startFfmpeg(
    [
      '-re', '-i', wav,
      '-c:a', 'libopus', '-ac', '2', '-ar', '48000', '-b:a', '64k', '-frame_duration', '20',
      '-payload_type', String(PAYLOAD_TYPE), '-ssrc', String(SSRC),
      '-f', 'rtp', `rtp://${LOCALHOST}:${into.transport.tuple.localPort}?rtcpport=${into.transport.rtcpTuple!.localPort}&localrtpport=${into.localPort}&localrtcpport=${into.localPort + 1}&pkt_size=1200`,
    ],
    { timeoutMs: 60_000 },
  );
  running.add(run);
  const result = await run.exited;
  running.delete(run);
  expect(result, `ffmpeg failed:\n${tail(result.stderr)}`).toMatchObject({ code: 0, timedOut: false });
}

async function startCaptions(into: Ingest, command = engineCommand): Promise<SpeakerCaptions> {
  const captions = await SpeakerCaptions.start({ router: into.router, producer: into.producer, engineCommand: command, vocabulary: [], logger });
  pipelines.add(captions);
  return captions;
}

function collect(captions: SpeakerCaptions): EngineResult[] {
  const results: EngineResult[] = [];
  captions.on('result', (r) => results.push(r));
  return results;
}

async function until<T>(what: string | (() => string), check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? (what as () => string)() : what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const finals = (results: EngineResult[]): EngineResult[] => results.filter((r) => r.kind === 'final');
const text = (results: EngineResult[]): string => finals(results).map((r) => r.text).join(' ');

beforeAll(async () => {
  requireFfmpeg();
  requireSpeechTools();
  engineCommand = captionEngineCommand();
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
});

afterEach(async () => {
  for (const run of running) run.kill();
  await Promise.all([...running].map((run) => run.exited));
  running.clear();
  for (const captions of pipelines) captions.close();
  pipelines.clear();
});

afterAll(() => {
  worker?.close();
});

describe('SpeakerCaptions on a real mediasoup producer', { timeout: 120_000 }, () => {
  it('captions what the speaker says, with word times on the wall clock', async () => {
    const into = await ingest();
    const captions = await startCaptions(into);
    const results = collect(captions);
    const sentences = [SENTENCES[0], SENTENCES[4]];
    const sentAt: number[] = [];
    for (const sentence of sentences) {
      sentAt.push(Date.now());
      await send(into, speechWav(sentence, { voice: 'rms', padBefore: 0.3, padAfter: 1 }));
    }
    await until(() => `two finals (got ${JSON.stringify(results.map((r) => [r.kind, r.text]))}, ${JSON.stringify(captions.audioStats)}, engine ${captions.engine.audioSeconds} s)`, () => finals(results).length >= 2);
    expect(wordRecall(sentences.join(' '), text(results)), text(results)).toBeGreaterThanOrEqual(0.8);
    // Each sentence's words lie on the wall clock between when its sending began and a little
    // after it ended (ffmpeg start-up and network delay aside: loose on purpose).
    const [first, second] = finals(results);
    const wall = (t: number): number => captions.startedAt + t * 1000;
    expect(wall(first!.start)).toBeGreaterThan(sentAt[0]! - 500);
    expect(wall(first!.end)).toBeLessThan(sentAt[1]! + 1500);
    expect(wall(second!.start)).toBeGreaterThan(sentAt[1]! - 500);
    expect(wall(second!.end), JSON.stringify(finals(results).map((r) => [r.start, r.end, r.text]))).toBeLessThan(Date.now());
    expect(captions.audioStats.packets).toBeGreaterThan(100);
    expect(captions.audioStats.undecodable).toBe(0);
  });

  it('pause stops captions (the utterance ends), resume brings them back', async () => {
    const into = await ingest();
    const captions = await startCaptions(into);
    const results = collect(captions);
    captions.pause();
    expect(captions.paused).toBe(true);
    await send(into, speechWav(SENTENCES[2], { voice: 'rms' }));
    await new Promise((r) => setTimeout(r, 1000));
    expect(results).toEqual([]);

    captions.resume();
    await send(into, speechWav(SENTENCES[3], { voice: 'rms' }));
    await until('a final after resume', () => finals(results).length >= 1);
    expect(wordRecall(SENTENCES[3], text(results)), JSON.stringify([results.map((r) => [r.kind, r.text, r.start, r.end]), captions.audioStats, captions.engine.audioSeconds])).toBeGreaterThanOrEqual(0.6);
    expect(wordRecall(SENTENCES[2], text(results))).toBeLessThan(0.3);
  });

  it('close() leaves no consumer, transport or process; a closed producer closes the pipeline', async () => {
    const into = await ingest();
    const before = (await into.router.dump()).transportIds.length;
    const captions = await startCaptions(into);
    expect((await into.router.dump()).transportIds.length).toBe(before + 1);
    const pid = captions.engine.pid!;
    captions.close();
    captions.close();
    expect((await into.router.dump()).transportIds.length).toBe(before);
    await until('the engine process to exit', () => !processAlive(pid), 5000);

    const again = await startCaptions(into);
    let closed = false;
    again.on('closed', () => (closed = true));
    const pid2 = again.engine.pid!;
    into.producer.close();
    await until('the pipeline to close with its producer', () => closed && again.closed);
    await until('the engine process to exit', () => !processAlive(pid2), 5000);
    expect((await into.router.dump()).transportIds.length).toBe(before);
  });

  it('a bad engine command rejects with CAPTIONS_UNAVAILABLE naming it, leaving nothing behind', async () => {
    const into = await ingest();
    const before = (await into.router.dump()).transportIds.length;
    const error = await startCaptions(into, ['/nonexistent/recogniser', '--fast']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpacecraftError);
    expect((error as SpacecraftError).code).toBe('CAPTIONS_UNAVAILABLE');
    expect((error as SpacecraftError).message).toContain('/nonexistent/recogniser --fast');
    expect((await into.router.dump()).transportIds.length).toBe(before);
    // The producer is untouched: captions can start later with a good command.
    expect(into.producer.closed).toBe(false);
  });
});
