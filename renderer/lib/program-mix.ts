/**
 * The program mix: what listeners hear. Sources enter a Web Audio graph, the
 * master bus ends in a MediaStreamAudioDestinationNode whose track is published.
 * This first version has one source, the microphone, with its own meter.
 */
import { LevelMeter } from './level-meter.ts';

export class ProgramMix {
  readonly context: AudioContext;
  readonly micMeter: LevelMeter;
  readonly #micGain: GainNode;
  readonly #output: MediaStreamAudioDestinationNode;
  #mic: MediaStreamAudioSourceNode | null = null;

  constructor() {
    this.context = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
    this.micMeter = new LevelMeter(this.context);
    this.#micGain = this.context.createGain();
    this.#output = this.context.createMediaStreamDestination();
    this.#output.channelCount = 1;
    this.#micGain.connect(this.micMeter.input);
    this.#micGain.connect(this.#output);
  }

  /** The track to publish. */
  get track(): MediaStreamTrack {
    return this.#output.stream.getAudioTracks()[0]!;
  }

  setMicrophone(stream: MediaStream | null): void {
    this.#mic?.disconnect();
    this.#mic = stream ? this.context.createMediaStreamSource(stream) : null;
    this.#mic?.connect(this.#micGain);
  }

  async resume(): Promise<void> {
    if (this.context.state !== 'running') await this.context.resume();
  }

  close(): void {
    this.#mic?.disconnect();
    void this.context.close();
  }
}
