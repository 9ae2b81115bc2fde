/**
 * The track player: one decoded file, played through its own output node
 * (into the mixer's track strip) with play, pause, seek and loop. An
 * AudioBufferSourceNode plays once, so each play makes a new one from the
 * position; the position is worked out from the context's clock.
 */
import { TypedEmitter } from './typed-emitter.ts';

/** The longest track the player decodes (a decoded stereo hour would hold 1.4 GB of samples). */
export const MAX_TRACK_SECONDS = 20 * 60;
/** The largest file the player reads. */
export const MAX_TRACK_FILE_BYTES = 200 * 1024 * 1024;

export type LoadedTrack = { name: string; duration: number; channels: number; peaks: Float32Array };

export class TrackLoadError extends Error {
  override readonly name = 'TrackLoadError';
}

/** Min/max pairs over `buckets` equal slices of the buffer (all channels): what a waveform draws. */
export function waveformPeaks(channels: Float32Array[], buckets: number): Float32Array {
  const length = channels[0]?.length ?? 0;
  const peaks = new Float32Array(buckets * 2);
  if (length === 0) return peaks;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * length) / buckets);
    const to = Math.max(from + 1, Math.floor(((b + 1) * length) / buckets));
    let min = 0;
    let max = 0;
    for (const data of channels) {
      for (let i = from; i < to && i < length; i++) {
        const s = data[i]!;
        if (s < min) min = s;
        if (s > max) max = s;
      }
    }
    peaks[2 * b] = min;
    peaks[2 * b + 1] = max;
  }
  return peaks;
}

export class TrackPlayer {
  readonly output: GainNode;
  readonly #context: BaseAudioContext;
  readonly #events = new TypedEmitter<{ change: [] }>();
  #buffer: AudioBuffer | null = null;
  #track: LoadedTrack | null = null;
  #source: AudioBufferSourceNode | null = null;
  /** The context time at which position 0 would have played (while playing). */
  #startedAt = 0;
  /** The position while paused. */
  #offset = 0;
  #loop = false;

  constructor(context: BaseAudioContext) {
    this.#context = context;
    this.output = context.createGain();
  }

  get track(): LoadedTrack | null {
    return this.#track;
  }

  get playing(): boolean {
    return this.#source !== null;
  }

  get loop(): boolean {
    return this.#loop;
  }

  /** Seconds into the track. */
  get position(): number {
    const duration = this.#buffer?.duration ?? 0;
    if (!this.#source) return this.#offset;
    const elapsed = this.#context.currentTime - this.#startedAt;
    return this.#loop && duration > 0 ? elapsed % duration : Math.min(elapsed, duration);
  }

  onChange(listener: () => void): () => void {
    return this.#events.on('change', listener);
  }

  /** Decodes a file's bytes and makes it the track (stopped, at the start). */
  async load(name: string, bytes: ArrayBuffer): Promise<LoadedTrack> {
    if (bytes.byteLength === 0) throw new TrackLoadError(`${name} is empty.`);
    if (bytes.byteLength > MAX_TRACK_FILE_BYTES) throw new TrackLoadError(`${name} is larger than ${MAX_TRACK_FILE_BYTES / 1024 / 1024} MB.`);
    let buffer: AudioBuffer;
    try {
      buffer = await this.#context.decodeAudioData(bytes);
    } catch {
      throw new TrackLoadError(`${name} is not an audio file this studio can read.`);
    }
    if (buffer.duration > MAX_TRACK_SECONDS) throw new TrackLoadError(`${name} is longer than ${MAX_TRACK_SECONDS / 60} minutes.`);
    this.#stopSource();
    this.#buffer = buffer;
    this.#offset = 0;
    const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
    this.#track = { name, duration: buffer.duration, channels: buffer.numberOfChannels, peaks: waveformPeaks(channels, 800) };
    this.#events.emit('change');
    return this.#track;
  }

  play(): void {
    if (!this.#buffer || this.#source) return;
    if (this.#offset >= this.#buffer.duration) this.#offset = 0;
    const source = this.#context.createBufferSource();
    source.buffer = this.#buffer;
    source.loop = this.#loop;
    source.connect(this.output);
    source.onended = () => {
      if (this.#source !== source) return;
      // Played to its end (not stopped by pause or seek): back to the start, stopped.
      this.#source = null;
      this.#offset = 0;
      this.#events.emit('change');
    };
    const offset = this.#offset;
    source.start(this.#context.currentTime, offset);
    this.#startedAt = this.#context.currentTime - offset;
    this.#source = source;
    this.#events.emit('change');
  }

  pause(): void {
    if (!this.#source) return;
    this.#offset = this.position;
    this.#stopSource();
    this.#events.emit('change');
  }

  /** Moves the play head (clamped to the track); keeps playing if it was. */
  seek(seconds: number): void {
    if (!this.#buffer || !Number.isFinite(seconds)) return;
    const wasPlaying = this.playing;
    this.#stopSource();
    this.#offset = Math.max(0, Math.min(this.#buffer.duration, seconds));
    if (wasPlaying) this.play();
    else this.#events.emit('change');
  }

  setLoop(loop: boolean): void {
    if (loop === this.#loop) return;
    const position = this.position;
    this.#loop = loop;
    if (this.#source) {
      // A source's loop can change while it plays, but its position maths would not: restart from here.
      this.#stopSource();
      this.#offset = position;
      this.play();
    } else this.#events.emit('change');
  }

  close(): void {
    this.#stopSource();
  }

  #stopSource(): void {
    const source = this.#source;
    if (!source) return;
    this.#source = null;
    source.onended = null;
    source.stop();
    source.disconnect();
  }
}
