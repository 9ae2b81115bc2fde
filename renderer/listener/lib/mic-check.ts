/**
 * The green room's microphone check: opens a microphone (voice processing on:
 * echo cancellation, noise suppression, auto gain), measures its level, and
 * can play it back to the speaker after a short delay (the echo test). The
 * track it opened is handed to the stage on join (`handOver`), or stopped on
 * `close`. A plain class: the component only reads levels and calls verbs.
 */

/** How long the echo test waits before playing the speaker's own voice back. */
export const ECHO_DELAY_S = 0.6;

export type MicLevel = { rmsDbfs: number; peakDbfs: number };

export type MicrophoneInfo = { deviceId: string; label: string };

export interface MicCheckLike {
  readonly deviceId: string;
  readonly label: string;
  level(): MicLevel;
  setEcho(on: boolean): void;
  /** Stops measuring and the echo, and gives the track to its new owner (it keeps running). */
  handOver(): MediaStreamTrack;
  /** Stops everything, the track too. Idempotent. */
  close(): void;
}

const dbfs = (x: number) => (x > 1e-5 ? 20 * Math.log10(x) : -100);

export class MicCheck implements MicCheckLike {
  readonly #context: AudioContext;
  readonly #stream: MediaStream;
  readonly #analyser: AnalyserNode;
  readonly #delay: DelayNode;
  readonly #wave: Float32Array<ArrayBuffer>;
  #echo = false;
  #closed = false;

  /** Opens `deviceId` (or the default microphone). Call from a user gesture, so that audio may start. */
  static async open(deviceId?: string): Promise<MicCheck> {
    const context = new AudioContext();
    try {
      await context.resume();
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: { deviceId: deviceId ? { exact: deviceId } : undefined, echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
      });
      return new MicCheck(context, stream);
    } catch (error) {
      void context.close();
      throw error;
    }
  }

  /** The microphones the page may use (labels appear once the permission is given). */
  static async microphones(): Promise<MicrophoneInfo[]> {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices.filter((d) => d.kind === 'audioinput').map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Microphone ${i + 1}` }));
  }

  private constructor(context: AudioContext, stream: MediaStream) {
    this.#context = context;
    this.#stream = stream;
    const source = context.createMediaStreamSource(stream);
    this.#analyser = context.createAnalyser();
    this.#analyser.fftSize = 2048;
    this.#wave = new Float32Array(this.#analyser.fftSize);
    this.#delay = context.createDelay(2);
    this.#delay.delayTime.value = ECHO_DELAY_S;
    source.connect(this.#analyser);
    source.connect(this.#delay);
  }

  get #track(): MediaStreamTrack {
    return this.#stream.getAudioTracks()[0]!;
  }

  get deviceId(): string {
    return this.#track.getSettings().deviceId ?? '';
  }

  get label(): string {
    return this.#track.label;
  }

  get echo(): boolean {
    return this.#echo;
  }

  level(): MicLevel {
    if (this.#closed) return { rmsDbfs: -100, peakDbfs: -100 };
    this.#analyser.getFloatTimeDomainData(this.#wave);
    let sum = 0;
    let peak = 0;
    for (const s of this.#wave) {
      sum += s * s;
      peak = Math.max(peak, Math.abs(s));
    }
    return { rmsDbfs: dbfs(Math.sqrt(sum / this.#wave.length)), peakDbfs: dbfs(peak) };
  }

  setEcho(on: boolean): void {
    if (this.#closed || on === this.#echo) return;
    this.#echo = on;
    if (on) this.#delay.connect(this.#context.destination);
    else this.#delay.disconnect();
  }

  handOver(): MediaStreamTrack {
    const track = this.#track;
    this.#stop();
    return track;
  }

  close(): void {
    if (this.#closed) return;
    for (const track of this.#stream.getTracks()) track.stop();
    this.#stop();
  }

  #stop(): void {
    if (this.#closed) return;
    this.setEcho(false);
    this.#closed = true;
    void this.#context.close();
  }
}

/** What a microphone's name says about feedback and quality. */
export function headsetHints(label: string): { headset: boolean; bluetoothCallQuality: boolean } {
  const l = label.toLowerCase();
  return {
    headset: /head(set|phone)|earbud|earphone|airpods|buds|\bbt\b|bluetooth|hands-?free/.test(l),
    // A Bluetooth headset's microphone switches it to the hands-free profile: narrowband, call quality.
    bluetoothCallQuality: /hands-?free|\bhfp\b|\bhsp\b/.test(l),
  };
}
