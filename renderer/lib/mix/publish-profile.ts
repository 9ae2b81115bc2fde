/**
 * How a track wants to be published, kept beside the track itself: the program
 * mix registers its track's profile, and whoever publishes that track (the
 * media session, for the host or a speaker) reads it, so the stage code never
 * has to know about mixer modes. A track without a profile is published as
 * before (mono Opus, 64 kbps).
 */

/** What the publisher needs of the Producer it made: enough to change the encoder's bitrate while live. */
export type PublishedProducer = {
  readonly closed: boolean;
  /** What was negotiated: the codec's mime type, clock rate, channels and fmtp parameters. */
  readonly rtpParameters: { codecs: ReadonlyArray<{ mimeType: string; clockRate: number; channels?: number; parameters?: Record<string, unknown> }> };
  setRtpEncodingParameters(params: RTCRtpEncodingParameters): Promise<void>;
  getStats(): Promise<RTCStatsReport>;
  readonly observer: { once(event: 'close', listener: () => void): unknown };
};

export type PublishProfile = {
  /** Opus `stereo=1`: negotiated once, so a stereo program can follow without renegotiation. */
  stereo: boolean;
  /** The Opus `maxaveragebitrate` of the negotiation (the highest bitrate this track may ever use). */
  maxAverageBitrate: number;
  /** The encoder's current cap (the first encoding's maxBitrate), changed live with `setRtpEncodingParameters`. */
  maxBitrate(): number;
  /** Told of every Producer made for the track (a reconnect publishes again). */
  onProducer(producer: PublishedProducer): void;
};

const profiles = new WeakMap<MediaStreamTrack, PublishProfile>();

export function setPublishProfile(track: MediaStreamTrack, profile: PublishProfile): void {
  profiles.set(track, profile);
}

export function publishProfileOf(track: MediaStreamTrack): PublishProfile | undefined {
  return profiles.get(track);
}
