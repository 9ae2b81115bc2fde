/** The mixer's channels and how gain, mute and solo combine into the gain each channel gets. */
import { fromDb } from './dsp.ts';

export const CHANNEL_IDS = ['mic', 'track', 'pads', 'tone'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];
export type ChannelState = { gainDb: number; muted: boolean; solo: boolean };
export type ChannelStates = Record<ChannelId, ChannelState>;

/** What no listener ever receives above (the master limiter's promise). */
export const LIMITER_CEILING_DBFS = -1;
/**
 * How far under the ceiling the limiter holds the program's true peak: Opus
 * (64 kbps) rebuilds the limited waveform with overshoot. On a steady sine it
 * is small (held at −1.5, a listener got −1.43 dBFS), but a discontinuity (the
 * fake microphone's loop point: about 10 ms dropped) makes a broadband frame
 * whose decoded peaks, spread over about ±20 ms (one Opus frame), reached
 * −0.25 dBFS: +1.25 dB over the limiter's output, while the studio's program
 * meter stayed at −1.5 (the same happens offline, libopus at 64 kbps: +0.5 dB
 * at a 10 ms splice). Held at −3, the worst of a dozen loop points arrived at
 * −1.42 (+1.58 dB). The margin keeps that worst case about 0.9 dB under the ceiling.
 */
export const CODEC_MARGIN_DB = 2.5;
/** Where the limiter holds the program's true peak. */
export const LIMITER_THRESHOLD_DBFS = LIMITER_CEILING_DBFS - CODEC_MARGIN_DB;
/** The test tone channel: 1 kHz at −20 dBFS, a second source to check solo and levels against. */
export const TEST_TONE_HZ = 1000;
export const TEST_TONE_DBFS = -20;

/**
 * How the program is published in each mode. The producer is negotiated once,
 * stereo-capable (Opus `stereo=1`) with its bitrate cap at music's, so a mode
 * switch while live changes only the encoder's target bitrate
 * (RTCRtpSender.setParameters) and folds the program to mono or back (in the
 * graph: the track stays two channels): no new producer, no renegotiation,
 * listeners keep their consumer.
 *
 * - voice: mono (the program down-mixed), 64 kbps, speech band (a low-pass at
 *   `speechBandHz`, like Opus's super-wideband: the bits go to the voice, not
 *   to hiss above it);
 * - music: stereo, 256 kbps, full band (20 kHz).
 */
export type MixMode = 'voice' | 'music';
export const MODE_PROFILES: Record<MixMode, { channels: 1 | 2; maxBitrate: number; speechBandHz: number | null }> = {
  voice: { channels: 1, maxBitrate: 64_000, speechBandHz: 11_000 },
  music: { channels: 2, maxBitrate: 256_000, speechBandHz: null },
};
/** The Opus `maxaveragebitrate` the producer is negotiated with: music's, the highest target. */
export const PUBLISH_MAX_AVERAGE_BITRATE = MODE_PROFILES.music.maxBitrate;

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
