/**
 * The host's (or a co-host's) side of a live Space: signalling, the published
 * program mix, mute and end, and the stage. A plain class; components
 * subscribe to its snapshots.
 *
 * API (for the studio's stage screen):
 *   LiveSession.start({ serverUrl, sessionToken, title, track, scheduledSpaceId? })   host: go live
 *   LiveSession.join({ serverUrl, sessionToken, spaceId, track })                     co-host: join a Space
 *       someone else hosts (the invite stored the role) and publish this studio's mix
 *   setMuted(muted)                       the mix on or off (a co-host muted by the host cannot unmute)
 *   answer(peerId, accept)                a request to speak: accept (they join the stage muted) or decline
 *   mute(peerId, muted)                   lock someone below me muted (they cannot unmute), or lift the lock
 *   moveToListener(peerId) / remove(peerId)   someone below me; a removed account cannot come back
 *   leaveStage()                          a co-host steps down to listening
 *   end()                                 the host ends the Space (a co-host may not)
 *   setNowPlaying(track | null)           the host: what plays (a premiere track) for every listener page
 * Snapshot: `space` (`space.stage`: everyone on stage, `space.listenerCount`), `role` ('host', 'cohost',
 * or 'listener' once a co-host was moved off), `myPeerId`, `requests` (the queue, oldest first),
 * `speaking` (producer ids), `reactions` (the latest batch, a new array each time), `streams`
 * (everyone else on stage, one MediaStream each, to monitor), `muted`, `reconnecting`, `ended`.
 *
 * When the signalling connection drops, the studio takes the Space back: it
 * reconnects, signs in again and asks `resumeSpace` with the Space's host key
 * (the server keeps the Space for a grace period); after a server restart the
 * key is gone and the signed-in account is what takes the Space back (the
 * restarted server waits for its host). Then it publishes the mix again. It
 * retries with backoff until `resumeWindowMs` has passed (long enough for the
 * supervisor to restart a crashed bundled server), and gives up at once when
 * the server says the Space is gone.
 */
import type { types } from 'mediasoup-client';
import type {
  CaptionDraft,
  CaptionStatus,
  CloseReasonWire,
  Method,
  NowPlayingTrack,
  Reaction,
  RequestData,
  RequestResult,
  SpaceState,
  SpeakRequestWire,
  YourRole,
} from '../../../../../server/signalling/protocol.ts';
import { MediaSession } from '../../../../lib/media-session.ts';
import { SignallingClient, SignallingError, signallingUrl } from '../../../../lib/signalling-client.ts';
import { StageReceiver, type StageStream } from '../../../../lib/stage-receiver.ts';

export type LiveSnapshot = {
  space: SpaceState;
  listenerUrl: string;
  muted: boolean;
  /** The connection dropped and the studio is taking the Space back. */
  reconnecting: boolean;
  ended: CloseReasonWire | 'connection-lost' | null;
  /** This studio's part: the host, a co-host, or (a co-host moved off the stage) a listener. */
  role: YourRole['role'];
  myPeerId: string | null;
  /** Requests to speak waiting for an answer, oldest first (host and co-hosts). */
  requests: readonly SpeakRequestWire[];
  /** Producers speaking now. */
  speaking: readonly string[];
  /** The latest batch of reactions; a new array for each batch, null before the first. */
  reactions: ReadonlyArray<{ emoji: Reaction; count: number }> | null;
  /** Everyone else on stage, each as its own stream (for monitoring). */
  streams: readonly StageStream[];
};

/** How a live session reaches the network and media (replaced by fakes in tests). */
export type LiveDeps = {
  connect(url: string): Promise<SignallingClient>;
  createMedia(signalling: SignallingClient, routerRtpCapabilities: Record<string, unknown>): Promise<MediaSession>;
  /**
   * How long to keep trying to take the Space back: the server keeps it 15 s after a drop (120 s after
   * a crash, SPACECRAFT_RESTORE_GRACE_MS); a crashed bundled server was running again 10.5 s after a
   * SIGKILL here (test/e2e/reconnect.test.ts prints it; 16 s on a busy machine, most of it reopening
   * the PGlite folder), and its supervisor waits up to 20 s for a start: 60 s leaves room for both.
   */
  resumeWindowMs: number;
  /** Wait before the n-th retry (n ≥ 1). */
  retryDelayMs(attempt: number): number;
  streamOf(track: MediaStreamTrack): MediaStream;
};

const browserDeps: LiveDeps = {
  connect: (url) => SignallingClient.connect(url),
  createMedia: (signalling, caps) => MediaSession.create(signalling, caps),
  resumeWindowMs: 60_000,
  retryDelayMs: (attempt) => Math.min(2000, 250 * 2 ** (attempt - 1)),
  streamOf: (track) => new MediaStream([track]),
};

/** Answers after which taking the Space back cannot work. */
const FINAL_CODES = new Set(['NOT_FOUND', 'SPACE_ENDED', 'PERMISSION_DENIED', 'VALIDATION', 'INVALID_STATE']);

type Connection = { signalling: SignallingClient; media: MediaSession; producer: types.Producer | null };

/** `sessionToken`: the studio's signed-in session (hosting needs an account with enough followers). */
type StartInput = { serverUrl: string; sessionToken: string; title: string; track: MediaStreamTrack; scheduledSpaceId?: string };
/** A co-host's studio joining a Space hosted by someone else. */
type JoinInput = { serverUrl: string; sessionToken: string; spaceId: string; track: MediaStreamTrack };

const EMPTY_STAGE = { requests: [], speaking: [], reactions: null, streams: [] } as const;

/** The caption requests a studio makes. */
export type CaptionMethod = Extract<Method, 'editCaption' | 'addCaptionWord' | 'addCaptionReplacement' | 'removeCaptionReplacement' | 'setCaptionsPaused' | 'setCaptionHoldBack' | 'captionSettings'>;
export type CaptionEvent = { kind: 'draft'; segment: CaptionDraft } | { kind: 'status'; status: CaptionStatus };

export class LiveSession {
  readonly #captionListeners = new Set<(event: CaptionEvent) => void>();
  readonly #deps: LiveDeps;
  readonly #serverUrl: string;
  readonly #sessionToken: string;
  readonly #track: MediaStreamTrack;
  readonly #listeners = new Set<(snapshot: LiveSnapshot) => void>();
  #hostKey: string;
  #connection: Connection;
  #receiver: StageReceiver;
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
      const host = created.space.stage.find((member) => member.role === 'host');
      return new LiveSession(all, input, created.hostKey, { signalling, media, producer }, {
        space: created.space,
        listenerUrl,
        muted: false,
        reconnecting: false,
        ended: null,
        role: 'host',
        myPeerId: host?.peerId ?? null,
        ...EMPTY_STAGE,
      });
    } catch (error) {
      media?.close();
      signalling.close();
      throw error;
    }
  }

  /**
   * A co-host's studio joins a live Space (the accepted invite made this account its co-host):
   * signs in, joins, publishes the mix and unmutes it. NOT_FOUND or PERMISSION_DENIED when it may not.
   */
  static async join(input: JoinInput, deps: Partial<LiveDeps> = {}): Promise<LiveSession> {
    const all = { ...browserDeps, ...deps };
    const signalling = await all.connect(signallingUrl(input.serverUrl));
    let media: MediaSession | null = null;
    try {
      const joined = await joinAsCohost(signalling, input);
      media = await all.createMedia(signalling, joined.routerRtpCapabilities);
      const producer = await media.publish(input.track);
      const muted = await unmuteUnlessLocked(signalling, producer);
      const listenerUrl = new URL(`/s/${joined.space.spaceId}`, input.serverUrl).toString();
      const session = new LiveSession(all, { ...input, title: joined.space.title }, '', { signalling, media, producer }, {
        space: joined.space,
        listenerUrl,
        muted,
        reconnecting: false,
        ended: null,
        role: joined.you.role,
        myPeerId: joined.you.peerId,
        ...EMPTY_STAGE,
      });
      session.#follow(joined.space);
      return session;
    } catch (error) {
      media?.close();
      signalling.close();
      throw error;
    }
  }

  private constructor(deps: LiveDeps, input: StartInput | (JoinInput & { title: string }), hostKey: string, connection: Connection, snapshot: LiveSnapshot) {
    this.#deps = deps;
    this.#sessionToken = input.sessionToken;
    this.#serverUrl = input.serverUrl;
    this.#track = input.track;
    this.#hostKey = hostKey;
    this.#connection = connection;
    this.#snapshot = snapshot;
    this.#receiver = this.#receiverOf(connection.media);
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
    if (muted) producer?.pause();
    else producer?.resume();
    try {
      await signalling.request('setMuted', { muted });
    } catch (error) {
      // Refused (a co-host the host muted): the mix stays off.
      if (!muted) producer?.pause();
      throw error;
    }
    this.#update({ muted });
  }

  /** Accepts (they join the stage muted, after their green room) or declines a request to speak. */
  async answer(peerId: string, accept: boolean): Promise<void> {
    await this.#connection.signalling.request('answerRequest', { peerId, accept });
  }

  /** Mutes someone below me on stage; they cannot unmute until `mute(peerId, false)` lifts it. */
  async mute(peerId: string, muted: boolean): Promise<void> {
    await this.#connection.signalling.request('muteSpeaker', { peerId, muted });
  }

  async moveToListener(peerId: string): Promise<void> {
    await this.#connection.signalling.request('moveToListener', { peerId });
  }

  /** Removes someone below me from the Space; a signed-in account cannot come back. */
  async remove(peerId: string): Promise<void> {
    await this.#connection.signalling.request('removeFromSpace', { peerId });
  }

  /** A co-host steps off the stage: the mix stops going out, and the studio listens. */
  async leaveStage(): Promise<void> {
    await this.#connection.signalling.request('leaveStage', {});
    this.#stopPublishing();
  }

  /** The host tells listeners what plays (a premiere track, on play, pause, seek or change), or that nothing does. */
  async setNowPlaying(track: NowPlayingTrack | null): Promise<void> {
    await this.#connection.signalling.request('setNowPlaying', { track });
  }

  /** The caption editor's requests (the server checks the role: host or co-host). */
  captionRequest<M extends CaptionMethod>(method: M, data: RequestData<M>): Promise<RequestResult<M>> {
    return this.#connection.signalling.request(method, data);
  }

  /** Caption drafts and status as they come, across reconnects; returns an unsubscribe. */
  onCaptions(listener: (event: CaptionEvent) => void): () => void {
    this.#captionListeners.add(listener);
    return () => void this.#captionListeners.delete(listener);
  }

  async end(): Promise<void> {
    // While reconnecting there is no connection to ask on: the server ends the Space when its grace period is up.
    if (!this.#snapshot.reconnecting) await this.#connection.signalling.request('endSpace', {});
    this.#finish('host-ended');
  }

  #attach(signalling: SignallingClient): void {
    const current = () => this.#connection.signalling === signalling;
    signalling.on('spaceState', (space) => {
      if (current()) this.#follow(space);
    });
    signalling.on('stageRequests', ({ requests }) => {
      if (current()) this.#update({ requests });
    });
    signalling.on('speaking', ({ producerIds }) => {
      if (current()) this.#update({ speaking: producerIds });
    });
    signalling.on('reactions', ({ counts }) => {
      if (current()) this.#update({ reactions: counts });
    });
    signalling.on('yourRole', (you) => {
      if (!current()) return;
      this.#update({ role: you.role, myPeerId: you.peerId });
      if (you.role === 'listener') this.#stopPublishing();
    });
    signalling.on('captionDraft', ({ segment }) => {
      if (current()) for (const listener of [...this.#captionListeners]) listener({ kind: 'draft', segment });
    });
    signalling.on('captionStatus', (status) => {
      if (current()) for (const listener of [...this.#captionListeners]) listener({ kind: 'status', status });
    });
    signalling.on('spaceEnded', ({ reason }) => this.#finish(reason));
    signalling.onClose(() => {
      if (this.#connection.signalling === signalling) void this.#takeBack();
    });
  }

  #follow(space: SpaceState): void {
    this.#update({ space });
    void this.#receiver.follow(space, this.#snapshot.myPeerId);
  }

  #receiverOf(media: MediaSession): StageReceiver {
    const receiver: StageReceiver = new StageReceiver(media, this.#deps.streamOf, (streams) => {
      if (this.#receiver === receiver) this.#update({ streams });
    });
    return receiver;
  }

  #stopPublishing(): void {
    const { producer, media } = this.#connection;
    if (!producer) return;
    producer.close();
    media.unpublish();
    this.#connection = { ...this.#connection, producer: null };
  }

  /** The connection dropped: reconnect, resume the Space with its host key (a co-host: join again), publish again. */
  async #takeBack(): Promise<void> {
    if (this.#snapshot.ended || this.#snapshot.reconnecting) return;
    this.#receiver.close();
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
        this.#receiver = this.#receiverOf(connection.media);
        this.#attach(connection.signalling);
        this.#update({ reconnecting: false, streams: [] });
        this.#follow(this.#snapshot.space);
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
      if (this.#snapshot.role !== 'host') {
        const joined = await joinAsCohost(signalling, { sessionToken: this.#sessionToken, spaceId: this.#snapshot.space.spaceId });
        this.#update({ space: joined.space, role: joined.you.role, myPeerId: joined.you.peerId });
        media = await this.#deps.createMedia(signalling, joined.routerRtpCapabilities);
        const producer = await media.publish(this.#track);
        // Back on stage muted; unmuted again unless it was muted here (or the host locked it).
        const muted = this.#snapshot.muted ? (producer.pause(), true) : await unmuteUnlessLocked(signalling, producer);
        this.#update({ muted });
        return { signalling, media, producer };
      }
      // Signed in first: after a server restart the key is gone, and the host's account takes the Space back.
      await signalling.request('signIn', { sessionToken: this.#sessionToken });
      const resumed = await signalling.request('resumeSpace', { spaceId: this.#snapshot.space.spaceId, hostKey: this.#hostKey });
      this.#hostKey = resumed.hostKey;
      this.#update({ space: resumed.space });
      media = await this.#deps.createMedia(signalling, resumed.routerRtpCapabilities);
      const producer = await media.publish(this.#track);
      // The server remembers the mute (the new producer starts paused); the track must agree.
      if (this.#snapshot.muted) producer.pause();
      const host = resumed.space.stage.find((member) => member.role === 'host');
      this.#update({ myPeerId: host?.peerId ?? null });
      return { signalling, media, producer };
    } catch (error) {
      media?.close();
      signalling.close();
      throw error;
    }
  }

  #finish(reason: NonNullable<LiveSnapshot['ended']>): void {
    if (this.#snapshot.ended) return;
    this.#receiver.close();
    this.#connection.media.close();
    this.#connection.signalling.close();
    this.#update({ ended: reason, reconnecting: false, space: { ...this.#snapshot.space, status: 'ended' }, streams: [] });
  }

  #update(patch: Partial<LiveSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const listener of this.#listeners) listener(this.#snapshot);
  }
}

/** Signs in and joins as a co-host; anything else (a plain listener) is refused before publishing. */
async function joinAsCohost(signalling: SignallingClient, input: { sessionToken: string; spaceId: string }) {
  await signalling.request('signIn', { sessionToken: input.sessionToken });
  const joined = await signalling.request('joinSpace', { spaceId: input.spaceId });
  if (joined.you.role !== 'cohost') throw new SignallingError({ code: 'PERMISSION_DENIED', message: 'You are not a co-host of this Space; accept an invite first.' });
  return joined;
}

/** A co-host's seat starts muted: unmute the mix at once, unless the host has locked it. Returns whether it stays muted. */
async function unmuteUnlessLocked(signalling: SignallingClient, producer: types.Producer): Promise<boolean> {
  try {
    await signalling.request('setMuted', { muted: false });
    return false;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'PERMISSION_DENIED') throw error;
    producer.pause();
    return true;
  }
}

