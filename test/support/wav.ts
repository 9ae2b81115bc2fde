/**
 * Small, dependency-free WAV reading and spectral analysis for tests that
 * assert on decoded audio: which tone is playing (dominant frequency via a
 * Hann-windowed Goertzel scan) and how loud it is (RMS).
 */

export type Wav = {
  sampleRate: number;
  channels: number;
  /** Samples per channel. */
  frames: number;
  durationSeconds: number;
  /** One array per channel, samples scaled to [-1, 1). */
  channelData: Float32Array[];
  /** The channels averaged: what the analysis functions usually want. */
  mono: Float32Array;
};

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function fourCC(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

/**
 * Parses a RIFF/WAVE file of 16-bit PCM (mono, stereo or more channels).
 * Unknown chunks (LIST, fact, ...) are skipped. A data chunk whose size is
 * missing or too large (a writer killed before it could patch the header) is
 * clamped to the bytes actually present.
 */
export function readWav(bytes: Uint8Array): Wav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || fourCC(view, 0) !== 'RIFF' || fourCC(view, 8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');

  let format: { channels: number; sampleRate: number; bitsPerSample: number; blockAlign: number } | undefined;
  let data: { offset: number; length: number } | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = fourCC(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16) throw new Error(`fmt chunk too short (${size} bytes)`);
      let tag = view.getUint16(body, true);
      if (tag === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40) throw new Error('WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
        tag = view.getUint16(body + 24, true); // first two bytes of the SubFormat GUID
      }
      if (tag !== WAVE_FORMAT_PCM) throw new Error(`unsupported WAV format tag 0x${tag.toString(16)} (want PCM)`);
      format = {
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      data = { offset: body, length: Math.min(size, bytes.byteLength - body) };
      break;
    }
    offset = body + size + (size % 2); // chunks are padded to even sizes
  }
  if (!format) throw new Error('WAV has no fmt chunk');
  if (!data) throw new Error('WAV has no data chunk');
  const { channels, sampleRate, bitsPerSample, blockAlign } = format;
  if (bitsPerSample !== 16) throw new Error(`unsupported WAV sample size ${bitsPerSample} bits (want 16)`);
  if (channels < 1 || blockAlign !== channels * 2) throw new Error(`inconsistent WAV fmt: ${channels} channels, block align ${blockAlign}`);
  if (sampleRate <= 0) throw new Error(`invalid WAV sample rate ${sampleRate}`);

  const frames = Math.floor(data.length / blockAlign);
  const channelData = Array.from({ length: channels }, () => new Float32Array(frames));
  const mono = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const s = view.getInt16(data.offset + i * blockAlign + c * 2, true) / 32768;
      channelData[c]![i] = s;
      sum += s;
    }
    mono[i] = sum / channels;
  }
  return { sampleRate, channels, frames, durationSeconds: frames / sampleRate, channelData, mono };
}

/** Encodes channels (equal lengths, samples in [-1, 1]) as a 16-bit PCM WAV. */
export function encodeWav(channelData: Float32Array[], sampleRate: number): Uint8Array {
  const channels = channelData.length;
  if (channels < 1) throw new Error('need at least one channel');
  const frames = channelData[0]!.length;
  if (channelData.some((c) => c.length !== frames)) throw new Error('channels differ in length');
  const dataBytes = frames * channels * 2;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string): void => {
    for (let i = 0; i < text.length; i++) view.setUint8(at + i, text.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const s = Math.max(-1, Math.min(1, channelData[c]![i]!));
      view.setInt16(44 + (i * channels + c) * 2, Math.round(s * 32767), true);
    }
  }
  return bytes;
}

/** Root mean square of samples[start, end). */
export function rms(samples: Float32Array, start = 0, end = samples.length): number {
  if (end <= start) return 0;
  let sum = 0;
  for (let i = start; i < end; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / (end - start));
}

/** An RMS value in dB relative to full scale; -Infinity for digital silence. */
export function toDbfs(value: number): number {
  return 20 * Math.log10(value);
}

const hannCache = new Map<number, Float32Array>();
function hann(length: number): Float32Array {
  let window = hannCache.get(length);
  if (!window) {
    window = new Float32Array(length);
    for (let i = 0; i < length; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1));
    hannCache.set(length, window);
  }
  return window;
}

/**
 * Power of samples[start, end) at `hz` (any frequency, not only DFT bins),
 * Hann-windowed: the Goertzel recurrence, |X(hz)|^2.
 */
export function goertzelPower(samples: Float32Array, sampleRate: number, hz: number, start = 0, end = samples.length): number {
  const window = hann(end - start);
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < end; i++) {
    const s0 = samples[i]! * window[i - start]! + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}

export type DominantFrequencyOptions = {
  /** Lowest frequency considered (default 20 Hz). */
  minHz?: number;
  /** Highest frequency considered (default min(8 kHz, Nyquist)). */
  maxHz?: number;
  /** First sample of the analysed window (default 0). */
  start?: number;
  /** End of the analysed window, exclusive (default: all samples). */
  end?: number;
};

/** In-place iterative radix-2 FFT; `re.length` must be a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = (-2 * Math.PI) / size;
    const wRe = Math.cos(angle);
    const wIm = Math.sin(angle);
    const half = size >> 1;
    for (let start = 0; start < n; start += size) {
      let uRe = 1;
      let uIm = 0;
      for (let k = 0; k < half; k++) {
        const a = start + k;
        const b = a + half;
        const tRe = re[b]! * uRe - im[b]! * uIm;
        const tIm = re[b]! * uIm + im[b]! * uRe;
        re[b] = re[a]! - tRe;
        im[b] = im[a]! - tIm;
        re[a] = re[a]! + tRe;
        im[a] = im[a]! + tIm;
        [uRe, uIm] = [uRe * wRe - uIm * wIm, uRe * wIm + uIm * wRe];
      }
    }
  }
}

/**
 * The frequency with the most power in a window of samples: the peak of a
 * Hann-windowed, zero-padded FFT within [minHz, maxHz], refined by a Goertzel
 * scan at 1/20 of an FFT bin around it. Accurate to well under 1 Hz for a
 * clean tone in a 0.25 s window.
 */
export function dominantFrequency(samples: Float32Array, sampleRate: number, options: DominantFrequencyOptions = {}): number {
  const start = options.start ?? 0;
  const end = Math.min(options.end ?? samples.length, samples.length);
  const length = end - start;
  if (start < 0 || length < 16) throw new Error(`window too short for a frequency estimate (${length} samples)`);
  const minHz = Math.max(options.minHz ?? 20, 0);
  const maxHz = Math.min(options.maxHz ?? 8000, sampleRate / 2);
  if (maxHz <= minHz) throw new Error(`empty frequency range [${minHz}, ${maxHz}]`);

  let size = 1;
  while (size < length) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const window = hann(length);
  for (let i = 0; i < length; i++) re[i] = samples[start + i]! * window[i]!;
  fft(re, im);
  const bin = sampleRate / size;
  let best = Math.ceil(minHz / bin);
  let bestPower = -1;
  for (let k = best; k <= Math.floor(maxHz / bin); k++) {
    const power = re[k]! * re[k]! + im[k]! * im[k]!;
    if (power > bestPower) [best, bestPower] = [k, power];
  }

  let bestHz = best * bin;
  bestPower = -1;
  for (let hz = Math.max(minHz, (best - 1) * bin); hz <= Math.min(maxHz, (best + 1) * bin); hz += bin / 20) {
    const power = goertzelPower(samples, sampleRate, hz, start, end);
    if (power > bestPower) [bestHz, bestPower] = [hz, power];
  }
  return bestHz;
}

export type WindowAnalysis = {
  /** Start of the window in seconds. */
  t: number;
  hz: number;
  rmsDbfs: number;
};

/** Dominant frequency and level of consecutive windows: a coarse "what plays when" track. */
export function analyseWindows(
  samples: Float32Array,
  sampleRate: number,
  options: { windowSeconds: number; hopSeconds?: number; minHz?: number; maxHz?: number },
): WindowAnalysis[] {
  const size = Math.round(options.windowSeconds * sampleRate);
  const hop = Math.round((options.hopSeconds ?? options.windowSeconds) * sampleRate);
  if (size < 16 || hop < 1) throw new Error('window or hop too small');
  const track: WindowAnalysis[] = [];
  for (let start = 0; start + size <= samples.length; start += hop) {
    const end = start + size;
    const range = { start, end, ...(options.minHz === undefined ? {} : { minHz: options.minHz }), ...(options.maxHz === undefined ? {} : { maxHz: options.maxHz }) };
    track.push({ t: start / sampleRate, hz: dominantFrequency(samples, sampleRate, range), rmsDbfs: toDbfs(rms(samples, start, end)) });
  }
  return track;
}
