/**
 * The program mix: what listeners hear. Each channel (the microphone, the
 * track player, the sound pads, a test tone) goes through its strip (gain,
 * mute, solo as one GainNode) into the master bus; the track and the pads go
 * through the music bus first. The master passes the voice-mode speech band
 * (or, in music mode, the full band), then a look-ahead true-peak limiter
 * (ceiling −1 dBFS at the listener), then a MediaStreamAudioDestinationNode
 * whose track is published: mono in voice mode, stereo in music mode. Channel
 * and master meters (peak and RMS in dBFS) run in an AudioWorklet and post at
 * display rate, one message for all of them and the processors' readouts.
 *
 * The worklet module loads asynchronously: until it has, the master stays
 * disconnected (the track is silent) so nothing unlimited ever goes out.
 */
import { fromDb, SILENCE_DBFS, type CompressorSettings, type DuckerSettings, type GateSettings, type Levels } from './mix/dsp.ts';
import {
  CHANNEL_IDS,
  effectiveGains,
  FADER_MIN_DB,
  LIMITER_THRESHOLD_DBFS,
  MODE_PROFILES,
  PUBLISH_MAX_AVERAGE_BITRATE,
  TEST_TONE_DBFS,
  TEST_TONE_HZ,
  type ChannelId,
  type ChannelStates,
  type MixMode,
} from './mix/mixer-state.ts';
import { decodeMeterReport, type Readouts } from './mix/meter-report.ts';
import { setPublishProfile, type PublishedProducer } from './mix/publish-profile.ts';
import { PadBank } from './mix/pad-bank.ts';
import { TrackPlayer } from './mix/track-player.ts';
import workletUrl from './mix/program-mix.worklet.ts?worker&url';

/** Where the limiter holds the program's true peak: the ceiling less a margin for Opus's overshoot (see mixer-state.ts). */
export { LIMITER_THRESHOLD_DBFS };
export type MonitorSource = 'off' | 'program' | 'mic';
/** Sound pads, on keys 1–9. */
const PAD_SLOTS = 9;
/** Gain changes glide over this time constant, so a fader or mute never clicks. */
const GLIDE_SECONDS = 0.005;
/** A mode switch cross-fades the speech band in or out over this time constant. */
const BAND_GLIDE_SECONDS = 0.01;
/** Quality factors of four 2nd-order sections making an 8th-order Butterworth low-pass (Web Audio's lowpass Q is in dB). */
const BUTTERWORTH_8_Q = [0.5098, 0.6013, 0.8999, 2.5629].map((q) => 20 * Math.log10(q));

/** A meter fed by the worklet: `read()` gives the latest levels (silence until the first report). */
export class WorkletMeter {
  #levels: Levels = { peakDbfs: SILENCE_DBFS, rmsDbfs: SILENCE_DBFS };

  read(): Levels {
    return this.#levels;
  }

  /** @internal The meters node's report for this meter. */
  set(levels: Levels): void {
    this.#levels = levels;
  }
}

/** Hands each meter its levels, and `onReadouts` the processors' readouts, from the meters node's one report per period. */
function attachMeters(node: AudioWorkletNode, meters: readonly WorkletMeter[], onReadouts: (readouts: Readouts) => void): void {
  node.port.onmessage = (event: MessageEvent<Float64Array>) => {
    const report = decodeMeterReport(event.data, meters.length);
    if (!report) return;
    meters.forEach((meter, i) => meter.set(report.levels[i]!));
    onReadouts(report.readouts);
  };
}

export type ChannelStrip = { id: ChannelId; fader: GainNode; meter: WorkletMeter };

export class ProgramMix {
  readonly context: AudioContext;
  readonly channels: Record<ChannelId, ChannelStrip>;
  readonly masterMeter = new WorkletMeter();
  /** The program's left and right channels after the limiter (the same in voice mode, where the program is mono). */
  readonly sideMeters = { left: new WorkletMeter(), right: new WorkletMeter() };
  readonly trackPlayer: TrackPlayer;
  readonly pads: PadBank;
  /** The limiter's gain reduction in dB (0 when it does nothing), at display rate. */
  limiterReductionDb = 0;
  /** What the published program's encoder sends, in kbit/s (null while nothing is published). */
  publishedKbps: number | null = null;
  /** The published program's negotiated codec (null while nothing is published). */
  publishedCodec: { mimeType: string; clockRate: number; channels: number; parameters: Record<string, unknown> } | null = null;
  /** The mic's processing at display rate: whether the gate is open, the compressor's gain reduction in dB. */
  micDynamics = { gateOpen: true, reductionDb: 0 };
  /** How far the music is ducked under the voice now, in dB (0 when it is not). */
  duckDb = 0;
  /** Resolves once the worklets run and the master is connected to the published track. */
  readonly ready: Promise<void>;
  readonly #master: GainNode;
  readonly #musicBus: GainNode;
  /** Where the microphone enters: through the mic processor once the worklets run. */
  readonly #micIn: GainNode;
  /** The mic after its processing, before its fader: what "monitor the mic" plays. */
  readonly #micPost: GainNode;
  /** The program after the limiter: what "monitor the program" plays. */
  readonly #programTap: GainNode;
  readonly #monitorGain: GainNode;
  readonly #monitorOut: MediaStreamAudioDestinationNode;
  #monitorSource: MonitorSource = 'off';
  #micNode: AudioWorkletNode | null = null;
  #duckerNode: AudioWorkletNode | null = null;
  #micSettings: { gate: GateSettings; compressor: CompressorSettings } | null = null;
  #duckerSettings: DuckerSettings | null = null;
  readonly #bandOn: GainNode;
  readonly #bandOff: GainNode;
  readonly #output: MediaStreamAudioDestinationNode;
  /** The limited program as it is (music) or folded to mono on both sides (voice), cross-faded into #programOut. */
  readonly #foldStereo: GainNode;
  readonly #foldMono: GainNode;
  /** What is published and monitored: always two channels, so a mode switch never changes the track's format. */
  readonly #programOut: GainNode;
  readonly #tone: OscillatorNode;
  readonly #producers = new Set<PublishedProducer>();
  #mode: MixMode = 'voice';
  #mic: MediaStreamAudioSourceNode | null = null;
  #statsTimer: ReturnType<typeof setInterval> | null = null;
  #closed = false;

  constructor() {
    this.context = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
    this.#master = this.context.createGain();
    this.#musicBus = this.context.createGain();
    this.#musicBus.connect(this.#master);
    this.#output = this.context.createMediaStreamDestination();
    this.#output.channelCount = 2;
    this.#output.channelCountMode = 'explicit';
    this.#output.channelInterpretation = 'speakers';
    // Voice mode's mono is a fold in the graph (L = R = the down-mix), not a change of the track's channel count:
    // the encoder keeps getting the same format across a switch (a format change made a 69 ms gap under load).
    const fixed = (channels: 1 | 2) => new GainNode(this.context, { channelCount: channels, channelCountMode: 'explicit', channelInterpretation: 'speakers' });
    this.#foldStereo = fixed(2);
    this.#foldMono = fixed(1);
    this.#programOut = fixed(2);
    this.#foldStereo.connect(this.#programOut);
    this.#foldMono.connect(this.#programOut);
    this.#programOut.connect(this.#output);
    const strip = (id: ChannelId, bus: GainNode): ChannelStrip => {
      const fader = this.context.createGain();
      fader.connect(bus);
      return { id, fader, meter: new WorkletMeter() };
    };
    this.channels = {
      mic: strip('mic', this.#master),
      track: strip('track', this.#musicBus),
      pads: strip('pads', this.#musicBus),
      tone: strip('tone', this.#master),
    };
    this.#micIn = this.context.createGain();
    this.#micPost = this.context.createGain();
    this.#micIn.connect(this.#micPost).connect(this.channels.mic.fader);
    // Monitoring: its own gain into its own stream, played by the page on the chosen output. Nothing of it
    // ever reaches the master: the taps only feed the monitor.
    this.#programTap = this.context.createGain();
    this.#monitorGain = this.context.createGain();
    this.#monitorOut = this.context.createMediaStreamDestination();
    this.#monitorGain.connect(this.#monitorOut);
    this.trackPlayer = new TrackPlayer(this.context);
    this.trackPlayer.output.connect(this.channels.track.fader);
    this.pads = new PadBank(this.context, this.channels.pads.fader, PAD_SLOTS);
    this.#tone = this.context.createOscillator();
    this.#tone.frequency.value = TEST_TONE_HZ;
    const toneLevel = this.context.createGain();
    // A sine's peak is its amplitude: −20 dBFS peak.
    toneLevel.gain.value = 10 ** (TEST_TONE_DBFS / 20);
    this.#tone.connect(toneLevel).connect(this.channels.tone.fader);
    this.#tone.start();
    // Until settings arrive, every channel but the mic is off and the mic at unity.
    for (const id of CHANNEL_IDS) if (id !== 'mic') this.channels[id].fader.gain.value = 0;
    // The speech band: the master through a steep low-pass (voice mode) or straight (music mode), cross-faded.
    this.#bandOn = this.context.createGain();
    this.#bandOff = this.context.createGain();
    let band: AudioNode = this.#master;
    for (const q of BUTTERWORTH_8_Q) {
      const section = this.context.createBiquadFilter();
      section.type = 'lowpass';
      section.frequency.value = MODE_PROFILES.voice.speechBandHz!;
      section.Q.value = q;
      band = band.connect(section);
    }
    band.connect(this.#bandOn);
    this.#master.connect(this.#bandOff);
    this.#applyMode(true);
    setPublishProfile(this.track, {
      stereo: true,
      maxAverageBitrate: PUBLISH_MAX_AVERAGE_BITRATE,
      maxBitrate: () => MODE_PROFILES[this.#mode].maxBitrate,
      onProducer: (producer) => this.#adopt(producer),
    });
    this.ready = this.#connectWorklets();
  }

  /** Backwards-compatible name for the microphone's meter. */
  get micMeter(): WorkletMeter {
    return this.channels.mic.meter;
  }

  /** The track to publish. */
  get track(): MediaStreamTrack {
    return this.#output.stream.getAudioTracks()[0]!;
  }

  get mode(): MixMode {
    return this.#mode;
  }

  setMicrophone(stream: MediaStream | null): void {
    this.#mic?.disconnect();
    this.#mic = stream ? this.context.createMediaStreamSource(stream) : null;
    this.#mic?.connect(this.#micIn);
  }

  /** The mic's gate and compressor. */
  setMicProcessing(settings: { gate: GateSettings; compressor: CompressorSettings }): void {
    this.#micSettings = settings;
    this.#micNode?.port.postMessage(settings);
  }

  /** Ducking of the music (track and pads) under the mic. */
  setDucking(settings: DuckerSettings): void {
    this.#duckerSettings = settings;
    this.#duckerNode?.port.postMessage(settings);
  }

  /** Applies every channel's gain, mute and solo. */
  setChannels(states: ChannelStates): void {
    const gains = effectiveGains(states);
    for (const id of CHANNEL_IDS) this.channels[id].fader.gain.setTargetAtTime(gains[id], this.context.currentTime, GLIDE_SECONDS);
  }

  /**
   * Voice or music: the program's channel count, its band, and the encoder's
   * bitrate of every published producer (changed in place: listeners keep hearing).
   */
  setMode(mode: MixMode): void {
    if (mode === this.#mode) return;
    this.#mode = mode;
    this.#applyMode(false);
    const maxBitrate = MODE_PROFILES[mode].maxBitrate;
    for (const producer of this.#producers) {
      if (!producer.closed) void producer.setRtpEncodingParameters({ maxBitrate }).catch(() => undefined);
    }
  }

  /** What the host hears (its stream is `monitorStream`): nothing, the program, or the mic alone, at `gainDb`. */
  setMonitor(settings: { source: MonitorSource; gainDb: number }): void {
    if (settings.source !== this.#monitorSource) {
      this.#tap(this.#monitorSource)?.disconnect(this.#monitorGain);
      this.#tap(settings.source)?.connect(this.#monitorGain);
      this.#monitorSource = settings.source;
    }
    const gain = settings.source === 'off' || settings.gainDb <= FADER_MIN_DB ? 0 : fromDb(settings.gainDb);
    this.#monitorGain.gain.setTargetAtTime(gain, this.context.currentTime, GLIDE_SECONDS);
  }

  /** The monitor's audio, for an audio element on the chosen output device. */
  get monitorStream(): MediaStream {
    return this.#monitorOut.stream;
  }

  #tap(source: MonitorSource): AudioNode | null {
    return source === 'program' ? this.#programTap : source === 'mic' ? this.#micPost : null;
  }

  async resume(): Promise<void> {
    if (this.context.state !== 'running') await this.context.resume();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    this.#mic?.disconnect();
    this.trackPlayer.close();
    this.pads.stopAll();
    this.#tone.stop();
    void this.context.close();
  }

  #applyMode(immediately: boolean): void {
    const profile = MODE_PROFILES[this.#mode];
    const band = profile.speechBandHz === null ? 0 : 1;
    const mono = profile.channels === 1 ? 1 : 0;
    const now = this.context.currentTime;
    const set = (param: AudioParam, value: number) => (immediately ? (param.value = value) : param.setTargetAtTime(value, now, BAND_GLIDE_SECONDS));
    set(this.#bandOn.gain, band);
    set(this.#bandOff.gain, 1 - band);
    set(this.#foldMono.gain, mono);
    set(this.#foldStereo.gain, 1 - mono);
  }

  /** A producer of the program: gets the mode's bitrate, and its send rate is read once a second. */
  #adopt(producer: PublishedProducer): void {
    this.#producers.add(producer);
    const codec = producer.rtpParameters.codecs[0];
    this.publishedCodec = codec ? { mimeType: codec.mimeType, clockRate: codec.clockRate, channels: codec.channels ?? 1, parameters: { ...codec.parameters } } : null;
    producer.observer.once('close', () => {
      this.#producers.delete(producer);
      if (this.#producers.size === 0) {
        this.publishedKbps = null;
        this.publishedCodec = null;
      }
    });
    // The mode may have changed between negotiation and now.
    void producer.setRtpEncodingParameters({ maxBitrate: MODE_PROFILES[this.#mode].maxBitrate }).catch(() => undefined);
    this.#statsTimer ??= setInterval(() => void this.#readBitrate(), 1000);
  }

  #lastBytes: { bytes: number; at: number } | null = null;

  async #readBitrate(): Promise<void> {
    const producer = [...this.#producers].find((p) => !p.closed);
    if (!producer) {
      this.#lastBytes = null;
      return;
    }
    const report = await producer.getStats().catch(() => null);
    let bytes = 0;
    report?.forEach((stat: { type: string; bytesSent?: number; headerBytesSent?: number }) => {
      if (stat.type === 'outbound-rtp') bytes += stat.bytesSent ?? 0;
    });
    const at = performance.now();
    const last = this.#lastBytes;
    this.#lastBytes = { bytes, at };
    if (last && bytes >= last.bytes && at > last.at) this.publishedKbps = ((bytes - last.bytes) * 8) / (at - last.at);
  }

  async #connectWorklets(): Promise<void> {
    await this.context.audioWorklet.addModule(workletUrl);
    if (this.#closed) return;
    // Every meter in one node (input i is meter i), reporting all of them in one message.
    const meterList = [...CHANNEL_IDS.map((id) => this.channels[id].meter), this.masterMeter, this.sideMeters.left, this.sideMeters.right];
    const meters = new AudioWorkletNode(this.context, 'spacecraft-meters', {
      numberOfInputs: meterList.length,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
    });
    attachMeters(meters, meterList, (readouts) => {
      this.limiterReductionDb = readouts.limiterReductionDb;
      this.micDynamics = { gateOpen: readouts.gateOpen, reductionDb: readouts.compressorReductionDb };
      this.duckDb = readouts.duckDb;
    });
    const meterInput = (meter: WorkletMeter) => meterList.indexOf(meter);
    for (const id of CHANNEL_IDS) this.channels[id].fader.connect(meters, 0, meterInput(this.channels[id].meter));
    // The mic through its gate and compressor, before its fader: stereo (a music-mode mic of two channels stays
    // two; a mono mic is up-mixed to the same on both sides).
    const mic = new AudioWorkletNode(this.context, 'spacecraft-mic', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      channelCount: 2,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
    });
    if (this.#micSettings) mic.port.postMessage(this.#micSettings);
    this.#micIn.disconnect();
    this.#micIn.connect(mic).connect(this.#micPost);
    this.#micNode = mic;
    // The music bus ducked under the mic as the program hears it (after its fader: a muted mic ducks nothing).
    const ducker = new AudioWorkletNode(this.context, 'spacecraft-ducker', {
      numberOfInputs: 2,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      channelCount: 2,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
    });
    if (this.#duckerSettings) ducker.port.postMessage(this.#duckerSettings);
    this.#musicBus.disconnect();
    this.#musicBus.connect(ducker, 0, 0);
    // The side-chain is the mic's down-mix (both sides of a stereo mic count; a mono one is as it was).
    const sideChain = new GainNode(this.context, { channelCount: 1, channelCountMode: 'explicit', channelInterpretation: 'speakers' });
    this.channels.mic.fader.connect(sideChain).connect(ducker, 0, 1);
    ducker.connect(this.#master);
    this.#duckerNode = ducker;
    const limiter = new AudioWorkletNode(this.context, 'spacecraft-limiter', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      channelCount: 2,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions: { ceilingDbfs: LIMITER_THRESHOLD_DBFS, lookaheadMs: 1.5, releaseMs: 80 },
    });
    this.#bandOn.connect(limiter);
    this.#bandOff.connect(limiter);
    limiter.connect(meters, 0, meterInput(this.masterMeter));
    limiter.connect(this.#foldStereo);
    limiter.connect(this.#foldMono);
    const sides = this.context.createChannelSplitter(2);
    this.#programOut.connect(sides);
    sides.connect(meters, 0, meterInput(this.sideMeters.left));
    sides.connect(meters, 1, meterInput(this.sideMeters.right));
    this.#programOut.connect(this.#programTap);
  }
}
