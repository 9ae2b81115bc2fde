/** Mic processing presets: a starting point the host can then adjust (which makes the preset 'custom'). */
import type { MixerSettings } from '../../../electron/contract.ts';

export type MicProcessing = MixerSettings['processing'];
export type PresetId = Exclude<MicProcessing['preset'], 'custom'>;

export const PRESETS: Record<PresetId, { label: string; description: string; processing: MicProcessing }> = {
  raw: {
    label: 'Raw',
    description: 'No gate, no compressor: the microphone as it is.',
    processing: {
      preset: 'raw',
      gate: { enabled: false, thresholdDb: -50 },
      compressor: { enabled: false, thresholdDb: -18, ratio: 3, attackMs: 10, releaseMs: 150, makeupDb: 0 },
    },
  },
  podcast: {
    label: 'Podcast voice',
    description: 'A gentle gate for the quiet between words, 3:1 compression from −20 dB and 4 dB of make-up: an even, present voice.',
    processing: {
      preset: 'podcast',
      gate: { enabled: true, thresholdDb: -50 },
      compressor: { enabled: true, thresholdDb: -20, ratio: 3, attackMs: 5, releaseMs: 120, makeupDb: 4 },
    },
  },
  'loud-room': {
    label: 'Loud room',
    description: 'A firm gate against the room, 4:1 compression from −24 dB with 6 dB of make-up: the voice over the noise.',
    processing: {
      preset: 'loud-room',
      gate: { enabled: true, thresholdDb: -38 },
      compressor: { enabled: true, thresholdDb: -24, ratio: 4, attackMs: 3, releaseMs: 150, makeupDb: 6 },
    },
  },
};
