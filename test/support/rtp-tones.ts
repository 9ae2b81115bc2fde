/**
 * Plain-RTP tone peers for router-level media tests: ffmpeg sends a sine as Opus into a
 * PlainTransport (a producer), and records a consumer of any producer into a WAV. Loopback only,
 * no SRTP (the SRTP path has its own test: ffmpeg-srtp-peer.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { types } from 'mediasoup';
import { startFfmpeg, type FfmpegRun } from './ffmpeg.ts';
import { freeUdpPortPair, waitForUdpPortsBound } from './udp.ts';
import { goertzelPower, readWav, type Wav } from './wav.ts';

const LOOPBACK = '127.0.0.1';
const PAYLOAD_TYPE = 101;

export type TonePeer = { producer: types.Producer; transport: types.PlainTransport; sender: FfmpegRun };

/** ffmpeg sends a `hz` sine (−18 dBFS peak, ffmpeg's 1/8 scale) as Opus for `seconds` into a new producer of `router`. */
export async function produceTone(router: types.Router, hz: number, seconds: number, runs: Set<FfmpegRun>): Promise<TonePeer> {
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOOPBACK }, rtcpMux: false, comedia: true });
  const ssrc = 10_000 + Math.floor(Math.random() * 1_000_000);
  const producer = await transport.produce({
    kind: 'audio',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', clockRate: 48000, payloadType: PAYLOAD_TYPE, channels: 2 }], encodings: [{ ssrc }] },
  });
  const sender = startFfmpeg(
    [
      '-re', '-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=${seconds}:sample_rate=48000`,
      '-c:a', 'libopus', '-ac', '2', '-ar', '48000', '-payload_type', String(PAYLOAD_TYPE), '-ssrc', String(ssrc),
      '-f', 'rtp', `rtp://${LOOPBACK}:${transport.tuple.localPort}?rtcpport=${transport.rtcpTuple!.localPort}&pkt_size=1200`,
    ],
    { timeoutMs: (seconds + 10) * 1000 },
  );
  runs.add(sender);
  return { producer, transport, sender };
}

export type Recording = { transport: types.PlainTransport; consumer: types.Consumer; done: Promise<Wav>; receiver: FfmpegRun };

/** Records a consumer of `producerId` for `seconds` into a WAV in `dir` (48 kHz, the consumer's channels). */
export async function recordProducer(router: types.Router, producerId: string, seconds: number, dir: string, runs: Set<FfmpegRun>): Promise<Recording> {
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOOPBACK }, rtcpMux: false, comedia: false });
  const port = await freeUdpPortPair();
  await transport.connect({ ip: LOOPBACK, port, rtcpPort: port + 1 });
  const consumer = await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities, paused: true });
  const codec = consumer.rtpParameters.codecs[0]!;
  const name = `rec-${port}`;
  const sdpPath = join(dir, `${name}.sdp`);
  const wavPath = join(dir, `${name}.wav`);
  writeFileSync(
    sdpPath,
    [
      'v=0', `o=- 0 0 IN IP4 ${LOOPBACK}`, 's=recording', `c=IN IP4 ${LOOPBACK}`, 't=0 0',
      `m=audio ${port} RTP/AVP ${codec.payloadType}`, `a=rtpmap:${codec.payloadType} opus/48000/2`, '',
    ].join('\n'),
  );
  const receiver = startFfmpeg(['-y', '-protocol_whitelist', 'file,udp,rtp', '-i', sdpPath, '-t', String(seconds), '-c:a', 'pcm_s16le', '-ac', '1', wavPath], {
    timeoutMs: (seconds + 15) * 1000,
  });
  runs.add(receiver);
  await waitForUdpPortsBound([port, port + 1], 5_000);
  await consumer.resume();
  const done = receiver.exited.then((result) => {
    if (result.code !== 0) throw new Error(`recording failed: ${result.stderr.slice(-1500)}`);
    return readWav(readFileSync(wavPath));
  });
  return { transport, consumer, done, receiver };
}

/** RMS level (dBFS) of the `hz` component of samples[start, end): a Hann-windowed Goertzel, scaled so a full-scale sine reads −3 dBFS. */
export function toneDbfs(samples: Float32Array, sampleRate: number, hz: number, start = 0, end = samples.length): number {
  const n = end - start;
  const amplitude = (4 * Math.sqrt(goertzelPower(samples, sampleRate, hz, start, end))) / n;
  return 20 * Math.log10(Math.max(amplitude / Math.SQRT2, 1e-10));
}
