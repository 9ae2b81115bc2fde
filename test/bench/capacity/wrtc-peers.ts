/**
 * Decoding WebRTC peers in Node: @roamhq/wrtc (libwebrtc) under mediasoup-client
 * (handler Chrome111), through our signalling. The host publishes a tone burst
 * (1 kHz, 40 ms) every 500 ms from an RTCAudioSource; probe listeners decode it
 * (RTCAudioSink), time each burst's onset against the moment it was fed to the
 * host (same process, same clock: mouth-to-ear minus capture and playout), and
 * read loss and jitter from libwebrtc's inbound-rtp stats.
 */
import wrtc from '@roamhq/wrtc';
import { Device } from 'mediasoup-client';
import type { types as clientTypes } from 'mediasoup-client';
import { SignallingClient } from './signalling-client.ts';

const g = globalThis as Record<string, unknown>;
for (const name of ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'MediaStream', 'MediaStreamTrack']) {
  g[name] ??= (wrtc as unknown as Record<string, unknown>)[name];
}

const RATE = 48_000;
const FRAME = 480; // 10 ms
const BURST_EVERY_FRAMES = 50; // 500 ms
const BURST_FRAMES = 4; // 40 ms

type Sink = { ondata: ((d: { samples: Int16Array; sampleRate: number; channelCount: number; numberOfFrames: number }) => void) | null; stop(): void };

export class WrtcHost {
  signalling!: SignallingClient;
  spaceId = '';
  producerId = '';
  routerRtpCapabilities: unknown;
  /** performance.now() when each burst's first frame was fed. */
  readonly burstTimes: number[] = [];
  #device = new Device({ handlerName: 'Chrome111' });
  #source = new wrtc.nonstandard.RTCAudioSource();
  #timer: NodeJS.Timeout | undefined;
  #transport: clientTypes.Transport | undefined;

  /** Signs the socket in with `sessionToken` (an account that may host), starts a Space and publishes into it. */
  async start(opts: { wsUrl: string; origin: string; sessionToken: string }): Promise<void> {
    const s = (this.signalling = await SignallingClient.connect(opts.wsUrl, { origin: opts.origin }));
    await s.request('signIn', { sessionToken: opts.sessionToken });
    const created = await s.request<{ space: { spaceId: string }; routerRtpCapabilities: clientTypes.RtpCapabilities }>('createSpace', { title: 'capacity bench' });
    this.spaceId = created.space.spaceId;
    this.routerRtpCapabilities = created.routerRtpCapabilities;
    await this.#publish(created.routerRtpCapabilities);
  }

  /**
   * A speaker instead of the host: signs in, joins `spaceId`, asks to speak, is accepted by `host`,
   * publishes (the same bursts and hum) and unmutes.
   */
  async startAsSpeaker(opts: { wsUrl: string; sessionToken: string; spaceId: string; host: WrtcHost }): Promise<void> {
    const s = (this.signalling = await SignallingClient.connect(opts.wsUrl));
    await s.request('signIn', { sessionToken: opts.sessionToken });
    const joined = await s.request<{ you: { peerId: string }; routerRtpCapabilities: clientTypes.RtpCapabilities }>('joinSpace', { spaceId: opts.spaceId });
    this.spaceId = opts.spaceId;
    this.routerRtpCapabilities = joined.routerRtpCapabilities;
    await s.request('requestToSpeak', {});
    await opts.host.signalling.request('answerRequest', { peerId: joined.you.peerId, accept: true });
    await this.#publish(joined.routerRtpCapabilities);
    await s.request('setMuted', { muted: false });
  }

  async #publish(routerRtpCapabilities: clientTypes.RtpCapabilities): Promise<void> {
    const s = this.signalling;
    await this.#device.load({ routerRtpCapabilities });
    const params = await s.request<clientTypes.TransportOptions>('createTransport', { direction: 'send' });
    const transport = (this.#transport = this.#device.createSendTransport(params));
    transport.on('connect', ({ dtlsParameters }, ok, fail) => void s.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => ok(), fail));
    transport.on('produce', ({ kind, rtpParameters }, ok, fail) =>
      void s.request<{ producerId: string }>('produce', { transportId: transport.id, kind, rtpParameters }).then(({ producerId }) => ok({ id: producerId }), fail),
    );
    this.#feed();
    const producer = await transport.produce({ track: this.#source.createTrack() as unknown as MediaStreamTrack });
    this.producerId = producer.id;
  }

  #feed(): void {
    // Between bursts a quiet 200 Hz hum (≈ -53 dBFS), so that any decoded audio is told apart from the
    // zeros a sink may deliver before the first packet.
    const silence = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++) silence[i] = Math.round(100 * Math.sin((2 * Math.PI * 200 * i) / RATE));
    const tone = Array.from({ length: BURST_FRAMES }, (_, f) => {
      const a = new Int16Array(FRAME);
      for (let i = 0; i < FRAME; i++) a[i] = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * (f * FRAME + i)) / RATE));
      return a;
    });
    const begin = performance.now();
    let n = 0;
    const tick = () => {
      // Catch up if the timer was late, so the stream stays real time.
      while (begin + n * 10 <= performance.now()) {
        const k = n % BURST_EVERY_FRAMES;
        if (k === 0) this.burstTimes.push(performance.now());
        const samples = k < BURST_FRAMES ? tone[k]! : silence;
        this.#source.onData({ samples, sampleRate: RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME });
        n++;
      }
      this.#timer = setTimeout(tick, Math.max(0, begin + n * 10 - performance.now()));
    };
    tick();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#transport?.close();
    this.signalling?.close();
  }
}

export type ProbeReport = { packetsReceived: number; packetsLost: number; jitterMs: number; latencyMs: number[]; joinMs: number };

export class WrtcProbe {
  signalling!: SignallingClient;
  #device = new Device({ handlerName: 'Chrome111' });
  #transport: clientTypes.Transport | undefined;
  #sink: Sink | undefined;
  readonly onsets: number[] = [];
  joinMs = 0;
  #loud = false;

  /** The RTP capabilities a Chrome-like client (libwebrtc, Chrome111 handler) announces for this router. */
  static async capabilitiesFor(routerRtpCapabilities: unknown): Promise<clientTypes.RtpCapabilities> {
    const device = new Device({ handlerName: 'Chrome111' });
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as clientTypes.RtpCapabilities });
    return device.rtpCapabilities;
  }

  async join(opts: { wsUrl: string; spaceId: string }): Promise<void> {
    const t0 = performance.now();
    const s = (this.signalling = await SignallingClient.connect(opts.wsUrl));
    const joined = await s.request<{ space: { hostProducerId: string }; routerRtpCapabilities: clientTypes.RtpCapabilities }>('joinSpace', { spaceId: opts.spaceId });
    await this.#device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
    const params = await s.request<clientTypes.TransportOptions>('createTransport', { direction: 'recv' });
    const transport = (this.#transport = this.#device.createRecvTransport(params));
    transport.on('connect', ({ dtlsParameters }, ok, fail) => void s.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => ok(), fail));
    const consumed = await s.request<{ consumerId: string; producerId: string; rtpParameters: clientTypes.RtpParameters }>('consume', {
      transportId: transport.id,
      producerId: joined.space.hostProducerId,
      rtpCapabilities: this.#device.rtpCapabilities,
    });
    const consumer = await transport.consume({ id: consumed.consumerId, producerId: consumed.producerId, kind: 'audio', rtpParameters: consumed.rtpParameters });
    let firstAudio: () => void = () => undefined;
    const heard = new Promise<void>((resolve) => (firstAudio = resolve));
    {
      const sink = (this.#sink = new wrtc.nonstandard.RTCAudioSink(consumer.track as never) as unknown as Sink);
      sink.ondata = (d) => {
        let sum = 0;
        const step = d.channelCount;
        for (let i = 0; i < d.samples.length; i += step) sum += d.samples[i]! * d.samples[i]!;
        const rms = Math.sqrt(sum / (d.samples.length / step));
        if (rms > 20) firstAudio();
        const loud = rms > 1000;
        if (loud && !this.#loud) {
          this.onsets.push(performance.now());
        }
        this.#loud = loud;
      };
    }
    await s.request('resumeConsumer', { consumerId: consumed.consumerId });
    await heard;
    this.joinMs = performance.now() - t0;
  }

  /** libwebrtc's cumulative inbound-rtp counters for the consumer. */
  async inbound(): Promise<{ packetsReceived: number; packetsLost: number; jitterMs: number }> {
    // libwebrtc here has no receiver.getStats(): the peer connection's stats have the same inbound-rtp entry.
    const stats = await this.#transport!.getStats();
    let packetsReceived = 0;
    let packetsLost = 0;
    let jitter = 0;
    stats.forEach((s: Record<string, unknown>) => {
      if (s['type'] === 'inbound-rtp') {
        packetsReceived = Number(s['packetsReceived'] ?? 0);
        packetsLost = Number(s['packetsLost'] ?? 0);
        jitter = Number(s['jitter'] ?? 0);
      }
    });
    return { packetsReceived, packetsLost, jitterMs: jitter * 1000 };
  }

  /** Loss over a window (against `start`, read at its beginning), jitter now, and burst latencies heard since `sinceMs`. */
  async report(burstTimes: number[], sinceMs: number, start: { packetsReceived: number; packetsLost: number }): Promise<ProbeReport> {
    const now = await this.inbound();
    // Each onset against the latest burst fed before it (bursts are 500 ms apart; latency well under that).
    const latencyMs: number[] = [];
    for (const onset of this.onsets.filter((o) => o >= sinceMs)) {
      let fed = -1;
      for (const b of burstTimes) if (b <= onset) fed = b;
      if (fed >= 0 && onset - fed < 450) latencyMs.push(onset - fed);
    }
    return {
      packetsReceived: now.packetsReceived - start.packetsReceived,
      packetsLost: now.packetsLost - start.packetsLost,
      jitterMs: now.jitterMs,
      latencyMs,
      joinMs: this.joinMs,
    };
  }

  close(): void {
    this.#sink?.stop();
    this.#transport?.close();
    this.signalling?.close();
  }
}
