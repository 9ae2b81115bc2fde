/**
 * The sound pads: nine slots, each a decoded clip with its own gain, all into
 * the pads strip. Triggering a pad plays its clip from the start (again from
 * the start if it was playing: a retrigger, as hardware pads do).
 */
import { fromDb } from './dsp.ts';
import { MAX_CLIP_SECONDS } from './clip-store.ts';
import { TypedEmitter } from './typed-emitter.ts';

export class PadLoadError extends Error {
  override readonly name = 'PadLoadError';
}

type Slot = { gain: GainNode; buffer: AudioBuffer | null; clipId: string | null; playing: AudioBufferSourceNode | null };

export class PadBank {
  readonly #context: BaseAudioContext;
  readonly #slots: Slot[];
  readonly #events = new TypedEmitter<{ change: [] }>();

  constructor(context: BaseAudioContext, output: AudioNode, count: number) {
    this.#context = context;
    this.#slots = Array.from({ length: count }, () => {
      const gain = context.createGain();
      gain.connect(output);
      return { gain, buffer: null, clipId: null, playing: null };
    });
  }

  get count(): number {
    return this.#slots.length;
  }

  onChange(listener: () => void): () => void {
    return this.#events.on('change', listener);
  }

  /** The clip id a slot holds (null when empty). */
  clipOf(index: number): string | null {
    return this.#slots[index]?.clipId ?? null;
  }

  isPlaying(index: number): boolean {
    return this.#slots[index]?.playing != null;
  }

  durationOf(index: number): number | null {
    return this.#slots[index]?.buffer?.duration ?? null;
  }

  /** Decodes a clip's bytes into a slot. */
  async load(index: number, clipId: string, name: string, bytes: ArrayBuffer): Promise<void> {
    const slot = this.#slot(index);
    let buffer: AudioBuffer;
    try {
      // decodeAudioData detaches the buffer it is given: decode a copy, so the caller can still store the bytes.
      buffer = await this.#context.decodeAudioData(bytes.slice(0));
    } catch {
      throw new PadLoadError(`${name} is not an audio file this studio can read.`);
    }
    if (buffer.duration > MAX_CLIP_SECONDS) throw new PadLoadError(`${name} is longer than ${MAX_CLIP_SECONDS} seconds: pads are for short sounds.`);
    this.#stop(slot);
    slot.buffer = buffer;
    slot.clipId = clipId;
    this.#events.emit('change');
  }

  clear(index: number): void {
    const slot = this.#slot(index);
    this.#stop(slot);
    slot.buffer = null;
    slot.clipId = null;
    this.#events.emit('change');
  }

  setGainDb(index: number, gainDb: number): void {
    const slot = this.#slots[index];
    if (slot) slot.gain.gain.setTargetAtTime(gainDb <= -60 ? 0 : fromDb(gainDb), this.#context.currentTime, 0.005);
  }

  /** Plays a pad's clip from its start; does nothing for an empty pad. */
  trigger(index: number): boolean {
    const slot = this.#slots[index];
    if (!slot?.buffer) return false;
    this.#stop(slot);
    const source = this.#context.createBufferSource();
    source.buffer = slot.buffer;
    source.connect(slot.gain);
    source.onended = () => {
      if (slot.playing !== source) return;
      slot.playing = null;
      this.#events.emit('change');
    };
    source.start();
    slot.playing = source;
    this.#events.emit('change');
    return true;
  }

  stopAll(): void {
    for (const slot of this.#slots) this.#stop(slot);
    this.#events.emit('change');
  }

  #slot(index: number): Slot {
    const slot = this.#slots[index];
    if (!slot) throw new RangeError(`There is no pad ${index + 1}.`);
    return slot;
  }

  #stop(slot: Slot): void {
    const source = slot.playing;
    if (!source) return;
    slot.playing = null;
    source.onended = null;
    source.stop();
    source.disconnect();
  }
}
