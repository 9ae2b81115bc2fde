/**
 * Page-side onset detection for the benchmark. An AudioWorklet looks at every
 * sample and reports the first one over a threshold after `quietMs` below it;
 * the page turns that audio frame into wall-clock time (performance.timeOrigin
 * + performance time, comparable across pages of one browser).
 *
 * The pages' CSP (script-src 'self') forbids blob: worklet modules, and
 * Playwright's request routing does not see worklet fetches, so the benchmark's
 * browser contexts use Playwright's `bypassCSP` and load WORKLET_SOURCE from a
 * Blob URL. The app's CSP is untouched; it does not bear on the audio path.
 *
 * The functions below run in the browser (page.evaluate / addInitScript), so
 * each is self-contained.
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
    // A heartbeat every quantum maps audio frames to wall time on the main thread.
    this.port.postMessage({ beat: currentFrame, peak: this.peak });
    return true;
  }
}
registerProcessor('bench-onset', BenchOnset);
`;

export type ProbeOptions = { threshold: number; quietMs: number };
export type ProbeSource = 'microphone' | 'audio-element' | 'next-src-object';

/** What a page reports: onsets in wall-clock ms, and the last click's wall-clock time. */
export type ProbeReport = { onsets: number[]; clickAt: number | null; peak: number; outputTimestampOffsetMs: number; heartbeatOffsetMs: number; latencyMs: number };

type Probe = {
  context: AudioContext;
  input: AudioNode;
  onsetFrames: number[];
  /** Smallest (wall-clock ms at message arrival − frame time in ms) seen so far. */
  offsetMs: number;
  onsets: number[];
  peak: number;
};

declare global {
  interface Window {
    __benchProbe?: Probe;
    __benchMicStreams?: MediaStream[];
    __benchClickAt?: number;
    __benchAttach?: (stream: MediaStream) => void;
  }
}

/**
 * Init script for every benchmark page: keeps the microphone streams the app
 * opens, hands any stream set as a media element's srcObject to the probe (if
 * one is armed), and notes the wall-clock time of every click.
 */
export function installPageHooks(): void {
  const devices = navigator.mediaDevices;
  if (devices) {
    const getUserMedia = devices.getUserMedia.bind(devices);
    window.__benchMicStreams = [];
    devices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      window.__benchMicStreams!.push(stream);
      return stream;
    };
  }
  const descriptor = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject')!;
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    ...descriptor,
    set(this: HTMLMediaElement, value: MediaProvider | null) {
      descriptor.set!.call(this, value);
      if (value instanceof MediaStream) window.__benchAttach?.(value);
    },
  });
  document.addEventListener('click', (event) => (window.__benchClickAt = performance.timeOrigin + event.timeStamp), true);
}

/** Creates the page's probe: its own AudioContext with the onset worklet, not yet listening to anything. */
export async function createProbe(args: ProbeOptions & { workletSource: string }): Promise<void> {
  const context = new AudioContext({ sampleRate: 48_000, latencyHint: 'interactive' });
  const url = URL.createObjectURL(new Blob([args.workletSource], { type: 'text/javascript' }));
  await context.audioWorklet.addModule(url);
  URL.revokeObjectURL(url);
  const node = new AudioWorkletNode(context, 'bench-onset', { processorOptions: { threshold: args.threshold, quietMs: args.quietMs } });
  const sink = context.createGain();
  sink.gain.value = 0;
  node.connect(sink).connect(context.destination);
  await context.resume();
  const probe: Probe = { context, input: node, onsetFrames: [], offsetMs: Infinity, onsets: [], peak: 0 };
  node.port.onmessage = (event: MessageEvent<{ onset?: number; beat?: number; peak?: number }>) => {
    const now = performance.timeOrigin + performance.now();
    const { onset, beat, peak } = event.data;
    if (beat !== undefined) probe.offsetMs = Math.min(probe.offsetMs, now - (beat / context.sampleRate) * 1000);
    if (peak !== undefined) probe.peak = peak;
    if (onset !== undefined) probe.onsetFrames.push(onset);
  };
  window.__benchProbe = probe;
}

/** Connects a stream to the probe: the page's latest live microphone stream, its <audio> element's stream, or the next srcObject set. */
export function attachProbe(source: ProbeSource): void {
  const probe = window.__benchProbe;
  if (!probe) throw new Error('no probe in this page');
  const attach = (stream: MediaStream) => probe.context.createMediaStreamSource(stream).connect(probe.input);
  if (source === 'next-src-object') {
    window.__benchAttach = (stream) => {
      window.__benchAttach = undefined;
      attach(stream);
    };
    return;
  }
  const stream =
    source === 'microphone'
      ? window.__benchMicStreams?.findLast((s) => s.getAudioTracks().some((t) => t.readyState === 'live'))
      : (document.querySelector('audio')?.srcObject as MediaStream | null | undefined);
  if (!stream) throw new Error(`no ${source} stream in this page`);
  attach(stream);
}

/** Onsets so far in wall-clock ms (frame time + the smallest heartbeat offset), and the last click. */
export function readProbe(): ProbeReport {
  const probe = window.__benchProbe;
  if (!probe) throw new Error('no probe in this page');
  const rate = probe.context.sampleRate;
  const stamp = probe.context.getOutputTimestamp();
  return {
    outputTimestampOffsetMs: performance.timeOrigin + (stamp.performanceTime ?? NaN) - (stamp.contextTime ?? NaN) * 1000,
    heartbeatOffsetMs: probe.offsetMs,
    latencyMs: (probe.context.baseLatency + probe.context.outputLatency) * 1000,
    onsets: probe.onsetFrames.map((frame) => (frame / rate) * 1000 + probe.offsetMs),
    clickAt: window.__benchClickAt ?? null,
    peak: probe.peak,
  };
}
