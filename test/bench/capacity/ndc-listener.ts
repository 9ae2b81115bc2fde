/**
 * A cheap real WebRTC listener: node-datachannel (libdatachannel: ICE, DTLS and
 * SRTP in C++) joins through our signalling, gets a recv WebRtcTransport and a
 * consumer, answers an SDP offer built from mediasoup's parameters (as
 * mediasoup-client's SDP handler would), and counts the RTP it receives
 * (decrypted, not decoded) per packet, with sequence gaps as loss.
 */
import nodeDataChannel from 'node-datachannel';
import { SignallingClient } from './signalling-client.ts';

type TransportParams = {
  id: string;
  iceParameters: { usernameFragment: string; password: string };
  iceCandidates: Array<{ foundation: string; priority: number; address?: string; ip?: string; port: number; protocol: string; type: string }>;
  dtlsParameters: { fingerprints: Array<{ algorithm: string; value: string }> };
};

type RtpParameters = {
  mid?: string;
  codecs: Array<{ mimeType: string; payloadType: number; clockRate: number; channels?: number; parameters?: Record<string, unknown>; rtcpFeedback?: Array<{ type: string; parameter?: string }> }>;
  headerExtensions?: Array<{ uri: string; id: number }>;
  encodings?: Array<{ ssrc?: number }>;
  rtcp?: { cname?: string };
};

export type ConsumedStream = { consumerId: string; rtpParameters: RtpParameters };

/**
 * The offer mediasoup-client would build for the consumers of a recv transport (ice-lite server,
 * actpass): one m-section per consumer, bundled on the one transport.
 */
export function buildOffer(transport: TransportParams, consumed: ConsumedStream[]): string {
  const fp = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ?? transport.dtlsParameters.fingerprints[0]!;
  const mids = consumed.map(({ rtpParameters }, i) => rtpParameters.mid ?? String(i));
  const lines = [
    'v=0',
    `o=mediasoup-client ${Math.floor(Math.random() * 1e9)} 1 IN IP4 0.0.0.0`,
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=fingerprint:${fp.algorithm} ${fp.value}`,
    'a=msid-semantic: WMS *',
    `a=group:BUNDLE ${mids.join(' ')}`,
  ];
  consumed.forEach(({ consumerId, rtpParameters }, i) => mediaSection(lines, transport, mids[i]!, consumerId, rtpParameters));
  return `${lines.join('\r\n')}\r\n`;
}

function mediaSection(lines: string[], transport: TransportParams, mid: string, consumerId: string, rtp: RtpParameters): void {
  const pts = rtp.codecs.map((c) => c.payloadType).join(' ');
  lines.push(
    `m=audio 7 UDP/TLS/RTP/SAVPF ${pts}`,
    'c=IN IP4 127.0.0.1',
    `a=mid:${mid}`,
    'a=sendonly',
    `a=ice-ufrag:${transport.iceParameters.usernameFragment}`,
    `a=ice-pwd:${transport.iceParameters.password}`,
  );
  for (const c of transport.iceCandidates.filter((c) => c.protocol === 'udp')) {
    lines.push(`a=candidate:${c.foundation} 1 udp ${c.priority} ${c.address ?? c.ip} ${c.port} typ ${c.type}`);
  }
  lines.push('a=end-of-candidates', 'a=ice-options:renomination', 'a=setup:actpass', 'a=rtcp-mux', 'a=rtcp-rsize');
  for (const codec of rtp.codecs) {
    const [, name] = codec.mimeType.split('/');
    lines.push(`a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${codec.channels && codec.channels > 1 ? `/${codec.channels}` : ''}`);
    const params = Object.entries(codec.parameters ?? {}).map(([k, v]) => `${k}=${String(v)}`);
    if (params.length) lines.push(`a=fmtp:${codec.payloadType} ${params.join(';')}`);
    for (const fb of codec.rtcpFeedback ?? []) lines.push(`a=rtcp-fb:${codec.payloadType} ${fb.type}${fb.parameter ? ` ${fb.parameter}` : ''}`);
  }
  for (const ext of rtp.headerExtensions ?? []) lines.push(`a=extmap:${ext.id} ${ext.uri}`);
  const ssrc = rtp.encodings?.[0]?.ssrc;
  const cname = rtp.rtcp?.cname ?? 'mediasoup';
  if (ssrc) {
    lines.push(`a=ssrc:${ssrc} cname:${cname}`, `a=ssrc:${ssrc} msid:spacecraft ${consumerId}`);
  }
  lines.push(`a=msid:spacecraft ${consumerId}`);
}

export type ListenerTimes = { start: number; joined: number; transport: number; consumed: number; firstRtp: number };

export class NdcListener {
  readonly name: string;
  signalling: SignallingClient | undefined;
  #pc: nodeDataChannel.PeerConnection | undefined;
  /** Held so that the tracks (one per consumer, and their message callbacks) are not garbage-collected. */
  readonly #tracks: nodeDataChannel.Track[] = [];
  packets = 0;
  lost = 0;
  /** Per stream (SSRC, in the order first seen): packets received and the last sequence number. */
  readonly #streams = new Map<number, { packets: number; lastSeq: number }>();
  /** Streams (consumers) this listener waits for before it counts as receiving. */
  #expectedStreams = 1;
  /** Packet counters for windows: set `windowStart` to `packets`/`lost` at a window's start. */
  readonly times: ListenerTimes = { start: 0, joined: 0, transport: 0, consumed: 0, firstRtp: 0 };
  #firstRtp: (() => void) | undefined;

  constructor(name: string) {
    this.name = name;
  }

  /**
   * Joins, consumes every producer on stage (the host's and each speaker's; `publishers` of them
   * expected), connects and resolves once RTP arrived on every stream (rejects after `timeoutMs`).
   */
  async join(opts: { wsUrl: string; spaceId: string; rtpCapabilities: unknown; timeoutMs?: number; publishers?: number }): Promise<void> {
    const t = this.times;
    t.start = performance.now();
    const s = (this.signalling = await SignallingClient.connect(opts.wsUrl));
    const joined = await s.request<{ space: { hostProducerId: string | null; stage?: Array<{ producerId: string | null }> } }>('joinSpace', { spaceId: opts.spaceId });
    t.joined = performance.now();
    const producerIds = [...new Set([joined.space.hostProducerId, ...(joined.space.stage ?? []).map((m) => m.producerId)])].filter((id): id is string => !!id);
    this.#expectedStreams = opts.publishers ?? 1;
    if (producerIds.length < this.#expectedStreams) throw new Error(`${producerIds.length} producers on stage, ${this.#expectedStreams} expected`);
    const transport = await s.request<TransportParams>('createTransport', { direction: 'recv' });
    t.transport = performance.now();
    const consumed: Array<{ consumerId: string; rtpParameters: RtpParameters }> = [];
    for (const producerId of producerIds.slice(0, this.#expectedStreams)) {
      consumed.push(await s.request<{ consumerId: string; rtpParameters: RtpParameters }>('consume', { transportId: transport.id, producerId, rtpCapabilities: opts.rtpCapabilities }));
    }
    t.consumed = performance.now();
    const firstRtp = new Promise<void>((resolve) => (this.#firstRtp = resolve));
    const pc = (this.#pc = new nodeDataChannel.PeerConnection(this.name, { iceServers: [], bindAddress: '127.0.0.1', enableIceTcp: false }));
    pc.onStateChange((state) => {
      if ((state === 'closed' || state === 'failed' || state === 'disconnected') && !this.firstEnd) this.firstEnd = s.closed ? 'ws' : 'pc';
    });
    const answer = new Promise<string>((resolve) => pc.onLocalDescription((sdp, type) => type === 'answer' && resolve(sdp)));
    pc.onTrack((track) => {
      this.#tracks.push(track);
      track.onMessage((msg) => this.#onPacket(msg));
    });
    pc.setRemoteDescription(buildOffer(transport, consumed), 'offer');
    const sdp = await answer;
    const fingerprint = /a=fingerprint:(\S+) (\S+)/.exec(sdp);
    const setup = /a=setup:(\w+)/.exec(sdp)?.[1];
    if (!fingerprint) throw new Error('no fingerprint in the answer');
    await s.request('connectTransport', {
      transportId: transport.id,
      dtlsParameters: { role: setup === 'passive' ? 'server' : 'client', fingerprints: [{ algorithm: fingerprint[1], value: fingerprint[2] }] },
    });
    for (const { consumerId } of consumed) await s.request('resumeConsumer', { consumerId });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      firstRtp,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${this.name}: no RTP within ${opts.timeoutMs ?? 20000} ms (pc ${pc.state()}, ice ${pc.iceState()})`)), opts.timeoutMs ?? 20_000))),
    ]).finally(() => clearTimeout(timer));
    t.firstRtp = performance.now();
  }

  #onPacket(msg: Buffer): void {
    if (msg.length < 12) return;
    const pt = msg[1]! & 0x7f;
    if (pt >= 72 && pt <= 79) return; // RTCP
    const seq = msg.readUInt16BE(2);
    const ssrc = msg.readUInt32BE(8);
    let stream = this.#streams.get(ssrc);
    if (!stream) this.#streams.set(ssrc, (stream = { packets: 0, lastSeq: -1 }));
    if (stream.lastSeq >= 0) {
      const gap = (seq - stream.lastSeq) & 0xffff;
      if (gap > 1 && gap < 0x8000) this.lost += gap - 1;
      if (gap === 0 || gap >= 0x8000) return; // duplicate or reordered late
    }
    stream.lastSeq = seq;
    stream.packets++;
    this.packets++;
    if (this.#firstRtp && this.#streams.size >= this.#expectedStreams) {
      this.#firstRtp();
      this.#firstRtp = undefined;
    }
  }

  /** Packets received so far on each expected stream (0 for a stream not seen yet). */
  streamPackets(): number[] {
    const counts = [...this.#streams.values()].map((s) => s.packets);
    while (counts.length < this.#expectedStreams) counts.push(0);
    return counts;
  }

  /** What ended first, when something did: the signalling socket or the peer connection (for diagnosis). */
  firstEnd: 'ws' | 'pc' | undefined;

  /** Whether its peer connection or signalling socket has ended. */
  get ended(): boolean {
    const state = this.#pc?.state();
    return this.signalling?.closed === true || state === 'closed' || state === 'failed';
  }

  /** Signalling socket, peer connection and ICE state, e.g. "ws open, connected/completed". */
  state(): string {
    const pc = this.#pc ? `${this.#pc.state()}/${this.#pc.iceState()}` : 'no pc';
    return `ws ${this.signalling?.closed ? 'closed' : 'open'}, ${pc}${this.firstEnd ? `, ${this.firstEnd} ended first` : ''}`;
  }

  close(): void {
    try {
      for (const track of this.#tracks) track.close();
      this.#pc?.close();
    } catch {
      // already closed
    }
    this.signalling?.close();
  }
}
