/**
 * Bare mediasoup: one worker (pinned to core 0), one Opus producer (or P of them,
 * `publishers`) fed over a PlainTransport each by a local RTP sender at 50 packets/s,
 * and N PlainTransport listeners with SRTP (AES_CM_128_HMAC_SHA1_80), each consuming
 * every producer (N×P consumers), whose RTP goes to UDP sockets
 * in this process (pinned to core 1) where every packet is counted per SSRC.
 * No application code. Ramps N and narrows down the largest N with zero loss
 * and the worker under 90 % of one core.
 */
import { randomBytes } from 'node:crypto';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { AUDIO_CODECS } from '../../../server/media/worker-pool.ts';
import { CpuWindow, log, pin, rssBytes, sleep, udpCounters } from './proc.ts';
import { narrowDown, rampUp } from './ramp.ts';
import { OPUS_PT, OpusSender, RtpCounter } from './rtp.ts';

export const CPU_LIMIT = 0.9;

export type Step = {
  n: number;
  /** Length of the measuring window. */
  seconds: number;
  workerCore: number;
  /** The worker's user-mode share (its own code, SRTP, libc); the rest is the kernel's (UDP send and, on loopback, delivery). */
  workerUserCore: number;
  loadgenCore: number;
  machineBusy: number[];
  workerRssMB: number;
  streams: number;
  packets: number;
  expectedPerStream: number;
  lost: number;
  perStreamMin: number;
  receiverDrops: number;
  ok: boolean;
};

export type BareResult = {
  steps: Step[];
  maxN: number;
  baselineRssMB: number;
  idleCore: number;
  cpuPer1000: number;
  userCpuPer1000: number;
  rssPer1000MB: number;
  extrapolatedN: number;
};

/** SRTP master key + salt lengths. */
const KEY_BYTES: Record<types.SrtpCryptoSuite, number> = { AEAD_AES_256_GCM: 44, AEAD_AES_128_GCM: 28, AES_CM_128_HMAC_SHA1_80: 30, AES_CM_128_HMAC_SHA1_32: 30 };

type Leg = { transport: types.PlainTransport; consumers: types.Consumer[] };

export async function measureStep(opts: {
  n: number;
  workerPid: number;
  counter: RtpCounter;
  sender: { sent: number };
  ssrcs: Set<number>;
  settleMs?: number;
  windowMs?: number;
}): Promise<Omit<Step, 'ok'>> {
  await sleep(opts.settleMs ?? 1500);
  opts.counter.window();
  const udp0 = udpCounters();
  const sent0 = opts.sender.sent;
  const cpu = new CpuWindow([opts.workerPid, process.pid]);
  await sleep(opts.windowMs ?? 4000);
  const { seconds, cores, userCores, machineBusy } = cpu.end();
  const got = opts.counter.read(opts.ssrcs);
  const udp1 = udpCounters();
  return {
    n: opts.n,
    seconds,
    workerCore: cores[0]!,
    workerUserCore: userCores[0]!,
    loadgenCore: cores[1]!,
    machineBusy,
    workerRssMB: rssBytes(opts.workerPid) / 2 ** 20,
    streams: got.streams,
    packets: got.packets,
    expectedPerStream: opts.sender.sent - sent0,
    lost: got.lost,
    perStreamMin: got.perStreamMin,
    receiverDrops: (udp1['RcvbufErrors'] ?? 0) - (udp0['RcvbufErrors'] ?? 0),
  };
}

/** Under the CPU limit, no sequence gap in any stream, every consumer's stream present and flowing (≥ half the packets sent in the window). */
export function stepOk(s: Omit<Step, 'ok'>, expectedStreams: number): boolean {
  return s.workerCore < CPU_LIMIT && s.lost === 0 && s.streams === expectedStreams && s.perStreamMin >= s.expectedPerStream / 2;
}

export async function measureBare(
  options: { step?: number; maxN?: number; budgetMs?: number; atLimit?: (workerPid: number) => Promise<void>; srtpCryptoSuite?: types.SrtpCryptoSuite; publishers?: number; fixedSteps?: number[] } = {},
): Promise<BareResult> {
  const stepSize = options.step ?? 200;
  const maxN = options.maxN ?? 5000;
  const deadline = Date.now() + (options.budgetMs ?? 240_000);
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  pin(worker.pid, '0');
  pin(process.pid, '1');
  const publishers = options.publishers ?? 1;
  const senders = Array.from({ length: publishers }, (_, i) => new OpusSender(0x1234_5678 + i));
  const sender = senders[0]!;
  const counter = new RtpCounter();
  const legs: Leg[] = [];
  const ssrcs = new Set<number>();
  const suite = options.srtpCryptoSuite ?? 'AES_CM_128_HMAC_SHA1_80';
  try {
    const router = await worker.createRouter({ mediaCodecs: AUDIO_CODECS });
    const producers: types.Producer[] = [];
    for (const s of senders) {
      const ingest = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
      producers.push(
        await ingest.produce({
          kind: 'audio',
          rtpParameters: {
            codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
            encodings: [{ ssrc: s.ssrc }],
          },
        }),
      );
      await s.start(ingest.tuple.localPort);
    }
    const ports = await counter.open(16);

    const setN = async (n: number) => {
      while (legs.length > n) {
        const leg = legs.pop()!;
        for (const c of leg.consumers) ssrcs.delete(c.rtpParameters.encodings![0]!.ssrc!);
        leg.transport.close();
      }
      // In parallel batches: on a busy machine one request at a time makes a step of hundreds take minutes.
      while (legs.length < n) {
        const batch = Math.min(32, n - legs.length);
        const base = legs.length;
        legs.push(...(await Promise.all(Array.from({ length: batch }, (_, k) => addLeg(base + k)))));
      }
    };
    const addLeg = async (index: number): Promise<Leg> => {
      const transport = await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: false,
        enableSrtp: true,
        srtpCryptoSuite: suite,
      });
      await transport.connect({
        ip: '127.0.0.1',
        port: ports[index % ports.length]!,
        srtpParameters: { cryptoSuite: suite, keyBase64: randomBytes(KEY_BYTES[suite]).toString('base64') },
      });
      const consumers: types.Consumer[] = [];
      for (const producer of producers) {
        const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
        consumers.push(consumer);
        ssrcs.add(consumer.rtpParameters.encodings![0]!.ssrc!);
      }
      return { transport, consumers };
    };

    const idle = await measureStep({ n: 0, workerPid: worker.pid, counter, sender, ssrcs, settleMs: 500, windowMs: 2000 });
    const steps: Step[] = [];
    const run = async (n: number): Promise<Step> => {
      await setN(n);
      const s = await measureStep({ n, workerPid: worker.pid, counter, sender, ssrcs });
      const step = { ...s, ok: stepOk(s, n * publishers) };
      steps.push(step);
      log(`bare N=${n}: worker ${(s.workerCore * 100).toFixed(1)} % of a core, load generator ${(s.loadgenCore * 100).toFixed(1)} %, lost ${s.lost}, streams ${s.streams}/${n * publishers} (min ${s.perStreamMin}/${s.expectedPerStream} packets), receiver drops ${s.receiverDrops}, worker RSS ${s.workerRssMB.toFixed(1)} MB ${step.ok ? 'ok' : 'OVER'}`);
      return step;
    };
    const { good } = await narrowDown(run, await rampUp(run, { stepSize, maxN, deadline, fixedSteps: options.fixedSteps }), deadline);
    if (options.atLimit && good > 0) {
      await setN(good);
      await sleep(1000);
      await options.atLimit(worker.pid);
    }
    // CPU and memory per 1,000 from the good steps (least squares through the idle point).
    // With fixed steps the CPU fit takes every step where all streams were there (loss there is the busy machine's).
    const usable = steps.filter((s) => (options.fixedSteps ? s.streams === s.n * publishers : s.ok) && s.n > 0);
    const slope = (f: (s: Step) => number, base: number) =>
      usable.reduce((a, s) => a + (f(s) - base) * s.n, 0) / Math.max(1, usable.reduce((a, s) => a + s.n * s.n, 0));
    const cpuPerConsumer = slope((s) => s.workerCore, idle.workerCore);
    const rssPerConsumer = slope((s) => s.workerRssMB, idle.workerRssMB);
    return {
      steps,
      maxN: good,
      baselineRssMB: idle.workerRssMB,
      idleCore: idle.workerCore,
      cpuPer1000: cpuPerConsumer * 1000,
      userCpuPer1000: slope((s) => s.workerUserCore, idle.workerUserCore) * 1000,
      rssPer1000MB: rssPerConsumer * 1000,
      extrapolatedN: cpuPerConsumer > 0 ? (CPU_LIMIT - idle.workerCore) / cpuPerConsumer : 0,
    };
  } finally {
    for (const s of senders) s.stop();
    counter.close();
    worker.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureBare({ step: Number(process.argv[2] ?? 200) });
  console.log(JSON.stringify({ ...result, steps: undefined }, null, 2));
  process.exit(0);
}
