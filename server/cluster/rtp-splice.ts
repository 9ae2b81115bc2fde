/**
 * Keeps one RTP stream continuous across a change of its source (a relay failed and the stream
 * now comes from a standby): the packets go out with one SSRC, and the sequence numbers and
 * timestamps of a new source continue from the last ones sent, so every consumer downstream sees
 * one stream with a short gap instead of a new stream. Works on the packet bytes (RFC 3550 header).
 */
export const OPUS_FRAME_TICKS = 960;

export class RtpSplice {
  readonly ssrc: number;
  #seqOffset = 0;
  #tsOffset = 0;
  #lastSeq: number | null = null;
  #lastTs = 0;
  #fresh = true;

  constructor(ssrc: number) {
    this.ssrc = ssrc >>> 0;
  }

  /** The next packet comes from a new source. */
  newSource(): void {
    this.#fresh = true;
  }

  /** Rewrites `packet` in place (sequence, timestamp, SSRC); false for something that is not RTP. */
  rewrite(packet: Buffer): boolean {
    if (packet.length < 12 || packet[0]! >> 6 !== 2) return false;
    const seq = packet.readUInt16BE(2);
    const ts = packet.readUInt32BE(4);
    if (this.#fresh) {
      this.#fresh = false;
      if (this.#lastSeq !== null) {
        this.#seqOffset = (this.#lastSeq + 1 - seq) & 0xffff;
        this.#tsOffset = (this.#lastTs + OPUS_FRAME_TICKS - ts) >>> 0;
      }
    }
    const outSeq = (seq + this.#seqOffset) & 0xffff;
    const outTs = (ts + this.#tsOffset) >>> 0;
    packet.writeUInt16BE(outSeq, 2);
    packet.writeUInt32BE(outTs, 4);
    packet.writeUInt32BE(this.ssrc, 8);
    // Only forward progress moves the splice point (a late packet keeps its place).
    if (this.#lastSeq === null || ((outSeq - this.#lastSeq) & 0xffff) < 0x8000) {
      this.#lastSeq = outSeq;
      this.#lastTs = outTs;
    }
    return true;
  }
}
