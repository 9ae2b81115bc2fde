/**
 * Measures what a page's <audio> element receives, channel by channel, with
 * Web Audio. These functions run in the browser (passed to page.evaluate), so
 * each is self-contained.
 */
export type ChannelSpectrum = {
  /** How many channels the received stream has, as Web Audio sees it. */
  channels: number;
  /** Per channel (left, right): the spectrum level (dB) at each of `bandsHz`, averaged over the reads. */
  bandsDb: number[][];
  /** Per channel: the power in each of `rangesHz` ([low, high] Hz), summed over its bins, in dB, averaged over the reads. */
  rangesDb: number[][];
  /** Per channel: RMS in dBFS over everything read. */
  rmsDbfs: number[];
  reads: number;
};

/** Left and right of the received stream, each through its own analyser, read every 200 ms over `durationMs`. */
export async function measureChannels(args: { durationMs: number; selector: string; bandsHz: number[]; rangesHz: Array<[number, number]> }): Promise<ChannelSpectrum> {
  const element = document.querySelector(args.selector) as HTMLAudioElement | null;
  const stream = element?.srcObject as MediaStream | null;
  if (!stream) throw new Error('no received stream');
  const w = window as unknown as { __probeContext?: AudioContext };
  const context = (w.__probeContext ??= new AudioContext({ sampleRate: 48000 }));
  await context.resume();
  const source = context.createMediaStreamSource(stream);
  const channels = source.channelCount;
  const splitter = context.createChannelSplitter(2);
  source.connect(splitter);
  const analysers = [0, 1].map((c) => {
    const analyser = context.createAnalyser();
    analyser.fftSize = 16384;
    analyser.smoothingTimeConstant = 0;
    splitter.connect(analyser, c);
    return analyser;
  });
  const binHz = context.sampleRate / 16384;
  await new Promise((r) => setTimeout(r, (16384 / context.sampleRate) * 1000 + 50));
  const spectrum = new Float32Array(8192);
  const wave = new Float32Array(16384);
  const bandSums = analysers.map(() => args.bandsHz.map(() => 0));
  const rangeSums = analysers.map(() => args.rangesHz.map(() => 0));
  const squares = analysers.map(() => 0);
  let reads = 0;
  const start = performance.now();
  do {
    analysers.forEach((analyser, c) => {
      analyser.getFloatFrequencyData(spectrum);
      args.bandsHz.forEach((hz, b) => {
        const centre = Math.round(hz / binHz);
        let best = -200;
        for (let i = Math.max(0, centre - 3); i <= Math.min(spectrum.length - 1, centre + 3); i++) best = Math.max(best, spectrum[i]!);
        bandSums[c]![b]! += best;
      });
      args.rangesHz.forEach(([low, high], r) => {
        let power = 0;
        for (let i = Math.ceil(low / binHz); i <= Math.min(spectrum.length - 1, Math.floor(high / binHz)); i++) power += 10 ** (spectrum[i]! / 10);
        rangeSums[c]![r]! += power > 0 ? 10 * Math.log10(power) : -200;
      });
      analyser.getFloatTimeDomainData(wave);
      let sum = 0;
      for (const s of wave) sum += s * s;
      squares[c]! += sum / wave.length;
    });
    reads++;
    await new Promise((r) => setTimeout(r, 200));
  } while (performance.now() - start < args.durationMs);
  source.disconnect();
  splitter.disconnect();
  const db = (x: number) => (x > 0 ? 10 * Math.log10(x) : -100);
  return {
    channels,
    bandsDb: bandSums.map((bands) => bands.map((s) => s / reads)),
    rangesDb: rangeSums.map((ranges) => ranges.map((s) => s / reads)),
    rmsDbfs: squares.map((s) => db(s / reads)),
    reads,
  };
}

export type Continuity = { windows: number; quietWindows: number; longestQuietMs: number; lowestDbfs: number };

/**
 * Watches the received audio for gaps over `durationMs`: an analyser's last
 * 512 samples (10.7 ms) are read each time the context's clock has moved
 * (polled every 5 ms), and a window whose RMS is under `quietDbfs` counts as
 * quiet. Reports how many windows were quiet and the longest quiet run.
 */
export async function watchContinuity(args: { durationMs: number; selector: string; quietDbfs: number }): Promise<Continuity> {
  const element = document.querySelector(args.selector) as HTMLAudioElement | null;
  const stream = element?.srcObject as MediaStream | null;
  if (!stream) throw new Error('no received stream');
  const w = window as unknown as { __probeContext?: AudioContext };
  const context = (w.__probeContext ??= new AudioContext({ sampleRate: 48000 }));
  await context.resume();
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const wave = new Float32Array(512);
  let windows = 0;
  let quietWindows = 0;
  let run = 0;
  let longest = 0;
  let lowest = 0;
  let lastTime = -1;
  const start = performance.now();
  while (performance.now() - start < args.durationMs) {
    await new Promise((r) => setTimeout(r, 5));
    // One judgement per new render quantum batch (the analyser's window moves with the context's clock).
    if (context.currentTime === lastTime) continue;
    const elapsedMs = lastTime < 0 ? 10 : (context.currentTime - lastTime) * 1000;
    lastTime = context.currentTime;
    analyser.getFloatTimeDomainData(wave);
    let sum = 0;
    for (const s of wave) sum += s * s;
    const dbfs = sum > 0 ? 10 * Math.log10(sum / wave.length) : -100;
    windows++;
    lowest = Math.min(lowest, dbfs);
    if (dbfs < args.quietDbfs) {
      quietWindows++;
      run += elapsedMs;
      longest = Math.max(longest, run);
    } else run = 0;
  }
  source.disconnect();
  return { windows, quietWindows, longestQuietMs: longest, lowestDbfs: lowest };
}
