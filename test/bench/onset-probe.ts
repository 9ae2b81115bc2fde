/**
 * Page-side onset detection for the benchmark. An AudioWorklet looks at every
 * sample and reports each first one over a threshold after `quietMs` below it,
 * by audio frame; a heartbeat every 7th render quantum maps frames to wall-clock
 * time (performance.timeOrigin + performance.now(), comparable across pages of
 * one browser): the smallest (arrival − frame time) seen, i.e. when the graph
 * rendered the frame, the speaker's output latency left out.
 *
 * The pages' CSP (script-src 'self') forbids blob: worklet modules, and
 * Playwright's request routing does not see worklet fetches, so the benchmark's
 * browser contexts use Playwright's `bypassCSP` and load WORKLET_SOURCE from a
 * Blob URL. The app's CSP is untouched; it does not bear on the audio path.
 *
 * A page may hold several named probes, each with its own AudioContext. The
 * functions below run in the browser (page.evaluate), so each is self-contained.
 */
export const WORKLET_SOURCE = `
class BenchOnset extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions;
    this.threshold = o.threshold;
    this.quietFrames = Math.round((o.quietMs * sampleRate) / 1000);
    this.quiet = this.quietFrames;
    this.peak = 0;
    this.quanta = 0;
  }
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) {
      for (let i = 0; i < channel.length; i++) {
        const level = Math.abs(channel[i]);
        if (level > this.peak) this.peak = level;
        if (level >= this.threshold) {
          if (this.quiet >= this.quietFrames) this.port.postMessage({ onset: currentFrame + i });
          this.quiet = 0;
        } else this.quiet++;
      }
    }
    // Every 7th quantum: cheap, and 7 shares no factor with the quanta per device callback.
    if (this.quanta++ % 7 === 0) this.port.postMessage({ beat: currentFrame, peak: this.peak });
    return true;
  }
}
registerProcessor('bench-onset', BenchOnset);
`;

export type ProbeOptions = { threshold: number; quietMs: number };
/** The app's microphone stream, the track it publishes, its <audio> element's stream, or the next srcObject set. */
export type ProbeSource = 'microphone' | 'published' | 'audio-element' | 'next-src-object';

export type ProbeReport = {
  /** Onsets, wall-clock ms. */
  onsets: number[];
  /** Highest sample magnitude seen (1 = full scale). */
  peak: number;
  /** Heartbeat map minus getOutputTimestamp's map, ms: about minus the context's output latency. */
  mapDifferenceMs: number;
};

type Probe = { context: AudioContext; input: AudioNode; onsetFrames: number[]; offsetMs: number; peak: number };

declare global {
  interface Window {
    __benchProbes?: Record<string, Probe>;
  }
}

export async function createProbe(args: ProbeOptions & { name: string; workletSource: string }): Promise<void> {
  const context = new AudioContext({ sampleRate: 48_000, latencyHint: 'interactive' });
  const url = URL.createObjectURL(new Blob([args.workletSource], { type: 'text/javascript' }));
  await context.audioWorklet.addModule(url);
  URL.revokeObjectURL(url);
  const node = new AudioWorkletNode(context, 'bench-onset', { processorOptions: { threshold: args.threshold, quietMs: args.quietMs } });
  const mute = context.createGain();
  mute.gain.value = 0;
  node.connect(mute).connect(context.destination);
  await context.resume();
  const probe: Probe = { context, input: node, onsetFrames: [], offsetMs: Infinity, peak: 0 };
  node.port.onmessage = (event: MessageEvent<{ onset?: number; beat?: number; peak?: number }>) => {
    const now = performance.timeOrigin + performance.now();
    const { onset, beat, peak } = event.data;
    if (beat !== undefined) probe.offsetMs = Math.min(probe.offsetMs, now - (beat / context.sampleRate) * 1000);
    if (peak !== undefined) probe.peak = peak;
    if (onset !== undefined) probe.onsetFrames.push(onset);
  };
  (window.__benchProbes ??= {})[args.name] = probe;
}

export function attachProbe(args: { name: string; source: ProbeSource }): void {
  const probe = window.__benchProbes?.[args.name];
  if (!probe) throw new Error(`no probe ${args.name} in this page`);
  const attach = (stream: MediaStream) => probe.context.createMediaStreamSource(stream).connect(probe.input);
  if (args.source === 'next-src-object') {
    window.__benchOnStream = (stream) => {
      window.__benchOnStream = undefined;
      attach(stream);
    };
    return;
  }
  let stream: MediaStream | null | undefined;
  if (args.source === 'microphone') stream = window.__benchMicStreams?.findLast((s) => s.getAudioTracks().some((t) => t.readyState === 'live'));
  else if (args.source === 'audio-element') stream = document.querySelector('audio')?.srcObject as MediaStream | null | undefined;
  else {
    const track = window.__benchPeers?.flatMap((p) => p.getSenders()).find((s) => s.track?.kind === 'audio')?.track;
    stream = track ? new MediaStream([track]) : null;
  }
  if (!stream) throw new Error(`no ${args.source} stream in this page`);
  attach(stream);
}

export function readProbe(name: string): ProbeReport {
  const probe = window.__benchProbes?.[name];
  if (!probe) throw new Error(`no probe ${name} in this page`);
  const rate = probe.context.sampleRate;
  const stamp = probe.context.getOutputTimestamp();
  return {
    onsets: probe.onsetFrames.map((frame) => (frame / rate) * 1000 + probe.offsetMs),
    peak: probe.peak,
    mapDifferenceMs: probe.offsetMs - (performance.timeOrigin + (stamp.performanceTime ?? NaN) - (stamp.contextTime ?? NaN) * 1000),
  };
}
