import { describe, expect, it } from 'vitest';
import { OPUS_FRAME_TICKS, RtpSplice } from './rtp-splice.ts';

function packet(seq: number, ts: number, ssrc: number): Buffer {
  const b = Buffer.alloc(20);
  b[0] = 0x80;
  b[1] = 100;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}
const fields = (b: Buffer) => ({ seq: b.readUInt16BE(2), ts: b.readUInt32BE(4), ssrc: b.readUInt32BE(8) });

describe('RtpSplice', () => {
  it('passes the first source through with its own SSRC', () => {
    const splice = new RtpSplice(1234);
    const p = packet(10, 5000, 99);
    expect(splice.rewrite(p)).toBe(true);
    expect(fields(p)).toEqual({ seq: 10, ts: 5000, ssrc: 1234 });
  });

  it('continues sequence and timestamp across a new source', () => {
    const splice = new RtpSplice(7);
    for (let i = 0; i < 3; i++) splice.rewrite(packet(65534 + i, 4294966000 + i * OPUS_FRAME_TICKS, 1));
    // Last out: seq 0 (wrapped), ts wrapped too.
    splice.newSource();
    const a = packet(300, 123, 2);
    const b = packet(301, 123 + OPUS_FRAME_TICKS, 2);
    splice.rewrite(a);
    splice.rewrite(b);
    expect(fields(a).seq).toBe(1);
    expect(fields(b).seq).toBe(2);
    expect(fields(a).ts).toBe((4294966000 + 3 * OPUS_FRAME_TICKS) >>> 0);
    expect(fields(b).ts - fields(a).ts).toBe(OPUS_FRAME_TICKS);
    expect(fields(b).ssrc).toBe(7);
  });

  it('a late packet does not move the splice point back', () => {
    const splice = new RtpSplice(7);
    splice.rewrite(packet(10, 0, 1));
    splice.rewrite(packet(12, 2 * OPUS_FRAME_TICKS, 1));
    splice.rewrite(packet(11, OPUS_FRAME_TICKS, 1));
    splice.newSource();
    const next = packet(500, 0, 2);
    splice.rewrite(next);
    expect(fields(next).seq).toBe(13);
  });

  it('leaves what is not RTP alone', () => {
    const splice = new RtpSplice(7);
    expect(splice.rewrite(Buffer.alloc(4))).toBe(false);
    expect(splice.rewrite(Buffer.from([0x40, ...Buffer.alloc(15)]))).toBe(false);
  });
});
