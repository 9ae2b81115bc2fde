/**
 * RTP for the capacity bench: an Opus sender at 50 packets/s (20 ms frames) over
 * UDP, and receivers that count packets per SSRC from the clear RTP header
 * (SRTP leaves it readable), with sequence numbers for loss.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

export const OPUS_PT = 100;
const FRAME_MS = 20;
const SAMPLES_PER_FRAME = 960;

/**
 * Sends one Opus-like RTP packet every 20 ms to `port` (drift-corrected timer).
 * The payload has a real Opus TOC byte (CELT-only fullband 20 ms, stereo, one frame)
 * and 100 bytes of data (≈ 40 kbit/s, a voice-quality stereo stream); mediasoup
 * forwards Opus without decoding it.
 */
export class OpusSender {
  readonly ssrc: number;
  sent = 0;
  readonly #socket: Socket;
  readonly #payload = Buffer.concat([Buffer.from([0xfc]), randomBytes(100)]);
  #seq = Math.floor(Math.random() * 30000);
  #timestamp = Math.floor(Math.random() * 2 ** 31);
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(ssrc = 0x1234_5678) {
    this.ssrc = ssrc;
    this.#socket = createSocket('udp4');
  }

  async start(port: number, address = '127.0.0.1'): Promise<void> {
    await new Promise<void>((r) => this.#socket.bind(0, '127.0.0.1', () => r()));
    const begin = performance.now();
    const tick = () => {
      if (this.#stopped) return;
      const header = Buffer.alloc(12);
      header[0] = 0x80;
      header[1] = OPUS_PT;
      header.writeUInt16BE(this.#seq & 0xffff, 2);
      header.writeUInt32BE(this.#timestamp >>> 0, 4);
      header.writeUInt32BE(this.ssrc, 8);
      this.#socket.send([header, this.#payload], port, address);
      this.#seq++;
      this.#timestamp += SAMPLES_PER_FRAME;
      this.sent++;
      const nextAt = begin + this.sent * FRAME_MS;
      this.#timer = setTimeout(tick, Math.max(0, nextAt - performance.now()));
    };
    tick();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#socket.close();
  }
}

type Stream = { packets: number; firstSeq: number; lastSeq: number; rtcp: number };

/** Counts RTP per SSRC on UDP sockets; `window()` starts a counting window, `read()` ends it. */
export class RtpCounter {
  readonly #sockets: Socket[] = [];
  #streams = new Map<number, Stream>();
  rtcp = 0;

  async open(sockets: number): Promise<number[]> {
    const ports: number[] = [];
    for (let i = 0; i < sockets; i++) {
      const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
      socket.on('message', (msg) => this.#count(msg));
      this.#sockets.push(socket);
      ports.push(socket.address().port);
    }
    return ports;
  }

  #count(msg: Buffer): void {
    if (msg.length < 12) return;
    const pt = msg[1]! & 0x7f;
    if (pt >= 72 && pt <= 79) {
      this.rtcp++; // RTCP (SR/RR/SDES/BYE: 200–204 with the marker bit)
      return;
    }
    const ssrc = msg.readUInt32BE(8);
    const seq = msg.readUInt16BE(2);
    const s = this.#streams.get(ssrc);
    if (!s) {
      this.#streams.set(ssrc, { packets: 1, firstSeq: seq, lastSeq: seq, rtcp: 0 });
      return;
    }
    s.packets++;
    // Unwrap 16-bit sequence numbers (streams here are short and in order on loopback).
    let ext = (s.lastSeq & ~0xffff) | seq;
    if (ext < s.lastSeq - 0x8000) ext += 0x10000;
    if (ext > s.lastSeq) s.lastSeq = ext;
  }

  /** Starts a new counting window (forgets what came before). */
  window(): void {
    this.#streams = new Map();
  }

  /** Streams seen in the window, and packets lost in them (gaps in sequence numbers). */
  read(only?: Set<number>): { streams: number; packets: number; lost: number; streamsWithLoss: number; perStreamMin: number } {
    let packets = 0;
    let lost = 0;
    let streams = 0;
    let streamsWithLoss = 0;
    let perStreamMin = Infinity;
    for (const [ssrc, s] of this.#streams) {
      // Packets of consumers closed just before the window may still be queued: count only the live ones.
      if (only && !only.has(ssrc)) continue;
      streams++;
      packets += s.packets;
      const expected = s.lastSeq - s.firstSeq + 1;
      const l = Math.max(0, expected - s.packets);
      lost += l;
      if (l > 0) streamsWithLoss++;
      perStreamMin = Math.min(perStreamMin, s.packets);
    }
    if (only) perStreamMin = only.size > streams ? 0 : perStreamMin;
    return { streams, packets, lost, streamsWithLoss, perStreamMin: Number.isFinite(perStreamMin) ? perStreamMin : 0 };
  }

  close(): void {
    for (const s of this.#sockets) s.close();
  }
}
