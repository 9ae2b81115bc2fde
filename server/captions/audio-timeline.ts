/**
 * Puts one speaker's RTP audio in order and on a wall-clock timeline for a caption
 * engine. No timers or I/O: the caller passes the time (`nowMs`) and gets PCM out
 * through `write`, so it unit-tests in milliseconds.
 *
 * - Reordering: packets wait in a small buffer (REORDER_PACKETS) for a missing
 *   sequence number; after that the missing one counts as lost.
 * - Gaps (a lost packet, Opus DTX, a muted or paused speaker) are read from the RTP
 *   timestamps, or from the wall clock when no packet comes at all. The engine gets
 *   at most MAX_SILENCE_SECONDS of quiet per gap (enough for it to end the utterance);
 *   the rest of the gap is skipped, so a long mute costs nothing.
 * - Times: the engine's clock counts only what it was given. `toSpeakerSeconds` maps
 *   an engine time to seconds since `startedAtMs` (the skipped stretches added back).
 */
export const TIMELINE_RATE = 16_000;
/** Packets held back waiting for a missing one (3 × 20 ms). */
export const REORDER_PACKETS = 3;
/** Quiet given to the engine for one gap: more than PocketSphinx's 0.5 s end-of-speech wait. */
export const MAX_SILENCE_SECONDS = 1;
/** No packet for this long: the speaker is silent (muted, paused, gone), fill from the wall clock. */
export const SILENT_AFTER_MS = 300;
/** How far behind the wall clock the timeline stays while filling (network delay allowance). */
const WALL_LAG_MS = 100;
/** A sequence number this far ahead of the expected one starts the stream afresh (a new sender)… */
const RESYNC_AHEAD = 1000;
/** …and so does one this far behind: reordering is a few packets, this is a sender that restarted. */
const RESYNC_BEHIND = 50;
/** A timestamp gap may exceed the wall time between packets by this much (jitter) before the wall clock is trusted instead. */
const TS_TRUST_MARGIN_MS = 1000;
/** RTP clock of Opus. */
const RTP_RATE = 48_000;
const RTP_PER_SAMPLE = RTP_RATE / TIMELINE_RATE;

type Pending = { timestamp: number; payload: Buffer };
type Checkpoint = { engineSamples: number; offsetSamples: number };

/** Signed distance a − b of 16-bit sequence numbers. */
export function seqDiff(a: number, b: number): number {
  const d = (a - b) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

/** Signed distance a − b of 32-bit RTP timestamps. */
export function tsDiff(a: number, b: number): number {
  const d = (a - b) >>> 0;
  return d >= 0x80000000 ? d - 0x100000000 : d;
}

export type AudioTimelineOptions = {
  startedAtMs: number;
  /** Decodes one Opus payload to 16 kHz mono s16le (null: undecodable, treated as lost). */
  decode: (payload: Buffer) => Buffer | null;
  /** Receives PCM for the engine, in order. */
  write: (pcm: Buffer) => void;
};

export class AudioTimeline {
  readonly #startedAtMs: number;
  readonly #decode: AudioTimelineOptions['decode'];
  readonly #write: AudioTimelineOptions['write'];
  readonly #pending = new Map<number, Pending>();
  #nextSeq: number | undefined;
  /** RTP timestamp just after the last placed audio; undefined: place the next packet by the wall clock. */
  #nextTs: number | undefined;
  #lastPacketAtMs: number | undefined;
  #lastPlacedAtMs: number | undefined;
  /** Position on the speaker's timeline (samples since startedAt) of the next sample. */
  #timeline = 0;
  /** Samples given to the engine. */
  #engine = 0;
  /** Quiet samples given since the last real audio. */
  #silenceRun = 0;
  readonly #checkpoints: Checkpoint[] = [{ engineSamples: 0, offsetSamples: 0 }];
  /** Counters for tests and the benchmark. */
  readonly stats = { packets: 0, lost: 0, late: 0, undecodable: 0, skippedSeconds: 0 };

  constructor(options: AudioTimelineOptions) {
    this.#startedAtMs = options.startedAtMs;
    this.#decode = options.decode;
    this.#write = options.write;
  }

  /** Seconds of audio given to the engine. */
  get engineSeconds(): number {
    return this.#engine / TIMELINE_RATE;
  }

  /** Seconds since startedAt of the next sample on the timeline. */
  get timelineSeconds(): number {
    return this.#timeline / TIMELINE_RATE;
  }

  /** An engine time (seconds of audio it was given) as seconds since startedAt. */
  toSpeakerSeconds(engineSeconds: number): number {
    const samples = engineSeconds * TIMELINE_RATE;
    let offset = 0;
    for (let i = this.#checkpoints.length - 1; i >= 0; i--) {
      const checkpoint = this.#checkpoints[i]!;
      if (checkpoint.engineSamples <= samples) {
        offset = checkpoint.offsetSamples;
        break;
      }
    }
    return Math.round(((samples + offset) / TIMELINE_RATE) * 1000) / 1000;
  }

  /** One RTP packet's Opus payload with its sequence number and timestamp. */
  push(sequenceNumber: number, timestamp: number, payload: Buffer, nowMs: number): void {
    this.stats.packets++;
    this.#lastPacketAtMs = nowMs;
    if (this.#nextSeq === undefined) this.#nextSeq = sequenceNumber;
    const distance = seqDiff(sequenceNumber, this.#nextSeq);
    if (distance > RESYNC_AHEAD || distance < -RESYNC_BEHIND) {
      this.#resync();
      this.#nextSeq = sequenceNumber;
    } else if (distance < 0 || this.#pending.has(sequenceNumber)) {
      this.stats.late++;
      return;
    }
    this.#pending.set(sequenceNumber, { timestamp, payload });
    this.#drain(nowMs);
  }

  /**
   * Called regularly (every ~100 ms): when no packet has come for a while, the speaker
   * is silent; the timeline follows the wall clock (quiet to the engine, then skipped).
   */
  tick(nowMs: number): void {
    if (this.#lastPacketAtMs !== undefined && nowMs - this.#lastPacketAtMs < SILENT_AFTER_MS) return;
    // Whatever still waits for a missing packet is released first.
    while (this.#pending.size > 0) this.#skipToOldestPending(nowMs);
    const due = Math.floor(((nowMs - this.#startedAtMs - WALL_LAG_MS) * TIMELINE_RATE) / 1000);
    if (due > this.#timeline) this.#gap(due - this.#timeline);
    // After a silence the stream may come back from a restarted sender: take it as it comes.
    this.#nextTs = undefined;
    this.#nextSeq = undefined;
  }

  /** Forgets the stream's position (after a pause): the next packet is placed by the wall clock. */
  resync(): void {
    this.#resync();
  }

  #resync(): void {
    this.#pending.clear();
    this.#nextSeq = undefined;
    this.#nextTs = undefined;
  }

  #drain(nowMs: number): void {
    for (;;) {
      const next = this.#nextSeq!;
      const packet = this.#pending.get(next);
      if (packet) {
        this.#pending.delete(next);
        this.#nextSeq = (next + 1) & 0xffff;
        this.#place(packet, nowMs);
      } else if (this.#pending.size >= REORDER_PACKETS) {
        this.#skipToOldestPending(nowMs);
      } else {
        return;
      }
    }
  }

  /** The packets before the oldest pending one are lost: move past them (their time becomes a gap via timestamps). */
  #skipToOldestPending(nowMs: number): void {
    let oldest: number | undefined;
    for (const seq of this.#pending.keys()) if (oldest === undefined || seqDiff(seq, oldest) < 0) oldest = seq;
    if (oldest === undefined) return;
    this.stats.lost += Math.max(0, seqDiff(oldest, this.#nextSeq!));
    this.#nextSeq = oldest;
    const packet = this.#pending.get(oldest)!;
    this.#pending.delete(oldest);
    this.#nextSeq = (oldest + 1) & 0xffff;
    this.#place(packet, nowMs);
  }

  #place(packet: Pending, nowMs: number): void {
    const pcm = this.#decode(packet.payload);
    if (!pcm || pcm.length < 2) {
      this.stats.undecodable++;
      return;
    }
    const samples = pcm.length >> 1;
    let gap: number;
    if (this.#nextTs === undefined) {
      // Placed by the wall clock: this packet's audio ends about now.
      const due = Math.floor(((nowMs - this.#startedAtMs - WALL_LAG_MS) * TIMELINE_RATE) / 1000) - samples;
      gap = Math.max(0, due - this.#timeline);
    } else {
      const d = tsDiff(packet.timestamp, this.#nextTs);
      gap = d > 0 ? Math.round(d / RTP_PER_SAMPLE) : 0;
      // Timestamps that claim far more time passed than did (a sender restarted with new
      // random timestamps, its sequence numbers by chance close to the old ones): the wall clock decides.
      const wallSamples = ((nowMs - (this.#lastPlacedAtMs ?? nowMs) + TS_TRUST_MARGIN_MS) * TIMELINE_RATE) / 1000;
      if (gap > wallSamples) {
        const due = Math.floor(((nowMs - this.#startedAtMs - WALL_LAG_MS) * TIMELINE_RATE) / 1000) - samples;
        gap = Math.max(0, due - this.#timeline);
      }
    }
    this.#lastPlacedAtMs = nowMs;
    if (gap > 0) this.#gap(gap);
    this.#write(pcm.length % 2 === 0 ? pcm : pcm.subarray(0, samples * 2));
    this.#timeline += samples;
    this.#engine += samples;
    this.#silenceRun = 0;
    this.#nextTs = (packet.timestamp + samples * RTP_PER_SAMPLE) >>> 0;
  }

  /** `samples` of the timeline without audio: quiet to the engine up to the cap, the rest skipped. */
  #gap(samples: number): void {
    const quiet = Math.max(0, Math.min(samples, MAX_SILENCE_SECONDS * TIMELINE_RATE - this.#silenceRun));
    if (quiet > 0) {
      this.#write(quietPcm(quiet));
      this.#silenceRun += quiet;
      this.#engine += quiet;
    }
    this.#timeline += samples;
    const skipped = samples - quiet;
    if (skipped > 0) {
      this.stats.skippedSeconds += skipped / TIMELINE_RATE;
      const last = this.#checkpoints[this.#checkpoints.length - 1]!;
      // A silence that goes on (one gap per tick) moves one checkpoint, it does not add more.
      if (last.engineSamples === this.#engine) last.offsetSamples = this.#timeline - this.#engine;
      else this.#checkpoints.push({ engineSamples: this.#engine, offsetSamples: this.#timeline - this.#engine });
      // Results only ever refer to recent audio: keep the recent checkpoints.
      if (this.#checkpoints.length > 512) this.#checkpoints.splice(1, this.#checkpoints.length - 256);
    }
  }
}

/**
 * Digital silence, as Opus decodes the quiet of a real stream. (Not a noise floor: ±1 LSB
 * of noise before speech made PocketSphinx's voice detector cut the next utterance's
 * first words off, measured.)
 */
function quietPcm(samples: number): Buffer {
  return Buffer.alloc(samples * 2);
}
