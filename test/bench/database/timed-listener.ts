/**
 * A listener in Node with every step of its join timed: @roamhq/wrtc (libwebrtc, the engine
 * Chromium uses) under mediasoup-client (handler Chrome111), through our signalling, decoding
 * what it receives (RTCAudioSink). "First audio" is the first decoded 10 ms frame over
 * −64 dBFS RMS (the bench host hums at about −53 dBFS between bursts, so audio is always there).
 *
 * Two ways to join:
 *  - `full`: everything after the "click" — connect, [signIn], joinSpace, createTransport,
 *    consume, connectTransport (ICE/DTLS start), resumeConsumer — then first audio;
 *  - `prejoined`: everything up to a paused consumer on a connected transport (ICE + DTLS done)
 *    is done first; the "click" sends only resumeConsumer, then first audio.
 */
import wrtc from '@roamhq/wrtc';
import { Device } from 'mediasoup-client';
import type { types as clientTypes } from 'mediasoup-client';
import { SignallingClient } from '../capacity/signalling-client.ts';

const g = globalThis as Record<string, unknown>;
for (const name of ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'MediaStream', 'MediaStreamTrack']) {
  g[name] ??= (wrtc as unknown as Record<string, unknown>)[name];
}

type Sink = { ondata: ((d: { samples: Int16Array; channelCount: number }) => void) | null; stop(): void };

/** Milliseconds after the click at which each step ended (absent when the step was not part of the timed path). */
export type JoinSteps = {
  socket?: number;
  signIn?: number;
  joinSpace?: number;
  createTransport?: number;
  consume?: number;
  connectTransport?: number;
  resumeConsumer?: number;
  /** The peer connection reached "connected" (ICE + DTLS done). */
  connected?: number;
  /** The first decoded 10 ms frame over −64 dBFS RMS (after libwebrtc's jitter buffer and decoder). */
  firstAudio: number;
};

export type JoinMode = 'full' | 'prejoined';

const FIRST_AUDIO_RMS = 20; // of 32768: −64 dBFS
const TIMEOUT_MS = 10_000;

export class TimedListener {
  #signalling: SignallingClient | undefined;
  #transport: clientTypes.Transport | undefined;
  #sink: Sink | undefined;

  /**
   * Joins `spaceId` and resolves with the step times once audio is decoded. With `sessionToken` the
   * socket signs in first (the token checked against the database).
   */
  async join(opts: { wsUrl: string; spaceId: string; sessionToken?: string; mode: JoinMode }): Promise<JoinSteps> {
    const marks: Partial<JoinSteps> = {};
    let clickAt = performance.now();
    const mark = (step: keyof JoinSteps) => (marks[step] ??= performance.now());
    const s = (this.#signalling = await SignallingClient.connect(opts.wsUrl));
    mark('socket');
    if (opts.sessionToken) {
      await s.request('signIn', { sessionToken: opts.sessionToken });
      mark('signIn');
    }
    const joined = await s.request<{ space: { hostProducerId: string | null }; routerRtpCapabilities: clientTypes.RtpCapabilities }>('joinSpace', { spaceId: opts.spaceId });
    mark('joinSpace');
    const producerId = joined.space.hostProducerId;
    if (!producerId) throw new Error('the host is not publishing');
    const device = new Device({ handlerName: 'Chrome111' });
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
    const params = await s.request<clientTypes.TransportOptions>('createTransport', { direction: 'recv' });
    mark('createTransport');
    const transport = (this.#transport = device.createRecvTransport(params));
    const connected = new Promise<void>((resolve) =>
      transport.on('connectionstatechange', (state) => {
        if (state === 'connected') {
          mark('connected');
          resolve();
        }
      }),
    );
    transport.on('connect', ({ dtlsParameters }, ok, fail) =>
      void s.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => {
        mark('connectTransport');
        ok();
      }, fail),
    );
    const consumed = await s.request<{ consumerId: string; producerId: string; rtpParameters: clientTypes.RtpParameters }>('consume', {
      transportId: transport.id,
      producerId,
      rtpCapabilities: device.rtpCapabilities,
    });
    mark('consume');
    const consumer = await transport.consume({ id: consumed.consumerId, producerId: consumed.producerId, kind: 'audio', rtpParameters: consumed.rtpParameters });
    let heard: () => void = () => undefined;
    const audio = new Promise<void>((resolve) => (heard = resolve));
    const sink = (this.#sink = new wrtc.nonstandard.RTCAudioSink(consumer.track as never) as unknown as Sink);
    sink.ondata = (d) => {
      let sum = 0;
      for (let i = 0; i < d.samples.length; i += d.channelCount) sum += d.samples[i]! * d.samples[i]!;
      if (Math.sqrt(sum / (d.samples.length / d.channelCount)) > FIRST_AUDIO_RMS) {
        mark('firstAudio');
        heard();
      }
    };
    if (opts.mode === 'prejoined') {
      // Everything but the resume before the click: the transport connected (ICE + DTLS), the consumer paused.
      await withTimeout(connected, 'the transport did not connect');
      await new Promise((r) => setTimeout(r, 100));
      if (marks.firstAudio !== undefined) throw new Error('audio arrived before the consumer was resumed');
      for (const key of Object.keys(marks) as Array<keyof JoinSteps>) delete marks[key];
      clickAt = performance.now();
    }
    await s.request('resumeConsumer', { consumerId: consumed.consumerId });
    mark('resumeConsumer');
    await withTimeout(audio, 'no audio');
    const steps: Partial<JoinSteps> = {};
    for (const [k, v] of Object.entries(marks) as Array<[keyof JoinSteps, number]>) steps[k] = v - clickAt;
    return steps as JoinSteps;
  }

  close(): void {
    this.#sink?.stop();
    this.#transport?.close();
    this.#signalling?.close();
  }
}

async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS)))]);
  } finally {
    clearTimeout(timer);
  }
}
