/**
 * A listener's side of a Space: join, hear everyone on stage, follow the
 * Space's state until it ends; and, signed in, take part: ask to speak, react,
 * and once accepted publish a microphone. Components subscribe to snapshots.
 *
 * API (for the listener page):
 *   new ListenerSession()                     browser defaults; tests pass fakes
 *   prepare(serverUrl, caps)                  connect and load the device before play (optional)
 *   join(serverUrl, spaceId, { sessionToken }) join; signed in first when given a session token
 *   signIn(sessionToken)                      sign this connection in later (asking and reacting need it)
 *   requestToSpeak() / cancelRequest()        a signed-in listener's request; `snapshot.you.requestPending`
 *   react(emoji)                              one of REACTIONS (protocol.ts); RATE_LIMITED past a few a second
 *   joinStage(track)                          accepted (`you.role` is 'speaker'): publish the track, muted
 *   setMuted(muted)                           on stage: PERMISSION_DENIED while the host has muted you
 *   leaveStage()                              back to listening (the microphone stops being sent)
 *   close()
 *
 * Snapshot: `phase`; `space` (with `space.stage`: everyone on stage); `streams`:
 * one MediaStream per producer on stage (play each, e.g. one <audio> each);
 * `stream`: the host's (or the first) of them; `you`: this connection's peer
 * id, role and request; `speaking`: producer ids speaking now; `publishing`:
 * this listener's microphone is on stage; `signedIn`; `endReason` (`removed`
 * when the host removed this listener).
 *
 * Streams follow the stage: a new producer is consumed as it appears, and a
 * consumer and its stream are closed when their producer leaves the stage.
 * One's own microphone is never consumed (no echo).
 */
import type { types } from 'mediasoup-client';
import { REACTIONS, type CloseReasonWire, type Reaction, type SpaceState, type YourRole } from '../../server/signalling/protocol.ts';
import { MediaSession } from '../lib/media-session.ts';
import { SignallingClient, SignallingError, signallingUrl } from '../lib/signalling-client.ts';
import { StageReceiver, type StageStream } from '../lib/stage-receiver.ts';

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

export type { StageStream };

export type ListenerSnapshot = {
  phase: ListenerPhase;
  space: SpaceState | null;
  /** The host's stream (or the first on stage): what a single <audio> plays. */
  stream: MediaStream | null;
  /** Every producer on stage but one's own, each as its own stream. */
  streams: readonly StageStream[];
  endReason: CloseReasonWire | null;
  you: YourRole | null;
  speaking: readonly string[];
  publishing: boolean;
  signedIn: boolean;
};

export class ListenerSession {
  readonly #deps: ListenerDeps;
  readonly #listeners = new Set<(snapshot: ListenerSnapshot) => void>();
  #snapshot: ListenerSnapshot = { phase: 'connecting', space: null, stream: null, streams: [], endReason: null, you: null, speaking: [], publishing: false, signedIn: false };
  #signalling: SignallingClient | null = null;
  #media: MediaSession | null = null;
  #receiver: StageReceiver | null = null;
  #producer: types.Producer | null = null;
  #closed = false;
  #prepared: Promise<{ signalling: SignallingClient; media: MediaSession | null }> | null = null;

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

  async join(serverUrl: string, spaceId: string, options: { sessionToken?: string | null } = {}): Promise<void> {
    const prepared = await this.#prepared?.catch(() => null);
    const signalling = prepared?.signalling.open ? prepared.signalling : await this.#deps.connect(signallingUrl(serverUrl));
    this.#signalling = signalling;
    signalling.on('spaceEnded', ({ reason }) => this.#end(reason));
    signalling.onClose(() => {
      if (this.#snapshot.phase !== 'ended') this.#update({ phase: 'disconnected' });
    });
    signalling.on('yourRole', (you) => this.#setYou(you));
    signalling.on('speaking', ({ producerIds }) => this.#update({ speaking: producerIds }));
    if (options.sessionToken) await this.signIn(options.sessionToken);
    const joined = await signalling.request('joinSpace', { spaceId });
    this.#media = prepared?.media && prepared.signalling === signalling ? prepared.media : await this.#deps.createMedia(signalling, joined.routerRtpCapabilities);
    this.#media.onConnectionState((direction, state) => {
      if (direction !== 'recv') return;
      const phase = this.#snapshot.phase;
      if (state === 'disconnected' && phase === 'listening') this.#update({ phase: 'reconnecting' });
      else if (state === 'connected' && phase === 'reconnecting') this.#update({ phase: 'listening' });
      else if (state === 'failed' && phase !== 'ended') this.#update({ phase: 'disconnected' });
    });
    const media = this.#media;
    this.#receiver = new StageReceiver(media, this.#deps.streamOf, (streams) => this.#publishStreams(streams));
    signalling.on('spaceState', (space) => void this.#follow(space));
    if (joined.you) this.#setYou(joined.you);
    await this.#follow(joined.space);
  }

  /** Signs this connection in with a session token (from the account routes). */
  async signIn(sessionToken: string): Promise<void> {
    await this.#connected().request('signIn', { sessionToken });
    this.#update({ signedIn: true });
  }

  async requestToSpeak(): Promise<void> {
    await this.#connected().request('requestToSpeak', {});
  }

  async cancelRequest(): Promise<void> {
    await this.#connected().request('cancelRequest', {});
  }

  async react(emoji: string): Promise<void> {
    if (!(REACTIONS as readonly string[]).includes(emoji)) throw new SignallingError({ code: 'VALIDATION', message: 'That reaction is not one of the allowed emoji.' });
    await this.#connected().request('react', { emoji: emoji as Reaction });
  }

  /**
   * Accepted onto the stage (after the green room): publishes `track`. It joins muted: nothing
   * is sent until `setMuted(false)`. The track stays the caller's (never stopped here).
   */
  async joinStage(track: MediaStreamTrack): Promise<void> {
    const media = this.#media;
    if (!media) throw new Error('Join the Space first.');
    if (this.#producer) return;
    const producer = await media.publish(track);
    producer.pause();
    this.#producer = producer;
    this.#update({ publishing: true });
  }

  /** Mutes or unmutes one's own microphone on stage; the server refuses an unmute past a host's mute. */
  async setMuted(muted: boolean): Promise<void> {
    const producer = this.#producer;
    if (muted) producer?.pause();
    try {
      await this.#connected().request('setMuted', { muted });
      if (!muted) producer?.resume();
    } catch (error) {
      if (!muted) producer?.pause();
      throw error;
    }
  }

  async leaveStage(): Promise<void> {
    await this.#connected().request('leaveStage', {});
    this.#stopPublishing();
  }

  close(): void {
    this.#closed = true;
    this.#stopPublishing();
    this.#receiver?.close();
    this.#media?.close();
    this.#signalling?.close();
    void this.#prepared?.then(({ signalling, media }) => {
      media?.close();
      signalling.close();
    }, () => undefined);
  }

  #connected(): SignallingClient {
    if (!this.#signalling) throw new Error('Join the Space first.');
    return this.#signalling;
  }

  #setYou(you: YourRole): void {
    this.#update({ you });
    // Moved back to the audience (or removed from the stage): the server closed our producer.
    if (you.role === 'listener' && this.#producer) this.#stopPublishing();
  }

  #stopPublishing(): void {
    if (!this.#producer && !this.#snapshot.publishing) return;
    this.#producer?.close();
    this.#producer = null;
    this.#media?.unpublish();
    this.#update({ publishing: false });
  }

  async #follow(space: SpaceState): Promise<void> {
    this.#update({ space });
    if (!this.#receiver || this.#closed) {
      if (this.#snapshot.phase === 'connecting') this.#update({ phase: 'waiting' });
      return;
    }
    await this.#receiver.follow(space, this.#snapshot.you?.peerId ?? null);
    if (this.#snapshot.phase === 'connecting') this.#publishStreams(this.#receiver.streams);
  }

  #publishStreams(streams: readonly StageStream[]): void {
    const hostProducer = this.#snapshot.space?.hostProducerId;
    const main = streams.find((s) => s.producerId === hostProducer) ?? streams[0] ?? null;
    const phase = this.#snapshot.phase;
    const live = ['connecting', 'waiting', 'listening', 'reconnecting'].includes(phase);
    this.#update({ streams, stream: main?.stream ?? null, ...(live ? { phase: streams.length ? (phase === 'reconnecting' ? phase : 'listening') : 'waiting' } : {}) });
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
