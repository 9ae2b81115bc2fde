/**
 * Measures audio inside a page with Web Audio. These functions run in the
 * browser (passed to page.evaluate), so each is self-contained.
 */
export type AudioSample = { t: number; hz: number; rmsDbfs: number };

/** Samples the dominant frequency and RMS of the page's <audio> element's stream every `intervalMs`. */
export async function sampleReceivedAudio(args: { durationMs: number; intervalMs: number; selector: string }): Promise<AudioSample[]> {
  const element = document.querySelector(args.selector) as HTMLAudioElement | null;
  const stream = element?.srcObject as MediaStream | null;
  if (!stream) throw new Error('no received stream');
  const w = window as unknown as { __probeContext?: AudioContext };
  const context = (w.__probeContext ??= new AudioContext({ sampleRate: 48000 }));
  await context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 8192;
  analyser.smoothingTimeConstant = 0;
  const source = context.createMediaStreamSource(stream);
  source.connect(analyser);
  const spectrum = new Float32Array(analyser.frequencyBinCount);
  const wave = new Float32Array(analyser.fftSize);
  const samples: AudioSample[] = [];
  const start = performance.now();
  while (performance.now() - start < args.durationMs) {
    await new Promise((r) => setTimeout(r, args.intervalMs));
    analyser.getFloatFrequencyData(spectrum);
    analyser.getFloatTimeDomainData(wave);
    let best = 0;
    for (let i = 1; i < spectrum.length; i++) if (spectrum[i]! > spectrum[best]!) best = i;
    let sum = 0;
    for (const s of wave) sum += s * s;
    const rms = Math.sqrt(sum / wave.length);
    samples.push({ t: performance.now() - start, hz: (best * context.sampleRate) / analyser.fftSize, rmsDbfs: rms > 0 ? 20 * Math.log10(rms) : -100 });
  }
  source.disconnect();
  return samples;
}

export type ReceivedLevels = { peakDbfs: number; rmsDbfs: number; bandsDb: number[]; reads: number; readPeaksDbfs: number[] };

/**
 * Peak and RMS (dBFS) of what the page's <audio> element receives over
 * `durationMs`, and the spectrum level (dB) at each of `bandsHz`. The analyser
 * window (32768 samples, 0.68 s) is read every 200 ms, so every received
 * sample is seen; the first read waits for one whole window of received audio.
 */
export async function measureReceivedLevels(args: { durationMs: number; selector: string; bandsHz: number[] }): Promise<ReceivedLevels> {
  const element = document.querySelector(args.selector) as HTMLAudioElement | null;
  const stream = element?.srcObject as MediaStream | null;
  if (!stream) throw new Error('no received stream');
  const w = window as unknown as { __probeContext?: AudioContext };
  const context = (w.__probeContext ??= new AudioContext({ sampleRate: 48000 }));
  await context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 32768;
  analyser.smoothingTimeConstant = 0;
  const source = context.createMediaStreamSource(stream);
  source.connect(analyser);
  const wave = new Float32Array(analyser.fftSize);
  const spectrum = new Float32Array(analyser.frequencyBinCount);
  const binHz = context.sampleRate / analyser.fftSize;
  const windowMs = (analyser.fftSize / context.sampleRate) * 1000;
  await new Promise((r) => setTimeout(r, windowMs + 50));
  let peak = 0;
  let squares = 0;
  let count = 0;
  let reads = 0;
  const readPeaks: number[] = [];
  const bandSums = args.bandsHz.map(() => 0);
  const start = performance.now();
  do {
    analyser.getFloatTimeDomainData(wave);
    let readPeak = 0;
    for (const s of wave) {
      const a = Math.abs(s);
      if (a > readPeak) readPeak = a;
      squares += s * s;
    }
    readPeaks.push(readPeak);
    if (readPeak > peak) peak = readPeak;
    count += wave.length;
    analyser.getFloatFrequencyData(spectrum);
    args.bandsHz.forEach((hz, b) => {
      const centre = Math.round(hz / binHz);
      let best = -Infinity;
      for (let i = Math.max(0, centre - 3); i <= Math.min(spectrum.length - 1, centre + 3); i++) best = Math.max(best, spectrum[i]!);
      bandSums[b]! += Math.max(best, -200);
    });
    reads++;
    await new Promise((r) => setTimeout(r, 200));
  } while (performance.now() - start < args.durationMs);
  source.disconnect();
  const db = (x: number) => (x > 0 ? 20 * Math.log10(x) : -100);
  return { peakDbfs: db(peak), rmsDbfs: db(Math.sqrt(squares / count)), bandsDb: bandSums.map((s) => s / reads), reads, readPeaksDbfs: readPeaks.map(db) };
}

/**
 * The highest `attribute` (a number, e.g. a meter's `data-peak-dbfs`) the
 * element at `selector` shows over `durationMs`: every change is observed, not
 * sampled, so a peak reported for one frame is not missed.
 */
export async function highestAttributeOver(args: { durationMs: number; selector: string; attribute: string }): Promise<number> {
  const element = document.querySelector(args.selector);
  if (!element) throw new Error(`no element ${args.selector}`);
  let highest = Number(element.getAttribute(args.attribute));
  const observer = new MutationObserver(() => {
    highest = Math.max(highest, Number(element.getAttribute(args.attribute)));
  });
  observer.observe(element, { attributes: true, attributeFilter: [args.attribute] });
  await new Promise((r) => setTimeout(r, args.durationMs));
  observer.disconnect();
  return highest;
}
