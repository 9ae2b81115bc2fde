import { describe, expect, it } from 'vitest';
import { AudioTimeline, MAX_SILENCE_SECONDS, seqDiff, tsDiff } from './audio-timeline.ts';

/** 20 ms at 16 kHz; RTP advances 960 per packet (48 kHz). */
const FRAME = 320;
const RTP_FRAME = 960;

/**
 * A timeline whose "decoder" turns payload [n] into a 20 ms frame of the sample value n
 * (0 is never used, so quiet is told apart), and whose engine output is kept as samples.
 */
function setup(startedAtMs = 0) {
  const samples: number[] = [];
  const timeline = new AudioTimeline({
    startedAtMs,
    decode: (payload) => (payload[0] === 255 ? null : Buffer.from(new Int16Array(FRAME).fill(payload[0]!).buffer)),
    write: (pcm) => {
      for (let i = 0; i < pcm.length; i += 2) samples.push(pcm.readInt16LE(i));
    },
  });
  /** The frames written, as their values; a run of quiet shows as 0 per 20 ms. */
  const frames = (): number[] => {
    const out: number[] = [];
    for (let i = 0; i < samples.length; i += FRAME) out.push(samples[i]!);
    return out;
  };
  const push = (seq: number, value: number, now: number, ts = ((seq - 1000) * RTP_FRAME) >>> 0): void =>
    timeline.push(seq & 0xffff, ts, Buffer.from([value]), now);
  return { timeline, samples, frames, push };
}

describe('AudioTimeline', () => {
  it('writes packets in order, 20 ms each', () => {
    const { timeline, frames, push } = setup();
    push(1000, 1, 120);
    push(1001, 2, 140);
    push(1002, 3, 160);
    expect(frames()).toEqual([1, 2, 3]);
    expect(timeline.engineSeconds).toBeCloseTo(0.06, 6);
  });

  it('puts reordered packets back in order', () => {
    const { timeline, frames, push } = setup();
    push(1000, 1, 120);
    push(1002, 3, 140);
    push(1001, 2, 141);
    push(1003, 4, 160);
    expect(frames()).toEqual([1, 2, 3, 4]);
    expect(timeline.stats).toMatchObject({ lost: 0, late: 0 });
  });

  it('a packet missing for three later ones is lost: its 20 ms become silence, the rest goes on', () => {
    const { timeline, frames, push } = setup();
    push(1000, 1, 120);
    push(1001, 2, 140);
    push(1003, 4, 180);
    push(1004, 5, 200);
    expect(frames()).toEqual([1, 2]); // still waiting for 1002
    push(1005, 6, 220);
    expect(frames()).toEqual([1, 2, 0, 4, 5, 6]);
    expect(timeline.stats.lost).toBe(1);
    // It turns up after all: too late, dropped.
    push(1002, 3, 240);
    expect(frames()).toEqual([1, 2, 0, 4, 5, 6]);
    expect(timeline.stats.late).toBe(1);
  });

  it('duplicates are dropped', () => {
    const { frames, push, timeline } = setup();
    push(1000, 1, 120);
    push(1000, 1, 121);
    push(1001, 2, 140);
    expect(frames()).toEqual([1, 2]);
    expect(timeline.stats.late).toBe(1);
  });

  it('sequence numbers and timestamps wrap around', () => {
    const { frames, push } = setup();
    const ts = 0xffffffff - RTP_FRAME; // wraps between the 2nd and 3rd packet
    push(65534, 1, 120, ts);
    push(65535, 2, 140, (ts + RTP_FRAME) >>> 0);
    push(0, 3, 160, (ts + 2 * RTP_FRAME) >>> 0);
    push(1, 4, 180, (ts + 3 * RTP_FRAME) >>> 0);
    expect(frames()).toEqual([1, 2, 3, 4]);
    expect(seqDiff(0, 65535)).toBe(1);
    expect(tsDiff(5, 0xfffffffb)).toBe(10);
  });

  it('a timestamp gap (Opus DTX) becomes that much silence; a long one is capped and the rest skipped on the clock', () => {
    const { timeline, frames, push } = setup();
    push(1000, 1, 120, 0);
    push(1001, 2, 540, 400 * 48 + RTP_FRAME); // 400 ms later than the frame after 1
    expect(frames()).toEqual([1, ...Array<number>(20).fill(0), 2]);
    // 5 s of nothing: the engine gets MAX_SILENCE_SECONDS of it, the clock all of it.
    push(1002, 3, 5540, 5400 * 48 + 2 * RTP_FRAME);
    expect(frames().length).toBe(22 + MAX_SILENCE_SECONDS * 50 + 1);
    expect(timeline.stats.skippedSeconds).toBeCloseTo(5 - MAX_SILENCE_SECONDS, 3);
    // Engine time of the last frame's start maps back to speaker time.
    const lastEngineStart = timeline.engineSeconds - 0.02;
    expect(timeline.toSpeakerSeconds(lastEngineStart)).toBeCloseTo(0.44 + 5, 3); // 2 ended at 0.44, then 5 s
    // Times before the skip are unchanged.
    expect(timeline.toSpeakerSeconds(0.02)).toBeCloseTo(0.02, 6);
  });

  it('with no packets at all, the wall clock moves the timeline: capped silence to the engine, the rest skipped', () => {
    const { timeline, samples, push } = setup(10_000);
    for (let now = 10_100; now <= 13_000; now += 100) timeline.tick(now);
    expect(samples.length).toBe(MAX_SILENCE_SECONDS * 16_000);
    expect(samples.every((v) => v === 0)).toBe(true);
    expect(timeline.timelineSeconds).toBeCloseTo(2.9, 2);
    // The speaker starts: the first packet is placed by the wall clock.
    push(7, 9, 13_020, 123_456);
    push(8, 9, 13_040, 123_456 + RTP_FRAME);
    expect(timeline.toSpeakerSeconds(MAX_SILENCE_SECONDS)).toBeCloseTo(2.9, 2);
  });

  it('a sender that restarts (sequence numbers far behind or far ahead) is followed, not dropped as late', () => {
    const { frames, push } = setup();
    push(5000, 1, 120, 0);
    push(5001, 2, 140, RTP_FRAME);
    push(100, 3, 160, 777_000);
    push(101, 4, 180, 777_000 + RTP_FRAME);
    push(40_000, 5, 200, 9_000_000);
    push(40_001, 6, 220, 9_000_000 + RTP_FRAME);
    expect(frames().filter((v) => v !== 0)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('an undecodable packet is counted and skipped', () => {
    const { timeline, frames, push } = setup();
    push(1000, 1, 120);
    push(1001, 255, 140);
    push(1002, 3, 160);
    expect(frames()).toEqual([1, 0, 3]); // its time is silence, known from the next timestamp
    expect(timeline.stats.undecodable).toBe(1);
  });

  it('a long silence keeps one checkpoint, not one per tick', () => {
    const { timeline } = setup(0);
    for (let now = 100; now <= 600_000; now += 100) timeline.tick(now);
    expect(timeline.toSpeakerSeconds(MAX_SILENCE_SECONDS)).toBeCloseTo(599.9, 1);
    expect(timeline.engineSeconds).toBe(MAX_SILENCE_SECONDS);
  });

  it('a timestamp jump the wall clock does not back (a restarted sender, sequence numbers by chance close) is placed by the wall clock', () => {
    const { timeline, frames, push } = setup(0);
    push(1000, 1, 120, 0);
    push(1001, 2, 140, RTP_FRAME);
    // 40 ms later by the wall clock, but the timestamps say 2000 s.
    push(1010, 3, 180, 2000 * 48_000);
    push(1011, 4, 200, 2000 * 48_000 + RTP_FRAME);
    push(1012, 5, 220, 2000 * 48_000 + 2 * RTP_FRAME);
    expect(frames().filter((v) => v !== 0)).toEqual([1, 2, 3, 4, 5]);
    expect(timeline.timelineSeconds).toBeLessThan(1);
    expect(timeline.stats.skippedSeconds).toBe(0);
  });
});
