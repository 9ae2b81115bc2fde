/**
 * RTP depacketising and Opus decoding for live captions: one speaker's Opus RTP
 * (as mediasoup hands it to a DirectTransport consumer) becomes 16 kHz mono s16le
 * PCM, what caption engines read. libopus (opusscript, WebAssembly) decodes
 * straight to 16 kHz mono, mixing a stereo stream down.
 */
import OpusScript from 'opusscript';

export type RtpPacket = { sequenceNumber: number; timestamp: number; ssrc: number; payloadType: number; payload: Buffer };

/** libopus's largest packet (opusscript copies into a buffer of this size). */
export const MAX_OPUS_PACKET_BYTES = 3828;

/**
 * Parses an RTP packet (RFC 3550): version 2, CSRCs, a header extension and padding
 * skipped. Anything malformed is null, never a throw.
 */
export function parseRtp(packet: Buffer): RtpPacket | null {
  if (packet.length < 12) return null;
  const first = packet[0]!;
  if (first >> 6 !== 2) return null;
  const padding = (first & 0x20) !== 0;
  const extension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;
  let offset = 12 + csrcCount * 4;
  if (extension) {
    if (packet.length < offset + 4) return null;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  if (padding) {
    const count = packet[packet.length - 1]!;
    if (count === 0) return null;
    end -= count;
  }
  if (offset > end) return null;
  return {
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payloadType: packet[1]! & 0x7f,
    payload: packet.subarray(offset, end),
  };
}

/** An Opus decoder to 16 kHz mono. `close()` frees its WebAssembly memory. */
export class OpusDecoder {
  static readonly SAMPLE_RATE = 16_000;
  #opus: OpusScript | null = new OpusScript(16_000, 1, OpusScript.Application.VOIP);

  /** Decodes one Opus packet to s16le PCM; null for an empty, oversized or corrupt packet. */
  decode(payload: Buffer): Buffer | null {
    if (!this.#opus || payload.length === 0 || payload.length > MAX_OPUS_PACKET_BYTES) return null;
    try {
      return this.#opus.decode(payload);
    } catch {
      return null;
    }
  }

  close(): void {
    this.#opus?.delete();
    this.#opus = null;
  }
}
