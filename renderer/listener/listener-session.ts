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
 *   retry()                                   after it gave up reconnecting ('disconnected'): try again
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
 *
 * Reconnecting: when the signalling socket closes without a `spaceEnded`
 * (network drop, server restart), when a ping goes unanswered (a dead socket
 * the browser has not noticed), or when the media's ICE fails (or stays
 * disconnected), the phase turns 'reconnecting' and the session starts again
 * on a new connection: signs in again if it was signed in, joins, consumes
 * everything on stage (the snapshot keeps the old streams until the new ones
 * replace them, so the page keeps its <audio> elements) and, for a speaker
 * whose seat came back, publishes the same microphone again, muted if it was
 * muted (or locked by a moderator). Attempts follow lib/reconnect-policy.ts
 * (and go at once when the browser says the network is back); after
 * `reconnectWindowMs` the phase is 'disconnected' and `retry()` starts over.
 * A Space that is gone ends the session ('ended').
 */
import type { types } from 'mediasoup-client';
import { REACTIONS, type CloseReasonWire, type NowPlayingWire, type Reaction, type SpaceState, type YourRole } from '../../server/signalling/protocol.ts';
import { MediaSession } from '../lib/media-session.ts';
import { RECONNECT_WINDOW_MS, retryDelayMs } from '../lib/reconnect-policy.ts';
import { SignallingClient, SignallingError, signallingUrl } from '../lib/signalling-client.ts';
import { StageReceiver, type StageStream } from '../lib/stage-receiver.ts';

/** How the session reaches the network and media (replaced by fakes in tests). */
export type ListenerDeps = {
  connect(url: string, timeoutMs?: number): Promise<SignallingClient>;
  createMedia(signalling: SignallingClient, routerRtpCapabilities: Record<string, unknown>): Promise<MediaSession>;
  streamOf(track: MediaStreamTrack): MediaStream;
  /** Wait before reconnect attempt `attempt` (1 is the first, right after the drop). */
  retryDelayMs(attempt: number): number;
  /** How long to keep trying to reconnect before giving up ('disconnected'). */
  reconnectWindowMs: number;
  /** A ping this often while connected; one unanswered within this long means the connection is gone (0: none). */
  heartbeatMs: number;
  /** How long the media may stay ICE-disconnected before the session reconnects from scratch. */
  iceGraceMs: number;
  /** Calls `listener` when the device's network comes back (the browser's `online` event); returns an unsubscribe. */
  onNetworkBack(listener: () => void): () => void;
};

const browserDeps: ListenerDeps = {
  connect: (url, timeoutMs) => SignallingClient.connect(url, timeoutMs),
  createMedia: (signalling, caps) => MediaSession.create(signalling, caps),
  streamOf: (track) => new MediaStream([track]),
  retryDelayMs: (attempt) => retryDelayMs(attempt),
  reconnectWindowMs: RECONNECT_WINDOW_MS,
  heartbeatMs: 5000,
  iceGraceMs: 4000,
  onNetworkBack: (listener) => {
    window.addEventListener('online', listener);
    return () => window.removeEventListener('online', listener);
  },
};

/** A reconnect attempt's socket gives up sooner than a first join's (the next attempt follows). */
const RECONNECT_CONNECT_TIMEOUT_MS = 4000;

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
  /** While reconnecting after a lost connection: which attempt is next (0 while only the media is unstable). */
  reconnectAttempt: number;
  /** What the host plays (a premiere track), `receivedAt` this page's Date.now() when its position was true; null when nothing plays. */
  nowPlaying: ListenerNowPlaying | null;
};

export type ListenerNowPlaying = Omit<NowPlayingWire, 'artwork'> & { artwork: string | null; receivedAt: number };

/** Answers after which joining again cannot work: the Space is gone, or this listener was removed. */
const GONE_CODES = new Set(['NOT_FOUND', 'SPACE_ENDED']);

const codeOf = (error: unknown): string | null => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
};

type Prepared = { signalling: SignallingClient; media: MediaSession | null };

export class ListenerSession {
  readonly #deps: ListenerDeps;
  readonly #listeners = new Set<(snapshot: ListenerSnapshot) => void>();
  #snapshot: ListenerSnapshot = {
    phase: 'connecting',
    space: null,
    stream: null,
    streams: [],
    endReason: null,
    you: null,
    speaking: [],
    publishing: false,
    signedIn: false,
    reconnectAttempt: 0,
    nowPlaying: null,
  };
  #signalling: SignallingClient | null = null;
  #media: MediaSession | null = null;
  #receiver: StageReceiver | null = null;
  #producer: types.Producer | null = null;
  #closed = false;
  #prepared: Promise<Prepared> | null = null;
  /** Where and as whom to join again after a drop. */
  #serverUrl = '';
  #spaceId = '';
  #sessionToken: string | null = null;
  /** The microphone on stage (kept to publish it again after a reconnect) and whether its owner muted it. */
  #mic: MediaStreamTrack | null = null;
  #selfMuted = true;
  /** The first join succeeded: from then on a lost connection is taken back. */
  #live = false;
  #reconnecting = false;
  #wake: (() => void) | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #iceTimer: ReturnType<typeof setTimeout> | null = null;
  /** The current media's receiving transport is ICE-connected (audio can flow). */
  #recvConnected = false;

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
    this.#serverUrl = serverUrl;
    this.#spaceId = spaceId;
    this.#sessionToken = options.sessionToken ?? null;
    const prepared = await this.#prepared?.catch(() => null);
    await this.#open(prepared ?? null);
    this.#live = true;
  }

  /** Signs this connection in with a session token (from the account routes); a reconnect signs in again with it. */
  async signIn(sessionToken: string): Promise<void> {
    await this.#connected().request('signIn', { sessionToken });
    this.#sessionToken = sessionToken;
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
   * is sent until `setMuted(false)`. The track stays the caller's (never stopped here); it is
   * published again after a reconnect while the seat lasts.
   */
  async joinStage(track: MediaStreamTrack): Promise<void> {
    const media = this.#media;
    if (!media) throw this.#notConnected();
    if (this.#producer) return;
    const producer = await media.publish(track);
    producer.pause();
    this.#producer = producer;
    this.#mic = track;
    this.#selfMuted = true;
    this.#update({ publishing: true });
  }

  /** Mutes or unmutes one's own microphone on stage; the server refuses an unmute past a host's mute. */
  async setMuted(muted: boolean): Promise<void> {
    const producer = this.#producer;
    if (muted) producer?.pause();
    try {
      await this.#connected().request('setMuted', { muted });
      this.#selfMuted = muted;
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

  /** Gave up reconnecting ('disconnected'): tries again for another window. */
  retry(): void {
    if (this.#closed || !this.#live || this.#snapshot.phase !== 'disconnected') return;
    void this.#reconnect();
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
    this.#stopPublishing();
    this.#teardown();
    void this.#prepared?.then(({ signalling, media }) => {
      media?.close();
      signalling.close();
    }, () => undefined);
  }

  /**
   * Joins on a connection (the prepared one, or a new one): signs in first when it has a token,
   * consumes the stage, and takes a returned seat back with the microphone it had.
   */
  async #open(prepared: Prepared | null): Promise<void> {
    const reconnecting = this.#live;
    const signalling = prepared?.signalling.open
      ? prepared.signalling
      : await this.#deps.connect(signallingUrl(this.#serverUrl), reconnecting ? RECONNECT_CONNECT_TIMEOUT_MS : undefined);
    let media: MediaSession | null = null;
    try {
      if (this.#closed) throw this.#notConnected();
      this.#signalling = signalling;
      this.#attach(signalling);
      if (this.#sessionToken) await this.#signInAgain(signalling, this.#sessionToken, reconnecting);
      const joined = await signalling.request('joinSpace', { spaceId: this.#spaceId });
      media = prepared?.media && prepared.signalling === signalling ? prepared.media : await this.#deps.createMedia(signalling, joined.routerRtpCapabilities);
      this.#media = media;
      this.#recvConnected = false;
      const current = media;
      media.onConnectionState((direction, state) => {
        if (this.#media === current) this.#mediaState(direction, state);
      });
      const receiver: StageReceiver = new StageReceiver(media, this.#deps.streamOf, (streams) => {
        if (this.#receiver === receiver) this.#publishStreams(streams);
      });
      this.#receiver = receiver;
      signalling.on('spaceState', (space) => {
        if (this.#signalling === signalling) void this.#follow(space);
      });
      this.#setYou(joined.you);
      await this.#follow(joined.space);
      if (this.#signalling !== signalling) throw this.#notConnected();
      await this.#takeSeatBack(media);
      this.#startHeartbeat(signalling);
    } catch (error) {
      if (this.#signalling === signalling) {
        this.#signalling = null;
        this.#receiver?.close();
        this.#receiver = null;
        this.#media = null;
      }
      media?.close();
      signalling.close();
      throw error;
    }
  }

  #attach(signalling: SignallingClient): void {
    const current = () => this.#signalling === signalling;
    signalling.on('spaceEnded', ({ reason }) => this.#end(reason));
    signalling.onClose(() => {
      if (current()) this.#lost();
    });
    signalling.on('yourRole', (you) => {
      if (current()) this.#setYou(you);
    });
    signalling.on('speaking', ({ producerIds }) => {
      if (current()) this.#update({ speaking: producerIds });
    });
    // A new connection is told what plays as it joins; until then, nothing is known to play.
    this.#update({ nowPlaying: null });
    signalling.on('nowPlaying', ({ nowPlaying }) => {
      if (!current()) return;
      // Artwork left out: the same as before (the server sends a 48 KB image once per track).
      const artwork = nowPlaying?.artwork !== undefined ? nowPlaying.artwork : (this.#snapshot.nowPlaying?.artwork ?? null);
      this.#update({ nowPlaying: nowPlaying && { ...nowPlaying, artwork, receivedAt: Date.now() } });
    });
  }

  /** Signs in on a new connection; a token no longer valid on a reconnect leaves it a guest (listening needs no account). */
  async #signInAgain(signalling: SignallingClient, token: string, reconnecting: boolean): Promise<void> {
    try {
      await signalling.request('signIn', { sessionToken: token });
      this.#update({ signedIn: true });
    } catch (error) {
      if (!reconnecting || codeOf(error) !== 'PERMISSION_DENIED') throw error;
      this.#sessionToken = null;
      this.#update({ signedIn: false });
    }
  }

  /** Back on a seat after a reconnect: the same microphone goes out again, muted unless it was live (and the server agrees). */
  async #takeSeatBack(media: MediaSession): Promise<void> {
    const role = this.#snapshot.you?.role;
    const mic = this.#mic;
    if (!mic) return;
    if ((role !== 'speaker' && role !== 'cohost') || mic.readyState === 'ended') {
      this.#mic = null;
      this.#update({ publishing: false });
      return;
    }
    const producer = await media.publish(mic);
    producer.pause();
    this.#producer = producer;
    this.#update({ publishing: true });
    if (this.#selfMuted) return;
    try {
      await this.#connected().request('setMuted', { muted: false });
      producer.resume();
    } catch (error) {
      // Locked by a moderator meanwhile: stays muted (the stage says so); anything else retries.
      if (codeOf(error) !== 'PERMISSION_DENIED') throw error;
    }
  }

  #connected(): SignallingClient {
    if (!this.#signalling) throw this.#notConnected();
    return this.#signalling;
  }

  #notConnected(): Error {
    return this.#live
      ? new SignallingError({ code: 'UNAVAILABLE', message: 'Reconnecting to the server; try again in a moment.' })
      : new Error('Join the Space first.');
  }

  #setYou(you: YourRole): void {
    this.#update({ you });
    // Moved back to the audience (or removed from the stage): the server closed our producer.
    if (you.role === 'listener' && (this.#producer || this.#mic)) {
      this.#mic = null;
      this.#stopPublishing();
    }
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
    const receiver = this.#receiver;
    if (!receiver || this.#closed) {
      if (this.#snapshot.phase === 'connecting') this.#update({ phase: 'waiting' });
      return;
    }
    await receiver.follow(space, this.#snapshot.you?.peerId ?? null);
    if (this.#receiver === receiver && this.#snapshot.phase === 'connecting') this.#publishStreams(receiver.streams, true);
  }

  /** `settled`: the join is done, so 'connecting' (or a reconnect) turns into listening or waiting, or into `settleAs`. */
  #publishStreams(streams: readonly StageStream[], settled = false, settleAs?: ListenerPhase): void {
    const hostProducer = this.#snapshot.space?.hostProducerId;
    const main = streams.find((s) => s.producerId === hostProducer) ?? streams[0] ?? null;
    const phase = this.#snapshot.phase;
    const patch: Partial<ListenerSnapshot> = { streams, stream: main?.stream ?? null };
    if (settleAs) patch.phase = settleAs;
    else if (settled) patch.phase = streams.length ? 'listening' : 'waiting';
    // While reconnecting the phase waits for the join to finish; an ICE blip stays 'reconnecting' until ICE is back.
    else if (!this.#reconnecting && ['connecting', 'waiting', 'listening', 'reconnecting'].includes(phase)) {
      patch.phase = streams.length ? (phase === 'reconnecting' ? phase : 'listening') : 'waiting';
    }
    this.#update(patch);
  }

  /** ICE of this connection's media: a blip shows as 'reconnecting'; failing (or not coming back in time) reconnects from scratch. */
  #mediaState(direction: 'send' | 'recv', state: types.ConnectionState): void {
    if (direction === 'recv') this.#recvConnected = state === 'connected';
    if (state === 'connected') {
      if (this.#iceTimer) clearTimeout(this.#iceTimer);
      this.#iceTimer = null;
      if (this.#snapshot.phase === 'reconnecting' && !this.#reconnecting) this.#update({ phase: this.#snapshot.streams.length ? 'listening' : 'waiting' });
    } else if (state === 'disconnected') {
      if (direction === 'recv' && this.#snapshot.phase === 'listening') this.#update({ phase: 'reconnecting', reconnectAttempt: 0 });
      this.#iceTimer ??= setTimeout(() => {
        this.#iceTimer = null;
        this.#lost();
      }, this.#deps.iceGraceMs);
      // Is the server still there? An unanswered ping means the socket is dead too.
      this.#probe(this.#deps.iceGraceMs / 2);
    } else if (state === 'failed') {
      this.#lost();
    }
  }

  #startHeartbeat(signalling: SignallingClient): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    if (!this.#deps.heartbeatMs) return;
    this.#heartbeat = setInterval(() => {
      if (this.#signalling === signalling) this.#probe(this.#deps.heartbeatMs);
    }, this.#deps.heartbeatMs);
  }

  /** Pings the server; no answer within `timeoutMs` (or an error) means the connection is lost. */
  #probe(timeoutMs: number): void {
    const signalling = this.#signalling;
    if (!signalling) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
    });
    Promise.race([signalling.request('ping', {}), timeout])
      .catch(() => {
        if (this.#signalling === signalling) this.#lost();
      })
      .finally(() => clearTimeout(timer));
  }

  /** The connection is gone (socket closed or dead, ICE failed): start again, unless the Space ended or this was closed. */
  #lost(): void {
    if (this.#closed || !this.#live || this.#reconnecting || this.#snapshot.phase === 'ended') return;
    void this.#reconnect();
  }

  /** Closes what the current connection holds; the snapshot keeps its streams (the page keeps its elements). */
  #teardown(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#iceTimer) clearTimeout(this.#iceTimer);
    this.#heartbeat = this.#iceTimer = null;
    const receiver = this.#receiver;
    const media = this.#media;
    const signalling = this.#signalling;
    this.#receiver = null;
    this.#media = null;
    this.#signalling = null;
    this.#producer?.close();
    this.#producer = null;
    receiver?.close();
    media?.close();
    signalling?.close();
  }

  async #reconnect(): Promise<void> {
    this.#reconnecting = true;
    this.#teardown();
    this.#update({ phase: 'reconnecting', speaking: [], reconnectAttempt: 1 });
    const deadline = Date.now() + this.#deps.reconnectWindowMs;
    for (let attempt = 1; ; attempt++) {
      await this.#wait(this.#deps.retryDelayMs(attempt));
      if (this.#stopped()) return;
      this.#update({ reconnectAttempt: attempt });
      try {
        await this.#open(null);
        this.#reconnecting = false;
        const streams = this.#receiver?.streams ?? [];
        // Joined, but no audio until the media connects: say so, and start again if it does not in time.
        const waitingForMedia = streams.length > 0 && !this.#recvConnected;
        this.#update({ reconnectAttempt: 0 });
        this.#publishStreams(streams, true, waitingForMedia ? 'reconnecting' : undefined);
        if (waitingForMedia) {
          this.#iceTimer ??= setTimeout(() => {
            this.#iceTimer = null;
            if (!this.#recvConnected) this.#lost();
          }, this.#deps.iceGraceMs);
        }
        // Lost again while the join finished: start over.
        if (!this.#signalling?.open) this.#lost();
        return;
      } catch (error) {
        if (this.#stopped()) return;
        const code = codeOf(error);
        if (code !== null && GONE_CODES.has(code)) return this.#end(null);
        // Joining again is refused: this account was removed while away.
        if (code === 'PERMISSION_DENIED') return this.#end('removed');
        if (Date.now() >= deadline) {
          this.#reconnecting = false;
          this.#update({ phase: 'disconnected', reconnectAttempt: 0 });
          return;
        }
      }
    }
  }

  /** Closed, or the Space ended: nothing more to take back. */
  #stopped(): boolean {
    return this.#closed || this.#snapshot.phase === 'ended';
  }

  /** Waits `ms`, or less when the network comes back or the session closes. */
  #wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      const off = this.#deps.onNetworkBack(done);
      this.#wake = done;
    });
  }

  #end(reason: CloseReasonWire | null): void {
    this.#reconnecting = false;
    this.#update({ phase: 'ended', endReason: reason, reconnectAttempt: 0, space: this.#snapshot.space ? { ...this.#snapshot.space, status: 'ended' } : null });
    this.close();
    this.#update({ streams: [], stream: null });
  }

  #update(patch: Partial<ListenerSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const listener of this.#listeners) listener(this.#snapshot);
  }
}
