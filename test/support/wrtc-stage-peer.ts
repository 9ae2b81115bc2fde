/**
 * A real WebRTC peer in Node for stage tests: libwebrtc (@roamhq/wrtc) under
 * mediasoup-client (handler Chrome111), speaking our protocol through the
 * renderer's own SignallingClient. It can publish a sine tone (a speaker's
 * microphone) and receive a producer, measuring what it decodes: RMS and the
 * level of one frequency (Goertzel), in dBFS.
 */
import wrtc from '@roamhq/wrtc';
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import type { SignallingClient } from '../../renderer/lib/signalling-client.ts';
import type { NotificationData, RequestResult } from '../../server/signalling/protocol.ts';
import { connectClient, nextNotification } from './signalling.ts';

const g = globalThis as Record<string, unknown>;
for (const name of ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'MediaStream', 'MediaStreamTrack']) {
  g[name] ??= (wrtc as unknown as Record<string, unknown>)[name];
}

const RATE = 48_000;
const FRAME = 480; // 10 ms

type SinkData = { samples: Int16Array; sampleRate: number; channelCount: number; numberOfFrames: number };
type Sink = { ondata: ((d: SinkData) => void) | null; stop(): void };

export type Heard = { rmsDbfs: number; toneDbfs: number; frames: number };

export class WrtcStagePeer {
  readonly signalling: SignallingClient;
  readonly #device = new Device({ handlerName: 'Chrome111' });
  #send: types.Transport | null = null;
  #recv: types.Transport | null = null;
  readonly #tones: Tone[] = [];
  readonly #meters: Meter[] = [];

  /** Connects; signs in when given a session token; `origin` makes it a studio page (hosting). */
  static async connect(serverUrl: string, options: { sessionToken?: string; origin?: string } = {}): Promise<WrtcStagePeer> {
    const signalling = await connectClient(serverUrl, options.origin ? { origin: options.origin } : {});
    if (options.sessionToken) await signalling.request('signIn', { sessionToken: options.sessionToken });
    return new WrtcStagePeer(signalling);
  }

  private constructor(signalling: SignallingClient) {
    this.signalling = signalling;
  }

  async join(spaceId: string): Promise<RequestResult<'joinSpace'>> {
    const joined = await this.signalling.request('joinSpace', { spaceId });
    await this.load(joined.routerRtpCapabilities);
    return joined;
  }

  /**
   * Asks to speak (joined, the only request waiting) and `host` accepts: resolves once this peer
   * is told it is a speaker, with the request the host saw and this peer's role notice.
   */
  async comeOnStage(host: WrtcStagePeer): Promise<{ request: NotificationData<'stageRequests'>['requests'][number]; role: NotificationData<'yourRole'> }> {
    const asked = nextNotification(host.signalling, 'stageRequests', (r) => r.requests.length === 1);
    await this.signalling.request('requestToSpeak', {});
    const request = (await asked).requests[0]!;
    const seated = nextNotification(this.signalling, 'yourRole', (r) => r.role === 'speaker');
    await host.signalling.request('answerRequest', { peerId: request.peerId, accept: true });
    return { request, role: await seated };
  }

  async load(routerRtpCapabilities: unknown): Promise<void> {
    if (!this.#device.loaded) await this.#device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
  }

  /** Publishes a continuous sine of `hz` at −12 dBFS peak; returns the producer id. */
  async publishTone(hz: number): Promise<string> {
    const tone = toneTrack(hz);
    this.#tones.push(tone);
    const transport = (this.#send ??= await this.#transport('send'));
    const producer = await transport.produce({ track: tone.track, stopTracks: false });
    return producer.id;
  }

  /** Publishes a track of the caller's (e.g. a benchmark's bursts); returns the producer id. */
  async publishTrack(track: MediaStreamTrack): Promise<string> {
    const transport = (this.#send ??= await this.#transport('send'));
    const producer = await transport.produce({ track, stopTracks: false });
    return producer.id;
  }

  /** Receives `producerId`; the returned meter measures what arrives from now on. */
  async listen(producerId: string): Promise<Meter> {
    const transport = (this.#recv ??= await this.#transport('recv'));
    const params = await this.signalling.request('consume', { transportId: transport.id, producerId, rtpCapabilities: this.#device.rtpCapabilities });
    const consumer = await transport.consume({ id: params.consumerId, producerId: params.producerId, kind: 'audio', rtpParameters: params.rtpParameters as types.RtpParameters });
    const meter = meterOf(consumer.track);
    this.#meters.push(meter);
    await this.signalling.request('resumeConsumer', { consumerId: params.consumerId });
    return meter;
  }

  close(): void {
    for (const tone of this.#tones) tone.stop();
    for (const meter of this.#meters) meter.stop();
    this.#send?.close();
    this.#recv?.close();
    this.signalling.close();
  }

  async #transport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const s = this.signalling;
    const params = await s.request('createTransport', { direction });
    const transport = direction === 'send' ? this.#device.createSendTransport(params) : this.#device.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, ok, fail) => void s.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => ok(), fail));
    if (direction === 'send') {
      transport.on('produce', ({ rtpParameters }, ok, fail) =>
        void s.request('produce', { transportId: transport.id, kind: 'audio', rtpParameters }).then(({ producerId }) => ok({ id: producerId }), fail),
      );
    }
    return transport;
  }
}

export type Tone = { track: MediaStreamTrack; stop(): void };

/** A libwebrtc audio track playing a continuous sine of `hz` at −12 dBFS peak (real time, 10 ms frames). */
export function toneTrack(hz: number): Tone {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const frames = Array.from({ length: RATE / FRAME }, (_, f) => {
    const a = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++) a[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * (f * FRAME + i)) / RATE));
    return a;
  });
  const begin = performance.now();
  let n = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    while (begin + n * 10 <= performance.now()) {
      source.onData({ samples: frames[n % frames.length]!, sampleRate: RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME });
      n++;
    }
    timer = setTimeout(tick, Math.max(0, begin + n * 10 - performance.now()));
  };
  tick();
  const track = source.createTrack() as unknown as MediaStreamTrack;
  return { track, stop: () => clearTimeout(timer) };
}

export type Meter = { measure(ms: number, hz: number): Promise<Heard>; stop(): void };

/** Measures what a received track decodes, from each `measure` call on. */
export function meterOf(track: MediaStreamTrack): Meter {
  const sink = new wrtc.nonstandard.RTCAudioSink(track as never) as unknown as Sink;
  let window: Int16Array[] | null = null;
  sink.ondata = (d) => {
    if (!window) return;
    const mono = new Int16Array(d.numberOfFrames);
    for (let i = 0; i < d.numberOfFrames; i++) mono[i] = d.samples[i * d.channelCount]!;
    window.push(mono);
  };
  return {
    measure: async (ms, hz) => {
      window = [];
      await new Promise((resolve) => setTimeout(resolve, ms));
      const frames = window;
      window = null;
      return heard(frames, hz);
    },
    stop: () => sink.stop(),
  };
}

/** RMS of everything received and the level of `hz` alone (Goertzel per 10 ms frame, as the RMS of a sine of that amplitude). */
function heard(frames: Int16Array[], hz: number): Heard {
  let sum = 0;
  let count = 0;
  let tonePower = 0;
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / RATE);
  for (const frame of frames) {
    let s1 = 0;
    let s2 = 0;
    for (const raw of frame) {
      const x = raw / 32768;
      sum += x * x;
      count++;
      const s0 = x + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    // |X|² → amplitude A = 2|X|/N; a sine's RMS is A/√2.
    tonePower += (2 * power) / (frame.length * frame.length);
  }
  const db = (x: number) => (x > 0 ? 10 * Math.log10(x) : -150);
  return { rmsDbfs: db(count ? sum / count : 0), toneDbfs: db(frames.length ? tonePower / frames.length : 0), frames: frames.length };
}
