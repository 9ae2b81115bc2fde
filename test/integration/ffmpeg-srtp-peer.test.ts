/**
 * The mediasoup worker build against an RTP peer that is not our code:
 *
 *   ffmpeg (lavfi tones -> libopus -> SRTP)
 *     -> PlainTransport (comedia, SRTP, rtcpMux off) -> Producer
 *     -> Consumer -> PlainTransport (SRTP) -> ffmpeg (SDP a=crypto, decrypt, decode) -> WAV
 *
 * The router uses the server's own AUDIO_CODECS. The WAV is analysed in
 * TypeScript: a 440 Hz tone, then a 1000 Hz tone, at a sane level, for as
 * long as was sent; mediasoup's stats show every packet through, none lost.
 * A control run with a wrong sender key shows SRTP is really checked.
 *
 * rtcpMux is off on the ingest side because ffmpeg sends its first RTCP SR
 * from a separate socket before any RTP: with rtcpMux and comedia the
 * transport would latch onto the RTCP source port.
 *
 * Known interop gap, tolerated below: for AES_CM_128_HMAC_SHA1_32 ffmpeg puts
 * a 32-bit tag on SRTCP too (it has one tag size per suite), while libsrtp as
 * configured by mediasoup uses 80 bits for SRTCP (as DTLS-SRTP, RFC 5764,
 * specifies). SRTP media works; the RTCP in both directions fails to
 * authenticate and is dropped (ffmpeg logs "HMAC mismatch", the worker
 * "srtp_unprotect_rtcp() failed: authentication failure" at debug level).
 * It carries nothing this test needs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_CODECS } from '../../server/media/worker-pool.ts';
import { requireFfmpeg, startFfmpeg, tail, type FfmpegRun } from '../support/ffmpeg.ts';
import { freeUdpPortPair, waitForUdpPortsBound } from '../support/udp.ts';
import { analyseWindows, dominantFrequency, readWav, rms, toDbfs, type WindowAnalysis } from '../support/wav.ts';

const SUITES = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'] as const satisfies readonly types.SrtpCryptoSuite[];
/** Sent back to back: [Hz, seconds]. */
const TONES: Array<[hz: number, seconds: number]> = [
  [440, 2.5],
  [1000, 2.5],
];
const SENT_SECONDS = TONES.reduce((sum, [, s]) => sum + s, 0);
const TOLERANCE_HZ = 10;
const WINDOW_SECONDS = 0.25;
/** Opus over RTP from ffmpeg: one 20 ms frame per packet. */
const PACKETS_PER_SECOND = 50;
const SSRC = 11_111_111;
/** Samples per Opus frame (20 ms at 48 kHz); ffmpeg packs one frame per RTP packet. */
const FRAME_SAMPLES = 960;
/** SRTP authentication tag bytes per RTP packet. */
const TAG_BYTES: Record<(typeof SUITES)[number], number> = { AES_CM_128_HMAC_SHA1_80: 10, AES_CM_128_HMAC_SHA1_32: 4 };
const PAYLOAD_TYPE = 101;
const LOCALHOST = '127.0.0.1';

let worker: types.Worker;
let dir: string;
const running = new Set<FfmpegRun>();

/** An SRTP master key + salt for the AES_CM_128 suites (16 + 14 bytes), base64. */
const newSrtpKey = (): string => randomBytes(30).toString('base64');

function ffmpeg(args: string[], timeoutMs: number): FfmpegRun {
  const run = startFfmpeg(args, { timeoutMs });
  running.add(run);
  void run.exited.then(() => running.delete(run));
  return run;
}

/** The lavfi graph for TONES: sines at ffmpeg's default level (1/8 full scale), concatenated. */
function toneGraph(tones: Array<[number, number]>): string {
  const parts = tones.map(([hz, s], i) => `sine=frequency=${hz}:duration=${s}:sample_rate=48000[t${i}]`);
  return `${parts.join(';')};${tones.map((_, i) => `[t${i}]`).join('')}concat=n=${tones.length}:v=0:a=1[out0]`;
}

function senderArgs(options: { suite: string; key: string; rtpPort: number; rtcpPort: number; tones: Array<[number, number]> }): string[] {
  return [
    '-re',
    '-f', 'lavfi',
    '-i', toneGraph(options.tones),
    '-c:a', 'libopus',
    '-ac', '2',
    '-ar', '48000',
    '-payload_type', String(PAYLOAD_TYPE),
    '-ssrc', String(SSRC),
    '-f', 'rtp',
    '-srtp_out_suite', options.suite,
    '-srtp_out_params', options.key,
    `srtp://${LOCALHOST}:${options.rtpPort}?rtcpport=${options.rtcpPort}&pkt_size=1200`,
  ];
}

type Pipeline = {
  router: types.Router;
  ingest: types.PlainTransport;
  egress: types.PlainTransport;
  producer: types.Producer;
  consumer: types.Consumer;
  /** RTP port of the ffmpeg receiver (RTCP is the next port). */
  receiverPort: number;
  sdp: string;
};

/** Router with the server's codecs, SRTP ingest (producer) and SRTP egress (consumer) to a receiver port pair. */
async function buildPipeline(suite: types.SrtpCryptoSuite, senderKey: string): Promise<Pipeline> {
  const router = await worker.createRouter({ mediaCodecs: AUDIO_CODECS });
  const listenInfo: types.TransportListenInfo = { protocol: 'udp', ip: LOCALHOST };
  const ingest = await router.createPlainTransport({ listenInfo, rtcpMux: false, comedia: true, enableSrtp: true, srtpCryptoSuite: suite });
  await ingest.connect({ srtpParameters: { cryptoSuite: suite, keyBase64: senderKey } });
  const producer = await ingest.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', clockRate: 48000, payloadType: PAYLOAD_TYPE, channels: 2 }],
      encodings: [{ ssrc: SSRC }],
    },
  });

  const egress = await router.createPlainTransport({ listenInfo, rtcpMux: false, comedia: false, enableSrtp: true, srtpCryptoSuite: suite });
  // Taken after mediasoup has bound its own ports, so they cannot collide.
  const receiverPort = await freeUdpPortPair();
  const egressKey = egress.srtpParameters?.keyBase64;
  if (!egressKey) throw new Error('egress transport has no SRTP parameters');
  // The key given here only decrypts what ffmpeg sends back; ffmpeg sends no
  // receiver reports at this bitrate within a few seconds, so it is unused.
  await egress.connect({ ip: LOCALHOST, port: receiverPort, rtcpPort: receiverPort + 1, srtpParameters: { cryptoSuite: suite, keyBase64: newSrtpKey() } });
  const consumer = await egress.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
  const codec = consumer.rtpParameters.codecs[0];
  if (!codec) throw new Error('consumer has no codec');
  expect(codec.mimeType.toLowerCase()).toBe('audio/opus');
  const sdp = [
    'v=0',
    `o=- 0 0 IN IP4 ${LOCALHOST}`,
    's=mediasoup consumer',
    `c=IN IP4 ${LOCALHOST}`,
    't=0 0',
    `m=audio ${receiverPort} RTP/SAVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} opus/48000/2`,
    `a=crypto:1 ${suite} inline:${egressKey}`,
    '',
  ].join('\n');
  return { router, ingest, egress, producer, consumer, receiverPort, sdp };
}

/** How often ffmpeg logged a line matching `pattern`, counting "Last message repeated N times". */
function countLog(stderr: string, pattern: RegExp): number {
  let count = 0;
  let previousMatched = false;
  for (const line of stderr.split(/\r?\n|\r/)) {
    const repeated = /Last message repeated (\d+) times/.exec(line);
    if (repeated) {
      if (previousMatched) count += Number(repeated[1]);
      continue;
    }
    previousMatched = pattern.test(line);
    if (previousMatched) count++;
  }
  return count;
}

function describeTrack(track: WindowAnalysis[]): string {
  return track.map((w) => `${w.t.toFixed(2)}s ${w.hz.toFixed(1)}Hz ${w.rmsDbfs.toFixed(1)}dB`).join('\n');
}

describe('ffmpeg as an SRTP peer of mediasoup PlainTransports', { timeout: 40_000 }, () => {
  beforeAll(async () => {
    // ffmpeg comes with ./spacecraft setup: without it these tests fail, they are never skipped.
    requireFfmpeg();
    dir = mkdtempSync(join(tmpdir(), 'spacecraft-ffmpeg-srtp-'));
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
  });

  afterAll(async () => {
    for (const run of running) run.kill();
    await Promise.all([...running].map((run) => run.exited));
    worker?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(SUITES)('%s: tones sent by ffmpeg come back decoded at the right frequencies, no packet lost', async (suite) => {
    const senderKey = newSrtpKey();
    const pipeline = await buildPipeline(suite, senderKey);
    const { router, ingest, egress, producer, consumer, receiverPort } = pipeline;
    try {
      const sdpPath = join(dir, `${suite}.sdp`);
      const wavPath = join(dir, `${suite}.wav`);
      writeFileSync(sdpPath, pipeline.sdp);

      // The receiver stops by itself 3 s after the last packet (listen_timeout).
      const receiver = ffmpeg(['-y', '-protocol_whitelist', 'file,udp,rtp,srtp', '-listen_timeout', '3', '-i', sdpPath, '-c:a', 'pcm_s16le', wavPath], 25_000);
      await waitForUdpPortsBound([receiverPort, receiverPort + 1], 5_000);

      const rtpPort = ingest.tuple.localPort;
      const rtcpPort = ingest.rtcpTuple?.localPort;
      if (!rtcpPort) throw new Error('ingest transport has no RTCP port (rtcpMux should be off)');
      const sender = ffmpeg(senderArgs({ suite, key: senderKey, rtpPort, rtcpPort, tones: TONES }), 15_000);

      const sent = await sender.exited;
      expect(sent, `sender failed:\n${tail(sent.stderr)}`).toMatchObject({ code: 0, timedOut: false });
      const received = await receiver.exited;
      expect(received, `receiver failed:\n${tail(received.stderr)}`).toMatchObject({ code: 0, timedOut: false });
      // Every RTP packet authenticated (else the packet counts below would not add up); with the
      // _32 suite only mediasoup's sender reports fail, about one a second (see the header comment).
      const hmacFailures = countLog(received.stderr, /HMAC mismatch/);
      if (suite === 'AES_CM_128_HMAC_SHA1_80') expect(hmacFailures, tail(received.stderr)).toBe(0);
      else expect(hmacFailures, tail(received.stderr)).toBeLessThanOrEqual(SENT_SECONDS + 5);

      // --- mediasoup stats: everything in came out, nothing lost ---
      const [producerStats] = await producer.getStats();
      const consumerStats = (await consumer.getStats()).find((s) => s.type === 'outbound-rtp');
      const [ingestStats] = await ingest.getStats();
      const [egressStats] = await egress.getStats();
      const minPackets = Math.floor(SENT_SECONDS * PACKETS_PER_SECOND * 0.95);
      expect(producerStats).toMatchObject({ type: 'inbound-rtp', ssrc: SSRC });
      expect(consumerStats).toMatchObject({ type: 'outbound-rtp' });
      expect(producerStats!.packetCount).toBeGreaterThanOrEqual(minPackets);
      expect(producerStats!.packetsLost).toBe(0);
      expect(consumerStats!.packetCount).toBe(producerStats!.packetCount);
      expect(consumerStats!.packetsLost).toBe(0);
      // mediasoup counts RTP bytes in the clear; on the wire each packet carries the
      // suite's auth tag, plus a few SRTCP packets (RTCP goes to the same counters).
      const tags = TAG_BYTES[suite] * producerStats!.packetCount;
      expect(ingestStats!.bytesReceived - producerStats!.byteCount).toBeGreaterThanOrEqual(tags);
      expect(ingestStats!.bytesReceived - producerStats!.byteCount).toBeLessThan(tags + 500);
      expect(egressStats!.bytesSent - consumerStats!.byteCount).toBeGreaterThanOrEqual(TAG_BYTES[suite] * consumerStats!.packetCount);

      // --- the audio itself ---
      const wav = readWav(readFileSync(wavPath));
      expect(wav.sampleRate).toBe(48000);
      expect(wav.durationSeconds).toBeGreaterThan(SENT_SECONDS - 0.5);
      expect(wav.durationSeconds).toBeLessThan(SENT_SECONDS + 0.5);
      // One 20 ms Opus frame per packet and ffmpeg does not fill gaps: every packet mediasoup
      // forwarded reached the receiver, decrypted and decoded.
      expect(wav.frames).toBe(consumerStats!.packetCount * FRAME_SAMPLES);

      const track = analyseWindows(wav.mono, wav.sampleRate, { windowSeconds: WINDOW_SECONDS, maxHz: 4000 });
      const tone = (w: WindowAnalysis): number =>
        w.rmsDbfs > -40 ? TONES.findIndex(([hz]) => Math.abs(w.hz - hz) <= TOLERANCE_HZ) : -1;
      const message = `window track (start, dominant frequency, level):\n${describeTrack(track)}`;
      const order = track.map(tone);
      for (const [i, [hz, seconds]] of TONES.entries()) {
        const windows = track.filter((_, j) => order[j] === i);
        // Each tone is there for (nearly) as long as it was sent...
        expect(windows.length * WINDOW_SECONDS, `${hz} Hz seconds\n${message}`).toBeGreaterThanOrEqual(seconds - 2 * WINDOW_SECONDS);
        // ... and, measured over its whole stretch, at the sent frequency and a sane level.
        const first = Math.round(windows[0]!.t * wav.sampleRate);
        const end = Math.round((windows.at(-1)!.t + WINDOW_SECONDS) * wav.sampleRate);
        expect(Math.abs(dominantFrequency(wav.mono, wav.sampleRate, { start: first, end, maxHz: 4000 }) - hz), message).toBeLessThanOrEqual(TOLERANCE_HZ);
        const level = toDbfs(rms(wav.mono, first, end));
        // Sent at 1/8 full scale (-21 dBFS RMS), upmixed to stereo at -3 dB: about -24 dBFS.
        expect(level, `${hz} Hz level in dBFS`).toBeGreaterThan(-27);
        expect(level, `${hz} Hz level in dBFS`).toBeLessThan(-21);
      }
      // In order, and nothing else in between: at most the window straddling the switch is neither.
      const recognised = order.filter((i) => i >= 0);
      expect(recognised, message).toEqual([...recognised].sort((a, b) => a - b));
      expect(order.filter((i) => i < 0).length, message).toBeLessThanOrEqual(2);
    } finally {
      for (const run of running) run.kill();
      router.close();
    }
  });

  it('drops SRTP from a sender with the wrong key: packets arrive, none is accepted', async () => {
    const suite = SUITES[0];
    const { router, ingest, producer } = await buildPipeline(suite, newSrtpKey());
    try {
      const rtcpPort = ingest.rtcpTuple?.localPort;
      if (!rtcpPort) throw new Error('ingest transport has no RTCP port');
      const sender = ffmpeg(senderArgs({ suite, key: newSrtpKey(), rtpPort: ingest.tuple.localPort, rtcpPort, tones: [[440, 1]] }), 10_000);
      const sent = await sender.exited;
      expect(sent, tail(sent.stderr)).toMatchObject({ code: 0, timedOut: false });
      const [ingestStats] = await ingest.getStats();
      expect(ingestStats!.bytesReceived).toBeGreaterThan(0);
      expect(ingestStats!.rtpBytesReceived).toBe(0);
      const producerStats = await producer.getStats();
      expect(producerStats.reduce((n, s) => n + s.packetCount, 0)).toBe(0);
    } finally {
      for (const run of running) run.kill();
      router.close();
    }
  });
});
