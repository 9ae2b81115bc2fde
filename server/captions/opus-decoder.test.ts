import OpusScript from 'opusscript';
import { describe, expect, it } from 'vitest';
import { MAX_OPUS_PACKET_BYTES, OpusDecoder, parseRtp } from './opus-decoder.ts';

function rtp(options: { seq?: number; ts?: number; ssrc?: number; pt?: number; csrcs?: number; extensionWords?: number; padding?: number; payload: Buffer }): Buffer {
  const csrcs = options.csrcs ?? 0;
  const ext = options.extensionWords;
  const header = Buffer.alloc(12 + csrcs * 4 + (ext === undefined ? 0 : 4 + ext * 4));
  header[0] = 0x80 | (options.padding ? 0x20 : 0) | (ext === undefined ? 0 : 0x10) | csrcs;
  header[1] = options.pt ?? 100;
  header.writeUInt16BE(options.seq ?? 1, 2);
  header.writeUInt32BE(options.ts ?? 0, 4);
  header.writeUInt32BE(options.ssrc ?? 1234, 8);
  if (ext !== undefined) {
    header.writeUInt16BE(0xbede, 12 + csrcs * 4);
    header.writeUInt16BE(ext, 14 + csrcs * 4);
  }
  const padding = options.padding ? Buffer.concat([Buffer.alloc(options.padding - 1, 0xee), Buffer.from([options.padding])]) : Buffer.alloc(0);
  return Buffer.concat([header, options.payload, padding]);
}

/** One 20 ms stereo Opus packet of a 440 Hz tone, made by libopus's encoder. */
function opusPacket(): Buffer {
  const encoder = new OpusScript(48000, 2, OpusScript.Application.AUDIO);
  const pcm = Buffer.alloc(960 * 4);
  for (let i = 0; i < 960; i++) {
    const v = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48000));
    pcm.writeInt16LE(v, i * 4);
    pcm.writeInt16LE(v, i * 4 + 2);
  }
  const packet = encoder.encode(pcm, 960);
  encoder.delete();
  return packet;
}

describe('parseRtp', () => {
  it('reads the header and finds the payload past CSRCs, a header extension and padding', () => {
    const payload = Buffer.from('opus!');
    expect(parseRtp(rtp({ seq: 65535, ts: 0xfffffff0, ssrc: 42, pt: 111, payload }))).toEqual({ sequenceNumber: 65535, timestamp: 0xfffffff0, ssrc: 42, payloadType: 111, payload });
    const full = parseRtp(rtp({ csrcs: 2, extensionWords: 3, padding: 4, payload }))!;
    expect(full.payload.toString()).toBe('opus!');
  });

  it('anything malformed is null, never a throw', () => {
    const payload = Buffer.from('x');
    expect(parseRtp(Buffer.alloc(0))).toBeNull();
    expect(parseRtp(Buffer.alloc(11))).toBeNull();
    const v1 = rtp({ payload });
    v1[0] = 0x40;
    expect(parseRtp(v1)).toBeNull();
    // An extension longer than the packet, CSRCs past the end, padding of zero or of more than there is.
    const longExt = rtp({ extensionWords: 1, payload });
    longExt.writeUInt16BE(500, 14);
    expect(parseRtp(longExt)).toBeNull();
    const csrcs = Buffer.alloc(16);
    csrcs[0] = 0x8f;
    expect(parseRtp(csrcs)).toBeNull();
    const zeroPad = rtp({ padding: 2, payload });
    zeroPad[zeroPad.length - 1] = 0;
    expect(parseRtp(zeroPad)).toBeNull();
    const hugePad = rtp({ padding: 2, payload });
    hugePad[hugePad.length - 1] = 200;
    expect(parseRtp(hugePad)).toBeNull();
    for (let i = 0; i < 500; i++) {
      const junk = Buffer.from(Array.from({ length: i % 40 }, (_, k) => (k * 37 + i * 11) & 0xff));
      expect(() => parseRtp(junk)).not.toThrow();
    }
  });
});

describe('OpusDecoder', () => {
  it('decodes a stereo 48 kHz packet to 20 ms of 16 kHz mono', () => {
    const decoder = new OpusDecoder();
    const pcm = decoder.decode(opusPacket())!;
    expect(pcm.length).toBe(320 * 2);
    let peak = 0;
    for (let i = 0; i < pcm.length; i += 2) peak = Math.max(peak, Math.abs(pcm.readInt16LE(i)));
    expect(peak).toBeGreaterThan(1000);
    decoder.close();
    expect(decoder.decode(opusPacket())).toBeNull(); // closed
    decoder.close();
  });

  it('empty, oversized and corrupt packets are null, never a throw', () => {
    const decoder = new OpusDecoder();
    expect(decoder.decode(Buffer.alloc(0))).toBeNull();
    expect(decoder.decode(Buffer.alloc(MAX_OPUS_PACKET_BYTES + 1, 1))).toBeNull();
    // A TOC byte claiming code 3 with an impossible frame count is invalid in libopus.
    expect(decoder.decode(Buffer.from([0x03, 0x00]))).toBeNull();
    for (let i = 0; i < 200; i++) {
      const junk = Buffer.from(Array.from({ length: 1 + (i % 60) }, (_, k) => (k * 53 + i * 7) & 0xff));
      expect(() => decoder.decode(junk)).not.toThrow();
    }
    // Still decodes good audio after the junk.
    expect(decoder.decode(opusPacket())!.length).toBe(640);
    decoder.close();
  });
});
