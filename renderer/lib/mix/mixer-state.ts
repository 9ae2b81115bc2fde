/** The mixer's channels and how gain, mute and solo combine into the gain each channel gets. */
import { fromDb } from './dsp.ts';

export const CHANNEL_IDS = ['mic', 'tone'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];
export type ChannelState = { gainDb: number; muted: boolean; solo: boolean };
export type ChannelStates = Record<ChannelId, ChannelState>;

/** What no listener ever receives above (the master limiter's promise). */
export const LIMITER_CEILING_DBFS = -1;
/** The test tone channel: 1 kHz at −20 dBFS, a second source to check solo and levels against. */
export const TEST_TONE_HZ = 1000;
export const TEST_TONE_DBFS = -20;

/** Fader range, in dB. */
export const FADER_MIN_DB = -60;
export const FADER_MAX_DB = 12;

/**
 * The linear gain of each channel: muted channels are silent; while any channel
 * is soloed, only soloed (and unmuted) channels are heard.
 */
export function effectiveGains(channels: ChannelStates): Record<ChannelId, number> {
  const soloing = CHANNEL_IDS.some((id) => channels[id].solo);
  const gains = {} as Record<ChannelId, number>;
  for (const id of CHANNEL_IDS) {
    const { gainDb, muted, solo } = channels[id];
    gains[id] = muted || (soloing && !solo) || gainDb <= FADER_MIN_DB ? 0 : fromDb(gainDb);
  }
  return gains;
}
