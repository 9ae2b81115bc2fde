/**
 * Listeners per node with 1 vs 2 workers, in the same run: N SRTP PlainTransport listeners of one
 * Opus producer (50 packets/s), either all on the origin worker, or spread half and half with the
 * second half on another worker's router fed by `router.pipeToRouter` (what SpaceFanout does).
 * Each worker's CPU is measured over a window; listeners a node holds at 90 % of each worker's core
 * = Σ over workers of (0.9 − idle) ÷ CPU per listener on that worker. The pipe's own cost (one
 * stream out of the origin, one into the other worker) is in the figures.
 */
import { randomBytes } from 'node:crypto';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { AUDIO_CODECS } from '../../../server/media/worker-pool.ts';
import { CpuWindow, pin, sleep } from '../capacity/proc.ts';
import { OPUS_PT, OpusSender, RtpCounter } from '../capacity/rtp.ts';

const CPU_LIMIT = 0.9;
const SUITE: types.SrtpCryptoSuite = 'AES_CM_128_HMAC_SHA1_80';

export type WorkersRow = { workers: number; listeners: number; perWorker: number[]; cpu: number[]; userCpu: number[]; idle: number[]; lost: number; streams: number; holds: number; holdsUser: number };

async function addListener(router: types.Router, producerId: string, port: number, ssrcs: Set<number>): Promise<types.PlainTransport> {
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false, enableSrtp: true, srtpCryptoSuite: SUITE });
  await transport.connect({ ip: '127.0.0.1', port, srtpParameters: { cryptoSuite: SUITE, keyBase64: randomBytes(30).toString('base64') } });
  const consumer = await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities });
  ssrcs.add(consumer.rtpParameters.encodings![0]!.ssrc!);
  return transport;
}

/** One configuration: `workers` (1 or 2) carrying `n` listeners. */
async function measure(workers: types.Worker[], n: number, log: (line: string) => void): Promise<WorkersRow> {
  const [origin] = workers;
  const routers = await Promise.all(workers.map((w) => w.createRouter({ mediaCodecs: AUDIO_CODECS })));
  const sender = new OpusSender(0x2345_6789);
  const counter = new RtpCounter();
  const ssrcs = new Set<number>();
  try {
    const ingest = await routers[0]!.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    const producer = await ingest.produce({
      kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: sender.ssrc }] },
    });
    await sender.start(ingest.tuple.localPort);
    for (const router of routers.slice(1)) await routers[0]!.pipeToRouter({ producerId: producer.id, router });
    const idleWindow = new CpuWindow(workers.map((w) => w.pid));
    await sleep(2000);
    const idleEnd = idleWindow.end();
    const idle = idleEnd.cores;
    const idleUser = idleEnd.userCores;
    const ports = await counter.open(16);
    const perWorker = workers.map((_, i) => Math.floor(n / workers.length) + (i < n % workers.length ? 1 : 0));
    for (const [i, count] of perWorker.entries()) {
      for (let made = 0; made < count; made += 32) {
        const batch = Math.min(32, count - made);
        await Promise.all(Array.from({ length: batch }, (_, k) => addListener(routers[i]!, producer.id, ports[(made + k) % ports.length]!, ssrcs)));
      }
    }
    await sleep(1500);
    counter.window();
    const window = new CpuWindow(workers.map((w) => w.pid));
    await sleep(8000);
    const end = window.end();
    const cpu = end.cores;
    const userCpu = end.userCores;
    const got = counter.read(ssrcs);
    // Listeners this node would hold: each worker up to the limit at its measured CPU per listener.
    const holds = workers.reduce((sum, _, i) => {
      const perListener = (cpu[i]! - idle[i]!) / Math.max(1, perWorker[i]!);
      return sum + (perListener > 0 ? (CPU_LIMIT - idle[i]!) / perListener : 0);
    }, 0);
    // The same from user-mode CPU only (the worker's own code and SRTP): on loopback the kernel time also holds the delivery into this process's sockets.
    const holdsUser = workers.reduce((sum, _, i) => {
      const perListener = (userCpu[i]! - idleUser[i]!) / Math.max(1, perWorker[i]!);
      return sum + (perListener > 0 ? (CPU_LIMIT - idleUser[i]!) / perListener : 0);
    }, 0);
    const row = { workers: workers.length, listeners: n, perWorker, cpu, userCpu, idle, lost: got.lost, streams: got.streams, holds, holdsUser };
    log(`${workers.length} worker(s), ${n} listeners (${perWorker.join(' + ')}): CPU ${cpu.map((c) => `${(c * 100).toFixed(1)} %`).join(' + ')} (idle ${idle.map((c) => `${(c * 100).toFixed(1)} %`).join(', ')}), streams ${got.streams}/${n}, lost ${got.lost} → holds ≈ ${Math.round(holds)}`);
    return row;
  } finally {
    sender.stop();
    counter.close();
    for (const router of routers) router.close();
    void origin;
  }
}

/** Both configurations at each N, interleaved (1 worker, then 2) so the machine's load hits both alike. */
export async function measureWorkers(sizes: number[], log: (line: string) => void): Promise<WorkersRow[]> {
  const workers = [await mediasoup.createWorker({ logLevel: 'warn' }), await mediasoup.createWorker({ logLevel: 'warn' })];
  pin(workers[0]!.pid, '0');
  pin(workers[1]!.pid, '1');
  const rows: WorkersRow[] = [];
  try {
    for (const n of sizes) {
      rows.push(await measure(workers.slice(0, 1), n, log));
      rows.push(await measure(workers, n, log));
    }
  } finally {
    for (const w of workers) w.close();
  }
  return rows;
}
