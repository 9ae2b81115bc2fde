/**
 * A listener's side of a Space: join, hear everyone on stage, follow the
 * Space's state until it ends; and, signed in, take part: ask to speak, react,
 * and once accepted publish a microphone. Components subscribe to snapshots.
 *
 * API (for the listener page):
 *   new ListenerSession()                     browser defaults; tests pass fakes
 *   prejoin(serverUrl, spaceId, { sessionToken }) before play (optional): everything but the resume
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
 *
 * Pre-joining (the page is open, the listener has not pressed play): `prejoin`
 * does all of a join — socket, sign-in, joinSpace (`preparing`: not counted
 * as a listener yet), transport, consumers (paused on the server), ICE + DTLS
 * — so that `join` with the same Space and token only resumes the consumers
 * and says it listens (`startListening`, in parallel). A pre-joined page is not live: a drop
 * releases it rather than reconnecting, and so does `prejoinIdleMs` without a
 * join (a page left open holds nothing for long); it is prepared again when
 * the page gets attention (focus, a pointer, a key). `join` without a usable
 * pre-join goes the whole way.
 */
import type { types } from 'mediasoup-client';
import { REACTIONS, type CloseReasonWire, type NowPlayingWire, type Reaction, type SpaceState, type YourRole } from '../../server/signalling/protocol.ts';
import { MediaSession } from '../lib/media-session.ts';
import { CaptionFeed } from './lib/caption-feed.ts';
import type { Admission } from './lib/admission.ts';
import { askToJoin } from './lib/admission.ts';
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
  /** How long a pre-joined page may wait for its listener to press play before its connection is released. */
  prejoinIdleMs: number;
  /** Calls `listener` when the page gets the visitor's attention (focus, shown, a pointer, a key); returns an unsubscribe. */
  onAttention(listener: () => void): () => void;
  /** Where to join (a multi-node deployment names an edge and a ticket, or says wait); without it, join the page's server. */
  admit?(serverUrl: string, spaceId: string): Promise<Admission>;
};

/** A pre-joined page keeps its connection (a paused consumer, a transport) this long without a click. */
export const PREJOIN_IDLE_MS = 90_000;

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
  prejoinIdleMs: PREJOIN_IDLE_MS,
  onAttention: (listener) => {
    const events = ['focus', 'pointermove', 'pointerdown', 'keydown', 'touchstart'] as const;
    const shown = () => {
      if (document.visibilityState === 'visible') listener();
    };
    for (const name of events) window.addEventListener(name, listener, { passive: true });
    document.addEventListener('visibilitychange', shown);
    return () => {
      for (const name of events) window.removeEventListener(name, listener);
      document.removeEventListener('visibilitychange', shown);
    };
  },
};

/** The listener page's own sessions go through the join endpoint (a multi-node deployment's edges, join storms). */
export const PAGE_DEPS: Partial<ListenerDeps> = { admit: (serverUrl, spaceId) => askToJoin(serverUrl, spaceId) };

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
  /** Told to wait during a join storm: seconds left before the page asks again (counted down), else absent or null. */
  waitSeconds?: number | null;
  /** A ticketed Space: this account's ticket went to another connection (`elsewhere`), or it has none (`required`). */
  ticket?: 'elsewhere' | 'required' | 'revoked' | null;
};

export type ListenerNowPlaying = Omit<NowPlayingWire, 'artwork'> & { artwork: string | null; receivedAt: number };

/** Answers after which joining again cannot work: the Space is gone, or this listener was removed. */
const GONE_CODES = new Set(['NOT_FOUND', 'SPACE_ENDED']);

const codeOf = (error: unknown): string | null => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
};

/** A join done before the click, for one Space as one account (token). `done`: whether it worked. */
type Prejoined = { spaceId: string; token: string | null; done: Promise<boolean> };

export class ListenerSession {
  /** Live captions as they are released (kept across reconnects). */
  readonly captions = new CaptionFeed();
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
  #prejoined: Prejoined | null = null;
  /** Counts pre-joins: one that waited for an earlier one to drop starts only if no later one came. */
  #prejoins = 0;
  #idleTimer: ReturnType<typeof setTimeout> | null = null;
  /** Released after idling: stops waiting for the page's attention. */
  #offAttention: (() => void) | null = null;
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
   * Joins before the listener presses play: everything `join` does except resuming the consumers
   * (they wait paused on the server, their transport connected). Again with another Space or token,
   * the earlier pre-join is dropped. Failing is quiet: `join` then goes the whole way.
   */
  prejoin(serverUrl: string, spaceId: string, options: { sessionToken?: string | null } = {}): void {
    const token = options.sessionToken ?? null;
    if (this.#closed || this.#live) return;
    if (this.#prejoined?.spaceId === spaceId && this.#prejoined.token === token) return;
    this.#stopWaitingForAttention();
    // One join at a time: a pre-join under way finishes (and is dropped) before the next starts.
    const previous = this.#prejoined;
    this.#prejoined = null;
    const generation = ++this.#prejoins;
    const prejoined: Prejoined = {
      spaceId,
      token,
      done: (async () => {
        if (previous) {
          await this.#drop(previous);
          if (this.#prejoins !== generation || !this.#prejoined) return false;
        }
        this.#serverUrl = serverUrl;
        this.#spaceId = spaceId;
        this.#sessionToken = token;
        await this.#open({ hold: true });
        return true;
      })().catch(() => false),
    };
    this.#prejoined = prejoined;
    void prejoined.done.then((ok) => {
      if (this.#prejoined !== prejoined) return;
      if (!ok) this.#prejoined = null;
      else this.#idleTimer = setTimeout(() => this.#idled(), this.#deps.prejoinIdleMs);
    });
  }

  /** Whether a pre-join is ready for `join` to resume (tests and the page's diagnostics). */
  get prejoined(): boolean {
    return this.#prejoined !== null && this.#signalling !== null && !this.#live;
  }

  async join(serverUrl: string, spaceId: string, options: { sessionToken?: string | null } = {}): Promise<void> {
    const token = options.sessionToken ?? null;
    this.#stopWaitingForAttention();
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    const prejoined = this.#prejoined;
    this.#prejoined = null;
    if (prejoined && prejoined.spaceId === spaceId && prejoined.token === token && (await prejoined.done) && (await this.#resumePrejoined())) {
      this.#live = true;
      return;
    }
    if (prejoined) await this.#drop(prejoined);
    if (this.#closed && this.#snapshot.phase === 'ended') throw new SignallingError({ code: 'SPACE_ENDED', message: 'This Space has ended.' });
    this.#serverUrl = serverUrl;
    this.#spaceId = spaceId;
    this.#sessionToken = token;
    await this.#open();
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
    this.#stopWaitingForAttention();
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    this.#prejoined = null;
    this.#stopPublishing();
    this.#teardown();
  }

  /** The pre-joined connection is still there: resume its consumers and be counted as listening. False when it cannot be used. */
  async #resumePrejoined(): Promise<boolean> {
    const media = this.#media;
    const signalling = this.#signalling;
    if (this.#closed || !media || !signalling?.open) return false;
    try {
      await Promise.all([media.resumeHeld(), signalling.request('startListening', {})]);
      return !this.#closed && this.#media === media;
    } catch {
      return false;
    }
  }

  /** A pre-joined page nobody clicked in time: its connection goes, and comes back when the page gets attention. */
  #idled(): void {
    this.#idleTimer = null;
    if (this.#closed || this.#live || !this.#prejoined) return;
    const again = { serverUrl: this.#serverUrl, spaceId: this.#spaceId, token: this.#sessionToken };
    this.#release();
    this.#offAttention = this.#deps.onAttention(() => {
      this.#stopWaitingForAttention();
      this.prejoin(again.serverUrl, again.spaceId, { sessionToken: again.token });
    });
  }

  /** Drops the pre-join (not yet live): its connection closes, the server frees what it held. */
  #release(): void {
    if (this.#live || !this.#prejoined) return;
    const prejoined = this.#prejoined;
    this.#prejoined = null;
    void this.#drop(prejoined);
  }

  /** Once `prejoined` is done (worked or not), closes what it opened, unless the session went live on it meanwhile. */
  async #drop(prejoined: Prejoined): Promise<void> {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    await prejoined.done;
    if (this.#live || this.#closed) return;
    this.#teardown();
    this.#update({ phase: 'connecting', space: null, streams: [], stream: null, you: null, speaking: [], signedIn: false, nowPlaying: null });
  }

  #stopWaitingForAttention(): void {
    this.#offAttention?.();
    this.#offAttention = null;
  }

  /**
   * Joins on a new connection: signs in first when it has a token, consumes the stage (held paused
   * when pre-joining), and takes a returned seat back with the microphone it had.
   */
  async #open(options: { hold?: boolean } = {}): Promise<void> {
    const reconnecting = this.#live;
    const where = await this.#whereToJoin();
    const signalling = await this.#deps.connect(signallingUrl(where.url), reconnecting ? RECONNECT_CONNECT_TIMEOUT_MS : undefined);
    let media: MediaSession | null = null;
    try {
      if (this.#closed) throw this.#notConnected();
      this.#signalling = signalling;
      this.#attach(signalling);
      if (this.#sessionToken) await this.#signInAgain(signalling, this.#sessionToken, reconnecting);
      // Pre-joining, the server leaves this connection out of the listener count until it starts listening.
      const ticket = where.ticket ? { ticket: where.ticket } : {};
      const joined = await signalling.request('joinSpace', options.hold ? { spaceId: this.#spaceId, preparing: true, ...ticket } : { spaceId: this.#spaceId, ...ticket });
      media = await this.#deps.createMedia(signalling, joined.routerRtpCapabilities);
      if (options.hold) media.holdConsumers();
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
    // The same ticket opened the Space on another connection: that one listens now, this one stops (no reconnect).
    signalling.on('ticketInUse', () => {
      this.#update({ ticket: 'elsewhere' });
      this.#end(null);
    });
    // The ticket was refunded or disputed while listening: out, and no reconnect (it would be refused).
    signalling.on('ticketRevoked', () => {
      this.#update({ ticket: 'revoked' });
      this.#end(null);
    });
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
    signalling.on('caption', ({ caption }) => {
      if (current()) this.captions.add(caption);
    });
    signalling.on('captionStatus', (status) => {
      if (current()) this.captions.setStatus(status);
    });
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
    // Pre-joined, not yet live: nothing to take back; the click joins the whole way.
    if (!this.#live && this.#prejoined && !this.#closed) return this.#idled();
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
        await this.#open();
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
        // A ticketed Space whose ticket is gone (refunded) while away.
        if (code === 'TICKET_REQUIRED') {
          this.#update({ ticket: 'required' });
          return this.#end(null);
        }
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

  /** Asks where to join until admitted; while told to wait, counts the seconds down in the snapshot. */
  async #whereToJoin(): Promise<{ url: string; ticket: string | null }> {
    if (!this.#deps.admit) return { url: this.#serverUrl, ticket: null };
    for (;;) {
      const answer = await this.#deps.admit(this.#serverUrl, this.#spaceId);
      if (answer.kind === 'admitted') {
        if (this.#snapshot.waitSeconds) this.#update({ waitSeconds: null });
        return answer;
      }
      const until = Date.now() + answer.retryInMs;
      for (let left = until - Date.now(); left > 0; left = until - Date.now()) {
        if (this.#closed) throw this.#notConnected();
        this.#update({ waitSeconds: Math.ceil(left / 1000) });
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, left)));
      }
    }
  }

  #update(patch: Partial<ListenerSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const listener of this.#listeners) listener(this.#snapshot);
  }
}
