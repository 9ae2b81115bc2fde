/**
 * A listener's side of a Space: join, receive the host's audio, follow the
 * Space's state until it ends. When the host's producer changes (the host came
 * back, or stopped publishing) the old consumer and its stream are closed
 * before the new one. Components subscribe to its snapshots.
 */
import type { types } from 'mediasoup-client';
import type { CloseReasonWire, SpaceState } from '../../server/signalling/protocol.ts';
import { MediaSession } from '../lib/media-session.ts';
import { SignallingClient, signallingUrl } from '../lib/signalling-client.ts';

/** How the session reaches the network and media (replaced by fakes in tests). */
export type ListenerDeps = {
  connect(url: string): Promise<SignallingClient>;
  createMedia(signalling: SignallingClient, routerRtpCapabilities: Record<string, unknown>): Promise<MediaSession>;
  streamOf(track: MediaStreamTrack): MediaStream;
};

const browserDeps: ListenerDeps = {
  connect: (url) => SignallingClient.connect(url),
  createMedia: (signalling, caps) => MediaSession.create(signalling, caps),
  streamOf: (track) => new MediaStream([track]),
};

export type ListenerPhase = 'connecting' | 'waiting' | 'listening' | 'reconnecting' | 'ended' | 'disconnected';

export type ListenerSnapshot = {
  phase: ListenerPhase;
  space: SpaceState | null;
  stream: MediaStream | null;
  endReason: CloseReasonWire | null;
};

export class ListenerSession {
  readonly #deps: ListenerDeps;
  readonly #listeners = new Set<(snapshot: ListenerSnapshot) => void>();
  #snapshot: ListenerSnapshot = { phase: 'connecting', space: null, stream: null, endReason: null };
  #signalling: SignallingClient | null = null;
  #media: MediaSession | null = null;
  #consumedProducer: string | null = null;
  #consumer: types.Consumer | null = null;
  #closed = false;

  constructor(deps: Partial<ListenerDeps> = {}) {
    this.#deps = { ...browserDeps, ...deps };
  }

  get snapshot(): ListenerSnapshot {
    return this.#snapshot;
  }

  subscribe(listener: (snapshot: ListenerSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #prepared: Promise<{ signalling: SignallingClient; media: MediaSession | null }> | null = null;

  /**
   * Opens the connection and loads the media device before the listener presses
   * play (nothing is joined or received yet), so that play starts audio sooner.
   */
  prepare(serverUrl: string, routerRtpCapabilities: Record<string, unknown> | null): void {
    this.#prepared ??= (async () => {
      const signalling = await this.#deps.connect(signallingUrl(serverUrl));
      const media = routerRtpCapabilities ? await this.#deps.createMedia(signalling, routerRtpCapabilities) : null;
      return { signalling, media };
    })();
    this.#prepared.catch(() => (this.#prepared = null));
  }

  async join(serverUrl: string, spaceId: string): Promise<void> {
    const prepared = await this.#prepared?.catch(() => null);
    const signalling = prepared?.signalling.open ? prepared.signalling : await this.#deps.connect(signallingUrl(serverUrl));
    this.#signalling = signalling;
    signalling.on('spaceEnded', ({ reason }) => this.#end(reason));
    signalling.onClose(() => {
      if (this.#snapshot.phase !== 'ended') this.#update({ phase: 'disconnected' });
    });
    const joined = await signalling.request('joinSpace', { spaceId });
    this.#media = prepared?.media && prepared.signalling === signalling ? prepared.media : await this.#deps.createMedia(signalling, joined.routerRtpCapabilities);
    this.#media.onConnectionState((_direction, state) => {
      const phase = this.#snapshot.phase;
      if (state === 'disconnected' && phase === 'listening') this.#update({ phase: 'reconnecting' });
      else if (state === 'connected' && phase === 'reconnecting') this.#update({ phase: 'listening' });
      else if (state === 'failed' && phase !== 'ended') this.#update({ phase: 'disconnected' });
    });
    signalling.on('spaceState', (space) => void this.#follow(space));
    await this.#follow(joined.space);
  }

  close(): void {
    this.#closed = true;
    this.#dropConsumer();
    this.#media?.close();
    this.#signalling?.close();
    void this.#prepared?.then(({ signalling, media }) => {
      media?.close();
      signalling.close();
    }, () => undefined);
  }

  async #follow(space: SpaceState): Promise<void> {
    this.#update({ space });
    const producerId = space.hostProducerId;
    if (!this.#media || this.#closed) {
      if (this.#snapshot.phase === 'connecting') this.#update({ phase: 'waiting' });
      return;
    }
    if (producerId === this.#consumedProducer) return;
    this.#consumedProducer = producerId;
    this.#dropConsumer();
    if (!producerId) {
      if (['connecting', 'listening', 'reconnecting'].includes(this.#snapshot.phase)) this.#update({ phase: 'waiting', stream: null });
      return;
    }
    const consumer = await this.#media.listen(producerId);
    if (this.#closed || this.#consumedProducer !== producerId) {
      // Superseded while it was being set up (another producer, or the session closed).
      consumer.close();
      return;
    }
    this.#consumer = consumer;
    this.#update({ phase: 'listening', stream: this.#deps.streamOf(consumer.track) });
  }

  /** Closes the current consumer and stops its stream. */
  #dropConsumer(): void {
    this.#consumer?.close();
    this.#consumer = null;
    for (const track of this.#snapshot.stream?.getTracks() ?? []) track.stop();
    if (this.#snapshot.stream) this.#update({ stream: null });
  }

  #end(reason: CloseReasonWire): void {
    this.#update({ phase: 'ended', endReason: reason, space: this.#snapshot.space ? { ...this.#snapshot.space, status: 'ended' } : null });
    this.close();
  }

  #update(patch: Partial<ListenerSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const listener of this.#listeners) listener(this.#snapshot);
  }
}
