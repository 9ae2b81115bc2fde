/**
 * A stand-in for ProgramMix in component tests (happy-dom has no Web Audio):
 * the same surface, silent meters, a track player with nothing loaded and
 * empty pads. Records what the components set, for tests to read.
 */
import type { Levels } from './dsp.ts';
import { CHANNEL_IDS, type ChannelId, type ChannelStates, type MixMode } from './mixer-state.ts';

const silent = { read: (): Levels => ({ peakDbfs: -100, rmsDbfs: -100 }) };

export class FakeProgramMix {
  closed = false;
  readonly channels = Object.fromEntries(CHANNEL_IDS.map((id) => [id, { id, meter: silent }])) as Record<ChannelId, { id: ChannelId; meter: typeof silent }>;
  readonly masterMeter = silent;
  readonly sideMeters = { left: silent, right: silent };
  limiterReductionDb = 0;
  publishedKbps: number | null = null;
  publishedCodec = null;
  micDynamics = { gateOpen: true, reductionDb: 0 };
  duckDb = 0;
  track = {} as MediaStreamTrack;
  monitorStream = {} as MediaStream;
  mode: MixMode = 'voice';
  lastChannels: ChannelStates | null = null;
  readonly trackPlayer = {
    track: null,
    playing: false,
    loop: false,
    position: 0,
    onChange: () => () => undefined,
    setLoop: () => undefined,
    play: () => undefined,
    pause: () => undefined,
    seek: () => undefined,
    load: async () => {
      throw new Error('no audio in tests');
    },
  };
  readonly pads = {
    count: 9,
    onChange: () => () => undefined,
    clipOf: () => null,
    isPlaying: () => false,
    durationOf: () => null,
    setGainDb: () => undefined,
    trigger: (_index: number): boolean => false,
    clear: () => undefined,
    load: async () => undefined,
    stopAll: () => undefined,
  };
  setMicrophone(): void {}
  setChannels(states: ChannelStates): void {
    this.lastChannels = states;
  }
  setMode(mode: MixMode): void {
    this.mode = mode;
  }
  setMicProcessing(): void {}
  setDucking(): void {}
  setMonitor(): void {}
  async resume(): Promise<void> {}
  close(): void {
    this.closed = true;
  }
}
