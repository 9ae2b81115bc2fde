/**
 * Re-plumbing the program mix when the stage changes, two ways, measured as the longest silence in
 * the program's packets around each change (a gap there is a gap every program listener hears):
 *
 *   fixed slots (what ProgramMixer does): the mixer keeps running; a speaker's consumer is opened to
 *     a free slot, or closed;
 *   restart: the mixer process is stopped and started again with the new inputs (the same pipeline
 *     from `mixerPipeline`), as a design that rebuilds the ffmpeg/GStreamer command per change would.
 *
 * Packets normally come every 20 ms; the baseline is the longest gap with no change going on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { pino } from 'pino';
import { mixerPipeline, ProgramMixer } from '../../../server/media/program-mixer.ts';
import { freeUdpPortPair } from '../../../server/media/udp-ports.ts';
import { AUDIO_CODECS } from '../../../server/media/worker-pool.ts';
import { startFfmpeg, type FfmpegRun } from '../../support/ffmpeg.ts';
import { sleep } from '../capacity/proc.ts';

export type ReplumbResult = { baselineMs: number; fixedSlotsMs: number[]; restartMs: number[] };

async function tone(router: types.Router, hz: number, runs: FfmpegRun[]): Promise<types.Producer> {
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
  const ssrc = randomInt(10_000, 2 ** 31);
  const producer = await transport.produce({ kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/opus', clockRate: 48000, payloadType: 101, channels: 2 }], encodings: [{ ssrc }] } });
  runs.push(
    startFfmpeg(
      ['-re', '-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=120:sample_rate=48000`, '-c:a', 'libopus', '-ac', '2', '-payload_type', '101', '-ssrc', String(ssrc), '-f', 'rtp',
        `rtp://127.0.0.1:${transport.tuple.localPort}?rtcpport=${transport.rtcpTuple!.localPort}&pkt_size=1200`],
      { timeoutMs: 130_000 },
    ),
  );
  return producer;
}

/** Arrival times of packets on a new socket, and its port. */
async function sink(): Promise<{ port: number; arrivals: number[]; close(): void }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const arrivals: number[] = [];
  socket.on('message', (msg) => {
    const pt = msg[1]! & 0x7f;
    if (!(pt >= 72 && pt <= 79)) arrivals.push(performance.now());
  });
  return { port: socket.address().port, arrivals, close: () => socket.close() };
}

/** Longest gap between consecutive arrivals within [from, to]. */
function longestGap(arrivals: number[], from: number, to: number): number {
  let longest = 0;
  for (let i = 1; i < arrivals.length; i++) if (arrivals[i]! >= from && arrivals[i - 1]! <= to) longest = Math.max(longest, arrivals[i]! - arrivals[i - 1]!);
  return longest;
}

export async function measureReplumb(options: { changes: number; log: (line: string) => void }): Promise<ReplumbResult> {
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const runs: FfmpegRun[] = [];
  const logger = pino({ level: 'warn' });
  const children: ChildProcess[] = [];
  try {
    const router = await worker.createRouter({ mediaCodecs: AUDIO_CODECS });
    const host = await tone(router, 500, runs);
    const speaker = await tone(router, 900, runs);

    // Fixed slots: the mixer runs on; the speaker's consumer comes and goes.
    const mixer = await ProgramMixer.create(router, { slots: 13, logger });
    const out = await sink();
    const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
    await transport.connect({ ip: '127.0.0.1', port: out.port });
    await transport.consume({ producerId: mixer.producer.id, rtpCapabilities: router.rtpCapabilities });
    await mixer.addInput(host.id);
    await sleep(2500);
    const quietFrom = performance.now();
    await sleep(1500);
    const baselineMs = longestGap(out.arrivals, quietFrom, performance.now());
    const fixedSlotsMs: number[] = [];
    for (let i = 0; i < options.changes; i++) {
      const at = performance.now();
      if (i % 2 === 0) await mixer.addInput(speaker.id);
      else mixer.removeInput(speaker.id);
      await sleep(1200);
      fixedSlotsMs.push(longestGap(out.arrivals, at - 100, at + 1000));
    }
    mixer.close();
    out.close();

    // Restart: the same pipeline, the process stopped and started again per change.
    const restartOut = await sink();
    const slotPorts = [await freeUdpPortPair(), await freeUdpPortPair()];
    const pipeline = mixerPipeline({ slotPorts, payloadType: 100, outPort: restartOut.port, ssrc: 1234, bitrate: 64_000, jitterMs: 30 });
    const feed = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: false });
    await feed.connect({ ip: '127.0.0.1', port: slotPorts[0]!, rtcpPort: slotPorts[0]! + 1 });
    await feed.consume({ producerId: host.id, rtpCapabilities: router.rtpCapabilities });
    const start = () => {
      const child = spawn('gst-launch-1.0', ['-q', ...pipeline], { stdio: 'ignore' });
      children.push(child);
      return child;
    };
    let child = start();
    await sleep(2500);
    const restartMs: number[] = [];
    for (let i = 0; i < options.changes; i++) {
      const at = performance.now();
      const exited = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      await exited;
      child = start();
      await sleep(2000);
      restartMs.push(longestGap(restartOut.arrivals, at - 100, at + 1900));
    }
    child.kill('SIGKILL');
    restartOut.close();
    options.log(`re-plumbing: baseline ${baselineMs.toFixed(0)} ms; fixed slots ${fixedSlotsMs.map((g) => g.toFixed(0)).join(', ')} ms; restart ${restartMs.map((g) => g.toFixed(0)).join(', ')} ms`);
    return { baselineMs, fixedSlotsMs, restartMs };
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const run of runs) run.kill();
    await Promise.all(runs.map((r) => r.exited));
    worker.close();
  }
}
