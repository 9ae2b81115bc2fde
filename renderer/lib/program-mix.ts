/**
 * The program mix: what listeners hear. Each channel (the microphone, a test
 * tone) goes through its strip (gain, mute, solo as one GainNode) into the
 * master bus; the master ends in a look-ahead peak limiter (ceiling −1 dBFS at
 * the listener)
 * and a MediaStreamAudioDestinationNode whose track is published. Channel and
 * master meters (peak and RMS in dBFS) run in an AudioWorklet and post at
 * display rate.
 *
 * The worklet module loads asynchronously: until it has, the master stays
 * disconnected (the track is silent) so nothing unlimited ever goes out.
 */
import { SILENCE_DBFS, type Levels } from './mix/dsp.ts';
import { CHANNEL_IDS, effectiveGains, LIMITER_THRESHOLD_DBFS, TEST_TONE_DBFS, TEST_TONE_HZ, type ChannelId, type ChannelStates } from './mix/mixer-state.ts';
import workletUrl from './mix/program-mix.worklet.ts?worker&url';

/** Where the limiter holds the program's true peak: the ceiling less a margin for Opus's overshoot (see mixer-state.ts). */
export { LIMITER_THRESHOLD_DBFS };
/** Gain changes glide over this time constant, so a fader or mute never clicks. */
const GLIDE_SECONDS = 0.005;

/** A meter fed by the worklet: `read()` gives the latest levels (silence until the first report). */
export class WorkletMeter {
  #levels: Levels = { peakDbfs: SILENCE_DBFS, rmsDbfs: SILENCE_DBFS };

  read(): Levels {
    return this.#levels;
  }

  /** @internal */
  attach(node: AudioWorkletNode): void {
    node.port.onmessage = (event: MessageEvent<Levels>) => {
      this.#levels = event.data;
    };
  }
}

export type ChannelStrip = { id: ChannelId; fader: GainNode; meter: WorkletMeter };

export class ProgramMix {
  readonly context: AudioContext;
  readonly channels: Record<ChannelId, ChannelStrip>;
  readonly masterMeter = new WorkletMeter();
  /** The limiter's gain reduction in dB (0 when it does nothing), at display rate. */
  limiterReductionDb = 0;
  /** Resolves once the worklets run and the master is connected to the published track. */
  readonly ready: Promise<void>;
  readonly #master: GainNode;
  readonly #output: MediaStreamAudioDestinationNode;
  readonly #tone: OscillatorNode;
  #mic: MediaStreamAudioSourceNode | null = null;
  #closed = false;

  constructor() {
    this.context = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
    this.#master = this.context.createGain();
    this.#output = this.context.createMediaStreamDestination();
    this.#output.channelCount = 1;
    const strip = (id: ChannelId): ChannelStrip => {
      const fader = this.context.createGain();
      fader.connect(this.#master);
      return { id, fader, meter: new WorkletMeter() };
    };
    this.channels = { mic: strip('mic'), tone: strip('tone') };
    this.#tone = this.context.createOscillator();
    this.#tone.frequency.value = TEST_TONE_HZ;
    const toneLevel = this.context.createGain();
    // A sine's peak is its amplitude: −20 dBFS peak.
    toneLevel.gain.value = 10 ** (TEST_TONE_DBFS / 20);
    this.#tone.connect(toneLevel).connect(this.channels.tone.fader);
    this.#tone.start();
    // Until settings arrive, the tone channel is off and the mic at unity.
    this.channels.tone.fader.gain.value = 0;
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

  setMicrophone(stream: MediaStream | null): void {
    this.#mic?.disconnect();
    this.#mic = stream ? this.context.createMediaStreamSource(stream) : null;
    this.#mic?.connect(this.channels.mic.fader);
  }

  /** Applies every channel's gain, mute and solo. */
  setChannels(states: ChannelStates): void {
    const gains = effectiveGains(states);
    for (const id of CHANNEL_IDS) this.channels[id].fader.gain.setTargetAtTime(gains[id], this.context.currentTime, GLIDE_SECONDS);
  }

  async resume(): Promise<void> {
    if (this.context.state !== 'running') await this.context.resume();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#mic?.disconnect();
    this.#tone.stop();
    void this.context.close();
  }

  async #connectWorklets(): Promise<void> {
    await this.context.audioWorklet.addModule(workletUrl);
    if (this.#closed) return;
    const meterNode = (meter: WorkletMeter): AudioWorkletNode => {
      const node = new AudioWorkletNode(this.context, 'spacecraft-meter', {
        numberOfInputs: 1,
        numberOfOutputs: 0,
        channelCount: 1,
        channelCountMode: 'explicit',
        channelInterpretation: 'speakers',
      });
      meter.attach(node);
      return node;
    };
    for (const id of CHANNEL_IDS) this.channels[id].fader.connect(meterNode(this.channels[id].meter));
    const limiter = new AudioWorkletNode(this.context, 'spacecraft-limiter', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      channelCount: 1,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions: { ceilingDbfs: LIMITER_THRESHOLD_DBFS, lookaheadMs: 1.5, releaseMs: 80 },
    });
    limiter.port.onmessage = (event: MessageEvent<{ reductionDb: number }>) => {
      this.limiterReductionDb = event.data.reductionDb;
    };
    this.#master.connect(limiter);
    limiter.connect(meterNode(this.masterMeter));
    limiter.connect(this.#output);
  }
}
