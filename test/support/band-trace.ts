/**
 * The level of a few frequencies in a page's received audio over time: what a
 * ducking test needs to see the music dip under the voice and come back. Runs
 * in the browser (passed to page.evaluate), so it is self-contained.
 */
export type BandTrace = Array<{ t: number; bandsDb: number[] }>;

/** Every `intervalMs` over `durationMs`, the spectrum level (dB) at each of `bandsHz` over the last 4096 samples (85 ms). */
export async function traceBands(args: { durationMs: number; intervalMs: number; selector: string; bandsHz: number[] }): Promise<BandTrace> {
  const element = document.querySelector(args.selector) as HTMLAudioElement | null;
  const stream = element?.srcObject as MediaStream | null;
  if (!stream) throw new Error('no received stream');
  const w = window as unknown as { __probeContext?: AudioContext };
  const context = (w.__probeContext ??= new AudioContext({ sampleRate: 48000 }));
  await context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 4096;
  analyser.smoothingTimeConstant = 0;
  const source = context.createMediaStreamSource(stream);
  source.connect(analyser);
  const spectrum = new Float32Array(analyser.frequencyBinCount);
  const binHz = context.sampleRate / analyser.fftSize;
  const trace: BandTrace = [];
  const start = performance.now();
  while (performance.now() - start < args.durationMs) {
    await new Promise((r) => setTimeout(r, args.intervalMs));
    analyser.getFloatFrequencyData(spectrum);
    trace.push({
      t: performance.now() - start,
      bandsDb: args.bandsHz.map((hz) => {
        const centre = Math.round(hz / binHz);
        let best = -200;
        for (let i = Math.max(0, centre - 2); i <= Math.min(spectrum.length - 1, centre + 2); i++) best = Math.max(best, spectrum[i]!);
        return best;
      }),
    });
  }
  source.disconnect();
  return trace;
}
