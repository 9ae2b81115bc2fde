/** The WAV reader and the tone analysis used by the media tests, checked on synthetic signals. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeToneSequence } from './tones.ts';
import { analyseWindows, dominantFrequency, encodeWav, goertzelPower, readWav, rms, toDbfs } from './wav.ts';

const RATE = 48_000;

/** A sine of `hz` at `amplitude`, optionally with deterministic white-ish noise added. */
function sine(hz: number, seconds: number, amplitude = 0.5, noise = 0, sampleRate = RATE): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  let seed = 12345;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate) + noise * (seed / 1073741824 - 1);
  }
  return out;
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('dominantFrequency', () => {
  it.each([50, 440, 1000, 1234.5, 3000, 7000])('finds a %d Hz sine within 0.5 Hz', (hz) => {
    const samples = sine(hz, 0.5);
    expect(Math.abs(dominantFrequency(samples, RATE) - hz)).toBeLessThan(0.5);
  });

  it('finds the tone under noise and at another sample rate', () => {
    expect(Math.abs(dominantFrequency(sine(440, 0.25, 0.3, 0.3), RATE) - 440)).toBeLessThan(2);
    expect(Math.abs(dominantFrequency(sine(1000, 0.5, 0.5, 0, 44_100), 44_100) - 1000)).toBeLessThan(0.5);
  });

  it('picks the louder of two tones and honours the frequency range and window', () => {
    const mix = sine(440, 0.5, 0.2).map((s, i) => s + 0.5 * Math.sin((2 * Math.PI * 1000 * i) / RATE));
    expect(Math.abs(dominantFrequency(mix, RATE) - 1000)).toBeLessThan(1);
    expect(Math.abs(dominantFrequency(mix, RATE, { maxHz: 700 }) - 440)).toBeLessThan(1);
    const sequence = concat(sine(440, 0.5), sine(1000, 0.5));
    expect(Math.abs(dominantFrequency(sequence, RATE, { start: 0, end: RATE / 2 }) - 440)).toBeLessThan(0.5);
    expect(Math.abs(dominantFrequency(sequence, RATE, { start: RATE / 2 }) - 1000)).toBeLessThan(0.5);
  });

  it('rejects windows that are too short or empty ranges', () => {
    expect(() => dominantFrequency(new Float32Array(8), RATE)).toThrow(/too short/);
    expect(() => dominantFrequency(sine(440, 0.1), RATE, { minHz: 500, maxHz: 400 })).toThrow(/empty frequency range/);
  });

  it('goertzelPower peaks at the tone', () => {
    const samples = sine(1000, 0.25);
    expect(goertzelPower(samples, RATE, 1000)).toBeGreaterThan(1000 * goertzelPower(samples, RATE, 1100));
  });
});

describe('rms', () => {
  it('is amplitude/sqrt(2) for a sine and -Infinity dBFS for silence', () => {
    expect(rms(sine(440, 1, 0.5))).toBeCloseTo(0.5 / Math.SQRT2, 3);
    expect(toDbfs(rms(sine(440, 1, 1)))).toBeCloseTo(-3.01, 1);
    expect(toDbfs(rms(new Float32Array(100)))).toBe(-Infinity);
  });
});

describe('readWav', () => {
  it('round-trips mono and stereo 16-bit PCM', () => {
    const mono = readWav(encodeWav([sine(440, 0.5)], RATE));
    expect(mono).toMatchObject({ sampleRate: RATE, channels: 1, frames: RATE / 2, durationSeconds: 0.5 });
    expect(Math.abs(dominantFrequency(mono.mono, RATE) - 440)).toBeLessThan(0.5);

    const left = sine(440, 0.25);
    const right = sine(1000, 0.25, 0.2);
    const stereo = readWav(encodeWav([left, right], RATE));
    expect(stereo).toMatchObject({ channels: 2, frames: left.length });
    expect(Math.abs(stereo.channelData[0]![100]! - left[100]!)).toBeLessThan(1 / 16384);
    expect(Math.abs(stereo.channelData[1]![100]! - right[100]!)).toBeLessThan(1 / 16384);
    expect(stereo.mono[100]).toBeCloseTo((left[100]! + right[100]!) / 2, 4);
    expect(Math.abs(dominantFrequency(stereo.channelData[1]!, RATE) - 1000)).toBeLessThan(0.5);
  });

  it('skips unknown chunks (odd-sized, padded) and clamps a data size that overruns the file', () => {
    const plain = encodeWav([sine(440, 0.1)], RATE);
    const extra = new Uint8Array([0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0]); // "LIST", 3 bytes + pad
    const bytes = new Uint8Array(plain.length + extra.length);
    bytes.set(plain.subarray(0, 36));
    bytes.set(extra, 36);
    bytes.set(plain.subarray(36), 36 + extra.length);
    const view = new DataView(bytes.buffer);
    view.setUint32(36 + extra.length + 4, 0xffffffff, true); // writer never patched the size
    const wav = readWav(bytes);
    expect(wav.frames).toBe(4800);
    expect(Math.abs(dominantFrequency(wav.mono, RATE) - 440)).toBeLessThan(1);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE PCM', () => {
    const plain = encodeWav([sine(440, 0.1)], RATE);
    const bytes = new Uint8Array(plain.length + 24);
    bytes.set(plain.subarray(0, 36));
    bytes.set(plain.subarray(36), 60);
    const view = new DataView(bytes.buffer);
    view.setUint32(16, 40, true); // fmt size
    view.setUint16(20, 0xfffe, true);
    view.setUint16(36, 22, true); // cbSize
    view.setUint16(38, 16, true); // valid bits
    view.setUint32(40, 4, true); // channel mask
    view.setUint16(44, 1, true); // SubFormat GUID starts with PCM
    expect(readWav(bytes).frames).toBe(4800);
  });

  it('rejects what it cannot read', () => {
    expect(() => readWav(new TextEncoder().encode('not a wav file at all'))).toThrow(/RIFF/);
    const float = encodeWav([sine(440, 0.01)], RATE);
    new DataView(float.buffer).setUint16(20, 3, true);
    expect(() => readWav(float)).toThrow(/format tag 0x3/);
    const wide = encodeWav([sine(440, 0.01)], RATE);
    new DataView(wide.buffer).setUint16(34, 24, true);
    expect(() => readWav(wide)).toThrow(/24 bits/);
    expect(() => readWav(encodeWav([sine(440, 0.01)], RATE).subarray(0, 36))).toThrow(/no data chunk/);
  });

  // sox comes with ./spacecraft setup (the e2e tests need it): missing, this fails (tones.ts says so).
  it('reads a sox-made tone sequence and tracks the tones in order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-wav-test-'));
    try {
      const path = join(dir, 'tones.wav');
      writeToneSequence(path, [
        [440, 0.5],
        [880, 0.5],
      ]);
      const wav = readWav(readFileSync(path));
      expect(wav).toMatchObject({ sampleRate: RATE, channels: 1 });
      expect(wav.durationSeconds).toBeCloseTo(1, 2);
      const track = analyseWindows(wav.mono, wav.sampleRate, { windowSeconds: 0.25 });
      expect(track.map((w) => Math.round(w.hz))).toEqual([440, 440, 880, 880]);
      for (const w of track) expect(w.rmsDbfs).toBeCloseTo(toDbfs(0.5 / Math.SQRT2), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
