/**
 * The host's side of a live Space: signalling, the published program mix,
 * mute and end. A plain class; components subscribe to its snapshots.
 *
 * When the signalling connection drops, the studio takes the Space back: it
 * reconnects and asks `resumeSpace` with the Space's host key (the server keeps
 * the Space for a grace period), then publishes the mix again. It retries with
 * backoff until `resumeWindowMs` has passed, and gives up at once when the
 * server says the Space is gone.
 */
import type { types } from 'mediasoup-client';
import type { CloseReasonWire, SpaceState } from '../../../../../server/signalling/protocol.ts';
import { MediaSession } from '../../../../lib/media-session.ts';
import { SignallingClient, signallingUrl } from '../../../../lib/signalling-client.ts';

export type LiveSnapshot = {
  space: SpaceState;
  listenerUrl: string;
  muted: boolean;
  /** The connection dropped and the studio is taking the Space back. */
  reconnecting: boolean;
  ended: CloseReasonWire | 'connection-lost' | null;
};

/** How a live session reaches the network and media (replaced by fakes in tests). */
export type LiveDeps = {
  connect(url: string): Promise<SignallingClient>;
  createMedia(signalling: SignallingClient, routerRtpCapabilities: Record<string, unknown>): Promise<MediaSession>;
  /** How long to keep trying to take the Space back (the server's grace period is 15 s by default). */
  resumeWindowMs: number;
  /** Wait before the n-th retry (n ≥ 1). */
  retryDelayMs(attempt: number): number;
};

const browserDeps: LiveDeps = {
  connect: (url) => SignallingClient.connect(url),
  createMedia: (signalling, caps) => MediaSession.create(signalling, caps),
  resumeWindowMs: 15_000,
  retryDelayMs: (attempt) => Math.min(2000, 250 * 2 ** (attempt - 1)),
};

/** Answers after which taking the Space back cannot work. */
const FINAL_CODES = new Set(['NOT_FOUND', 'SPACE_ENDED', 'PERMISSION_DENIED', 'VALIDATION', 'INVALID_STATE']);

type Connection = { signalling: SignallingClient; media: MediaSession; producer: types.Producer };

/** `sessionToken`: the studio's signed-in session (hosting needs an account with enough followers). */
type StartInput = { serverUrl: string; sessionToken: string; title: string; track: MediaStreamTrack; scheduledSpaceId?: string };

export class LiveSession {
  readonly #deps: LiveDeps;
  readonly #serverUrl: string;
  readonly #track: MediaStreamTrack;
  readonly #listeners = new Set<(snapshot: LiveSnapshot) => void>();
  #hostKey: string;
  #connection: Connection;
  #snapshot: LiveSnapshot;

  /** Creates the Space and publishes the track; on any failure closes what it had opened (media session, connection) and rethrows. */
  static async start(input: StartInput, deps: Partial<LiveDeps> = {}): Promise<LiveSession> {
    const all = { ...browserDeps, ...deps };
    const signalling = await all.connect(signallingUrl(input.serverUrl));
    let media: MediaSession | null = null;
    try {
      await signalling.request('signIn', { sessionToken: input.sessionToken });
      const created = await signalling.request('createSpace', { title: input.title, ...(input.scheduledSpaceId ? { scheduledSpaceId: input.scheduledSpaceId } : {}) });
      media = await all.createMedia(signalling, created.routerRtpCapabilities);
      const producer = await media.publish(input.track);
      const listenerUrl = new URL(created.listenerPath, input.serverUrl).toString();
      return new LiveSession(all, input, created.hostKey, { signalling, media, producer }, {
        space: created.space,
        listenerUrl,
        muted: false,
        reconnecting: false,
        ended: null,
      });
    } catch (error) {
      media?.close();
      signalling.close();
      throw error;
    }
  }

  private constructor(deps: LiveDeps, input: StartInput, hostKey: string, connection: Connection, snapshot: LiveSnapshot) {
    this.#deps = deps;
    this.#serverUrl = input.serverUrl;
    this.#track = input.track;
    this.#hostKey = hostKey;
    this.#connection = connection;
    this.#snapshot = snapshot;
    this.#attach(connection.signalling);
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
    const { producer, signalling } = this.#connection;
    if (muted) producer.pause();
    else producer.resume();
    await signalling.request('setMuted', { muted });
    this.#update({ muted });
  }

  async end(): Promise<void> {
    // While reconnecting there is no connection to ask on: the server ends the Space when its grace period is up.
    if (!this.#snapshot.reconnecting) await this.#connection.signalling.request('endSpace', {});
    this.#finish('host-ended');
  }

  #attach(signalling: SignallingClient): void {
    signalling.on('spaceState', (space) => {
      if (this.#connection.signalling === signalling) this.#update({ space });
    });
    signalling.on('spaceEnded', ({ reason }) => this.#finish(reason));
    signalling.onClose(() => {
      if (this.#connection.signalling === signalling) void this.#takeBack();
    });
  }

  /** The connection dropped: reconnect, resume the Space with its host key, publish again. */
  async #takeBack(): Promise<void> {
    if (this.#snapshot.ended || this.#snapshot.reconnecting) return;
    this.#connection.media.close();
    this.#update({ reconnecting: true });
    const deadline = Date.now() + this.#deps.resumeWindowMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const connection = await this.#resume();
        if (this.#snapshot.ended) {
          connection.media.close();
          connection.signalling.close();
          return;
        }
        this.#connection = connection;
        this.#attach(connection.signalling);
        this.#update({ reconnecting: false });
        if (!connection.signalling.open) void this.#takeBack();
        return;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (this.#snapshot.ended) return;
        if ((typeof code === 'string' && FINAL_CODES.has(code)) || Date.now() >= deadline) {
          this.#finish('connection-lost');
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, this.#deps.retryDelayMs(attempt)));
      if (this.#snapshot.ended) return;
    }
  }

  async #resume(): Promise<Connection> {
    const signalling = await this.#deps.connect(signallingUrl(this.#serverUrl));
    let media: MediaSession | null = null;
    try {
      const resumed = await signalling.request('resumeSpace', { spaceId: this.#snapshot.space.spaceId, hostKey: this.#hostKey });
      this.#hostKey = resumed.hostKey;
      this.#update({ space: resumed.space });
      media = await this.#deps.createMedia(signalling, resumed.routerRtpCapabilities);
      const producer = await media.publish(this.#track);
      // The server remembers the mute (the new producer starts paused); the track must agree.
      if (this.#snapshot.muted) producer.pause();
      return { signalling, media, producer };
    } catch (error) {
      media?.close();
      signalling.close();
      throw error;
    }
  }

  #finish(reason: NonNullable<LiveSnapshot['ended']>): void {
    if (this.#snapshot.ended) return;
    this.#connection.media.close();
    this.#connection.signalling.close();
    this.#update({ ended: reason, reconnecting: false, space: { ...this.#snapshot.space, status: 'ended' } });
  }

  #update(patch: Partial<LiveSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const listener of this.#listeners) listener(this.#snapshot);
  }
}
