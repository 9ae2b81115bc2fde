/**
 * The program mix's added latency and CPU, and the HLS overflow's latency, in one run on one
 * router:
 *
 *   ffmpeg (WAV of tone bursts at irregular times) → PlainTransport → voice Producer
 *     ├─ Consumer → UDP socket here                  (direct: what a WebRTC listener gets, minus the network)
 *     └─ ProgramMixer (GStreamer) → program Producer
 *          ├─ Consumer → UDP socket here             (the program)
 *          └─ HlsPackager (ffmpeg) → fMP4 segments   (the overflow; the playlist polled every 25 ms)
 *
 * Onsets in RTP: the first packet of a burst (Opus packets of silence are a few bytes, of a tone
 * tens). Mix latency = program onset − direct onset, per burst. HLS: segments are fetched and
 * decoded; a burst's onset in the stream's media time is matched to its direct RTP arrival by
 * the offset most bursts agree on (bursts are irregular, so only the true offset lines up), and
 * its latency is when the segment holding it was listed minus that arrival: the earliest a player
 * could have it. A player then holds back a few segments (hls.js: `liveSyncDurationCount`).
 * CPU: the mixer process with 0, 1 and 4 voices; the packager process.
 */
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { pino } from 'pino';
import { HlsPackager } from '../../../server/media/hls-packager.ts';
import { ProgramMixer } from '../../../server/media/program-mixer.ts';
import { AUDIO_CODECS } from '../../../server/media/worker-pool.ts';
import { startFfmpeg, type FfmpegRun } from '../../support/ffmpeg.ts';
import { encodeWav, readWav } from '../../support/wav.ts';
import { cpuNs, sleep } from '../capacity/proc.ts';

const RATE = 48000;
/** Seconds of silence before each 0.25 s burst: irregular, so no two offsets line up by chance. */
const GAPS = [0.55, 0.8, 0.62, 1.1, 0.7, 0.93, 0.58, 1.27, 0.66, 0.85, 1.02, 0.74];

export type MixResult = {
  mixLatencyMs: number[];
  hlsLatencyMs: number[];
  directBursts: number;
  mixerCpu: { voices: number; core: number }[];
  packagerCore: number;
  segmentSeconds: number;
};

/** A mono WAV of `seconds` with bursts of `hz` after each gap in GAPS (cycled); returns the burst start times too. */
function burstWav(path: string, seconds: number, hz: number): number[] {
  const samples = new Float32Array(seconds * RATE);
  const starts: number[] = [];
  let t = 0.5;
  for (let i = 0; t + 0.25 < seconds; i++) {
    t += GAPS[i % GAPS.length]!;
    starts.push(t);
    for (let k = Math.round(t * RATE); k < Math.round((t + 0.25) * RATE) && k < samples.length; k++) samples[k] = 0.3 * Math.sin((2 * Math.PI * hz * k) / RATE);
    t += 0.25;
  }
  writeFileSync(path, encodeWav([samples], RATE));
  return starts;
}

type Arrival = { at: number; bytes: number };

async function rtpSink(arrivals: Arrival[]): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  socket.on('message', (msg) => {
    const pt = msg[1]! & 0x7f;
    if (msg.length >= 12 && !(pt >= 72 && pt <= 79)) arrivals.push({ at: performance.now(), bytes: msg.length - 12 });
  });
  return { socket, port: socket.address().port };
}

/** Packet arrival times where a burst starts: a large packet after at least 8 small ones. */
function rtpOnsets(arrivals: Arrival[]): number[] {
  const sizes = arrivals.map((a) => a.bytes).sort((a, b) => a - b);
  const threshold = (sizes[Math.floor(sizes.length * 0.1)]! + sizes[Math.floor(sizes.length * 0.95)]!) / 2;
  const onsets: number[] = [];
  let quiet = 0;
  for (const a of arrivals) {
    if (a.bytes >= threshold) {
      if (quiet >= 8) onsets.push(a.at);
      quiet = 0;
    } else quiet++;
  }
  return onsets;
}

/** Onset times (s, media time) in decoded audio: RMS of 5 ms windows over −30 dBFS after ≥ 100 ms under −45. */
function audioOnsets(samples: Float32Array, rate: number): number[] {
  const win = Math.round(rate * 0.005);
  const onsets: number[] = [];
  let quietWindows = 0;
  for (let i = 0; i + win <= samples.length; i += win) {
    let sum = 0;
    for (let k = i; k < i + win; k++) sum += samples[k]! * samples[k]!;
    const db = 10 * Math.log10(sum / win + 1e-12);
    if (db > -30) {
      if (quietWindows >= 20) onsets.push(i / rate);
      quietWindows = 0;
    } else if (db < -45) quietWindows++;
  }
  return onsets;
}

/** For each `from` onset, the delay to the first `to` onset within (0, maxMs]. */
function pairDelays(from: number[], to: number[], maxMs: number): number[] {
  const out: number[] = [];
  for (const t of from) {
    const hit = to.find((u) => u > t && u - t <= maxMs);
    if (hit !== undefined) out.push(hit - t);
  }
  return out;
}

async function cpuOver(pid: number, ms: number): Promise<number> {
  const before = cpuNs(pid);
  const start = performance.now();
  await sleep(ms);
  return (cpuNs(pid) - before) / 1e6 / (performance.now() - start);
}

async function tonePeer(router: types.Router, wav: string, runs: FfmpegRun[]): Promise<types.Producer> {
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
  const ssrc = 20_000 + Math.floor(Math.random() * 1_000_000);
  const producer = await transport.produce({ kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/opus', clockRate: 48000, payloadType: 101, channels: 2 }], encodings: [{ ssrc }] } });
  runs.push(
    startFfmpeg(
      ['-re', '-stream_loop', '-1', '-i', wav, '-c:a', 'libopus', '-ac', '2', '-ar', '48000', '-payload_type', '101', '-ssrc', String(ssrc), '-f', 'rtp',
        `rtp://127.0.0.1:${transport.tuple.localPort}?rtcpport=${transport.rtcpTuple!.localPort}&pkt_size=1200`],
      { timeoutMs: 600_000 },
    ),
  );
  return producer;
}

async function consumeTo(router: types.Router, producerId: string, port: number): Promise<void> {
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
  await transport.connect({ ip: '127.0.0.1', port });
  await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities });
}

export async function measureMix(options: { seconds: number; segmentSeconds: number; log: (line: string) => void }): Promise<MixResult> {
  const { log } = options;
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-bench-scale-'));
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const runs: FfmpegRun[] = [];
  const sockets: Socket[] = [];
  const logger = pino({ level: 'warn' });
  try {
    const router = await worker.createRouter({ mediaCodecs: AUDIO_CODECS });
    const mixer = await ProgramMixer.create(router, { slots: 13, logger });
    await sleep(1500);
    const mixerCpu = [{ voices: 0, core: await cpuOver(mixer.pid!, 4000) }];
    log(`mixer, 13 slots, nobody speaking: ${(mixerCpu[0]!.core * 100).toFixed(1)} % of a core`);

    const wav = join(dir, 'bursts.wav');
    burstWav(wav, 30, 800);
    const voice = await tonePeer(router, wav, runs);
    const direct: Arrival[] = [];
    const program: Arrival[] = [];
    const a = await rtpSink(direct);
    const b = await rtpSink(program);
    sockets.push(a.socket, b.socket);
    await consumeTo(router, voice.id, a.port);
    await consumeTo(router, mixer.producer.id, b.port);
    await mixer.addInput(voice.id);
    const packager = await HlsPackager.create(router, mixer.producer.id, { dir: join(dir, 'hls'), segmentSeconds: options.segmentSeconds, listSize: 1000, logger });

    // Poll the playlist: when each segment is first listed, and its media start time.
    const listedAt = new Map<string, number>();
    const durations = new Map<string, number>();
    const order: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        let text = '';
        try {
          text = readFileSync(join(packager.dir, 'index.m3u8'), 'utf8');
        } catch {
          // not written yet
        }
        let duration = 0;
        for (const line of text.split('\n')) {
          const inf = /^#EXTINF:([\d.]+)/.exec(line);
          if (inf) duration = Number(inf[1]);
          else if (/^seg-\d+\.m4s$/.test(line) && !listedAt.has(line)) {
            listedAt.set(line, performance.now());
            durations.set(line, duration);
            order.push(line);
          }
        }
        await sleep(25);
      }
    })();
    const cpuWindow = options.seconds * 1000;
    const [oneVoice, packagerCore] = await Promise.all([cpuOver(mixer.pid!, cpuWindow), cpuOver(packager.pid!, cpuWindow)]);
    mixerCpu.push({ voices: 1, core: oneVoice });
    log(`mixer, 1 voice: ${(oneVoice * 100).toFixed(1)} % of a core; HLS packager (Opus copied): ${(packagerCore * 100).toFixed(1)} %`);
    polling = false;
    await poller;

    const directOnsets = rtpOnsets(direct);
    const programOnsets = rtpOnsets(program);
    const mixLatencyMs = pairDelays(directOnsets, programOnsets, 500);
    log(`bursts: ${directOnsets.length} direct, ${programOnsets.length} in the program, ${mixLatencyMs.length} paired`);

    // The HLS stream: init + every segment listed, decoded; onsets in media time.
    const first = order[0];
    const hlsLatencyMs: number[] = [];
    if (first) {
      const files = [join(packager.dir, 'init.mp4'), ...order.map((s) => join(packager.dir, s))];
      const joined = join(dir, 'all.mp4');
      writeFileSync(joined, Buffer.concat(files.map((f) => readFileSync(f))));
      execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', joined, '-ac', '1', '-c:a', 'pcm_s16le', join(dir, 'all.wav')]);
      const decoded = readWav(readFileSync(join(dir, 'all.wav')));
      const mediaOnsets = audioOnsets(decoded.mono, decoded.sampleRate).map((s) => s * 1000);
      // The offset (wall − media) most onsets agree on, to 20 ms.
      const votes = new Map<number, number>();
      for (const t of directOnsets) for (const m of mediaOnsets) votes.set(Math.round((t - m) / 20), (votes.get(Math.round((t - m) / 20)) ?? 0) + 1);
      const [bin] = [...votes.entries()].sort((x, y) => y[1] - x[1])[0] ?? [0];
      const offsets = directOnsets.flatMap((t) => mediaOnsets.filter((m) => Math.abs(t - m - bin * 20) <= 40).map((m) => t - m));
      const offset = offsets.sort((x, y) => x - y)[Math.floor(offsets.length / 2)] ?? 0;
      // Media start of each segment, and when it was listed.
      let start = 0;
      const segments = order.map((name) => {
        const s = { start, end: start + durations.get(name)! * 1000, listed: listedAt.get(name)! };
        start = s.end;
        return s;
      });
      for (const m of mediaOnsets) {
        const arrival = directOnsets.find((t) => Math.abs(t - m - offset) <= 40);
        const segment = segments.find((s) => m >= s.start && m < s.end);
        if (arrival !== undefined && segment) hlsLatencyMs.push(segment.listed - arrival);
      }
      log(`HLS: ${order.length} segments, ${mediaOnsets.length} onsets decoded, ${hlsLatencyMs.length} matched`);
    }

    // Four voices.
    for (let i = 0; i < 3; i++) await mixer.addInput((await tonePeer(router, wav, runs)).id);
    await sleep(1500);
    const four = await cpuOver(mixer.pid!, 5000);
    mixerCpu.push({ voices: 4, core: four });
    log(`mixer, 4 voices: ${(four * 100).toFixed(1)} % of a core`);
    packager.close();
    mixer.close();
    return { mixLatencyMs, hlsLatencyMs, directBursts: directOnsets.length, mixerCpu, packagerCore, segmentSeconds: options.segmentSeconds };
  } finally {
    for (const run of runs) run.kill();
    await Promise.all(runs.map((r) => r.exited));
    for (const s of sockets) s.close();
    worker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
