/**
 * Watches a page's received audio for a tone: runs in the browser (passed to
 * page.evaluate), so it is self-contained. Every <audio> element's stream is
 * summed into one analyser; when an element gets a new stream (a reconnect),
 * the watch follows it.
 */
export type ToneWatch = { heard: boolean; at: number; levelDb: number };

/**
 * Resolves with the wall-clock time (Date.now()) at which the `hz` band first
 * stays above `thresholdDb` for `holdReads` reads in a row (one read every
 * 50 ms, 4096-sample window), or `heard: false` after `timeoutMs`. With
 * `until: 'silent'` it waits for the band to stay below the threshold instead.
 */
export async function watchTone(args: { hz: number; thresholdDb: number; timeoutMs: number; holdReads?: number; until?: 'heard' | 'silent' }): Promise<ToneWatch> {
  const w = window as unknown as { __toneWatch?: AudioContext };
  const context = (w.__toneWatch ??= new AudioContext({ sampleRate: 48000 }));
  await context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 4096;
  analyser.smoothingTimeConstant = 0;
  const spectrum = new Float32Array(analyser.frequencyBinCount);
  const centre = Math.round(args.hz / (context.sampleRate / analyser.fftSize));
  const wanted = args.until ?? 'heard';
  const hold = args.holdReads ?? 3;
  const sources = new Map<MediaStream, MediaStreamAudioSourceNode>();
  const start = Date.now();
  let run = 0;
  let level = -200;
  try {
    while (Date.now() - start < args.timeoutMs) {
      const streams = new Set([...document.querySelectorAll('audio')].map((a) => a.srcObject).filter((s): s is MediaStream => s instanceof MediaStream && s.getAudioTracks().some((t) => t.readyState === 'live')));
      for (const [stream, source] of sources) {
        if (!streams.has(stream)) {
          source.disconnect();
          sources.delete(stream);
        }
      }
      for (const stream of streams) {
        if (sources.has(stream)) continue;
        const source = context.createMediaStreamSource(stream);
        source.connect(analyser);
        sources.set(stream, source);
      }
      analyser.getFloatFrequencyData(spectrum);
      level = -200;
      for (let i = centre - 2; i <= centre + 2; i++) level = Math.max(level, spectrum[i] ?? -200);
      if (sources.size === 0) level = -200;
      const match = wanted === 'heard' ? level > args.thresholdDb : level < args.thresholdDb;
      run = match ? run + 1 : 0;
      if (run >= hold) return { heard: true, at: Date.now() - (hold - 1) * 50, levelDb: level };
      await new Promise((r) => setTimeout(r, 50));
    }
    return { heard: false, at: Date.now(), levelDb: level };
  } finally {
    for (const source of sources.values()) source.disconnect();
  }
}
