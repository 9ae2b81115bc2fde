/**
 * The host's side of a live Space: signalling, the published program mix,
 * mute and end. A plain class; components subscribe to its snapshots.
 */
import type { types } from 'mediasoup-client';
import type { CloseReasonWire, SpaceState } from '../../../../../server/signalling/protocol.ts';
import { MediaSession } from '../../../../lib/media-session.ts';
import { SignallingClient, signallingUrl } from '../../../../lib/signalling-client.ts';

export type LiveSnapshot = {
  space: SpaceState;
  listenerUrl: string;
  muted: boolean;
  ended: CloseReasonWire | 'connection-lost' | null;
};

/** How a live session reaches the network and media (replaced by fakes in tests). */
export type LiveDeps = {
  connect(url: string): Promise<SignallingClient>;
  createMedia(signalling: SignallingClient, routerRtpCapabilities: Record<string, unknown>): Promise<MediaSession>;
};

const browserDeps: LiveDeps = {
  connect: (url) => SignallingClient.connect(url),
  createMedia: (signalling, caps) => MediaSession.create(signalling, caps),
};

export class LiveSession {
  readonly #signalling: SignallingClient;
  readonly #media: MediaSession;
  readonly #producer: types.Producer;
  readonly #listeners = new Set<(snapshot: LiveSnapshot) => void>();
  #snapshot: LiveSnapshot;

  /** Creates the Space and publishes the track; on any failure closes what it had opened (media session, connection) and rethrows. */
  static async start(
    input: { serverUrl: string; studioToken: string; title: string; track: MediaStreamTrack },
    deps: LiveDeps = browserDeps,
  ): Promise<LiveSession> {
    const signalling = await deps.connect(signallingUrl(input.serverUrl));
    let media: MediaSession | null = null;
    try {
      const created = await signalling.request('createSpace', { title: input.title, studioToken: input.studioToken });
      media = await deps.createMedia(signalling, created.routerRtpCapabilities);
      const producer = await media.publish(input.track);
      const listenerUrl = new URL(created.listenerPath, input.serverUrl).toString();
      return new LiveSession(signalling, media, producer, { space: created.space, listenerUrl, muted: false, ended: null });
    } catch (error) {
      media?.close();
      signalling.close();
      throw error;
    }
  }

  private constructor(signalling: SignallingClient, media: MediaSession, producer: types.Producer, snapshot: LiveSnapshot) {
    this.#signalling = signalling;
    this.#media = media;
    this.#producer = producer;
    this.#snapshot = snapshot;
    signalling.on('spaceState', (space) => this.#update({ space }));
    signalling.on('spaceEnded', ({ reason }) => this.#finish(reason));
    signalling.onClose(() => this.#finish('connection-lost'));
  }

  get snapshot(): LiveSnapshot {
    return this.#snapshot;
  }

  subscribe(listener: (snapshot: LiveSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async setMuted(muted: boolean): Promise<void> {
    // Stop sending at once, and have the server stop forwarding and tell listeners.
    if (muted) this.#producer.pause();
    else this.#producer.resume();
    await this.#signalling.request('setMuted', { muted });
    this.#update({ muted });
  }

  async end(): Promise<void> {
    await this.#signalling.request('endSpace', {});
    this.#finish('host-ended');
  }

  #finish(reason: LiveSnapshot['ended']): void {
    if (this.#snapshot.ended) return;
    this.#media.close();
    this.#signalling.close();
    this.#update({ ended: reason, space: { ...this.#snapshot.space, status: 'ended' } });
  }

  #update(patch: Partial<LiveSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const listener of this.#listeners) listener(this.#snapshot);
  }
}
