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
