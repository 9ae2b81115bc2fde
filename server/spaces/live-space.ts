/**
 * A Space that is on air: its rules (domain/space.ts, domain/stage.ts), its
 * media (the SpaceMedia port), its stored roles and bans (StageRecords) and the
 * connections in it. Every change, media requests included, runs through one
 * queue per Space, so two requests never interleave halfway and nothing races
 * the end. Every stage action is checked by `authorize` (domain/stage.ts) with
 * the caller's role before anything changes.
 *
 * State reaches the peers coalesced: at most one `spaceState` per
 * `stateIntervalMs`, serialised once for everybody (the stage included); the
 * queue of requests goes the same way to the host and co-hosts only. Reactions
 * are tallied and go to the host and co-hosts at most once per
 * `reactionIntervalMs`. `speaking` goes to everyone when the media says who is
 * loud changed.
 *
 * What a connection leaves behind when it goes: nothing. Its request, its seat
 * and its producer go with it; its stored role stays, so a speaker whose
 * network dropped comes back on stage (muted, and still locked if a host had
 * muted them).
 */
import { randomBytes } from 'node:crypto';
import type { types } from 'mediasoup';
import {
  addListener,
  assertLiveSpace,
  endSpace,
  hostDisconnected,
  hostReturned,
  removeListener,
  startSpace,
  type CloseReason,
  type PeerId,
  type Space,
  type SpaceId,
} from '../domain/space.ts';
import { authorizeNowPlaying, nowPlayingOf, type NowPlaying, type NowPlayingInput } from '../domain/premiere.ts';
import {
  acceptRequest,
  addRequest,
  authorize,
  createStage,
  dropRequest,
  forget,
  grantSeat,
  isMuted,
  isReaction,
  moveHostSeat,
  requestOf,
  roleOf,
  seatOf,
  seatOfProducer,
  setModeratorMuted,
  setProducer,
  setSelfMuted,
  unseat,
  type Person,
  type Role,
  type Stage,
  type StageAction,
} from '../domain/stage.ts';
import { InvalidStateError, NotFoundError, PermissionError, ValidationError } from '../errors.ts';
import { TypedEmitter } from '../lib/typed-emitter.ts';
import type { Logger } from '../logger.ts';
import { sameSecret } from '../secret.ts';
import { encodeNotification, type NotificationFrame, type SpaceState, type TransportOptions, type YourRole } from '../signalling/protocol.ts';
import { ReactionTally } from './reaction-tally.ts';
import { SerialQueue } from './serial-queue.ts';
import type { ConsumerParams, SpaceMedia } from './space-media.ts';
import type { PeerAccount, SpacePeer } from './space-peer.ts';
import { NowPlayingSlot } from './now-playing-slot.ts';
import { MemoryStageRecords, type StageRecords, type StoredRole } from './space-records.ts';
import { StageLimits } from './stage-limits.ts';

export type LiveSpaceOptions = {
  /** At most one state notification per this many ms. */
  stateIntervalMs: number;
  /** How long a host whose connection dropped may take to come back; 0 ends the Space at once. */
  hostGraceMs: number;
  /** Roles and bans that outlast a connection (the database); in memory when not given. */
  stageRecords?: StageRecords;
  /** Per-account limits on asking to speak and reacting; this Space's own when not given (share one to count across Spaces). */
  stageLimits?: StageLimits;
  /** At most one `reactions` notification per this many ms (1000 when not given). */
  reactionIntervalMs?: number;
  /** From this many listeners on, listeners consume the program stream (the stage mixed) instead of each voice; 0 or absent: never. */
  programMixFromListeners?: number;
};

export type LiveSpaceEvents = {
  ended: [state: SpaceState];
  /** Someone on stage publishes their microphone (captions follow it). */
  produced: [peerId: PeerId, producerId: string];
  /** A connection joined, or the host came back on a new one (captions tell it where they stand). */
  joined: [peerId: PeerId];
  /** A premiere track started or stopped playing (captions pause while one plays). */
  nowPlaying: [playing: boolean];
};

export class LiveSpace {
  readonly media: SpaceMedia;
  /** Lets the host take the Space back on a new connection after a drop. Given only to the host. */
  readonly hostKey = randomBytes(24).toString('base64url');
  readonly #options: LiveSpaceOptions;
  readonly #records: StageRecords;
  readonly #limits: StageLimits;
  readonly #queue = new SerialQueue();
  readonly #peers = new Map<PeerId, SpacePeer>();
  readonly #events: TypedEmitter<LiveSpaceEvents>;
  readonly #log: Logger;
  #space: Space;
  #stage: Stage;
  /** Accounts a host or co-host muted: the lock survives their reconnecting. */
  readonly #lockedAccounts = new Set<string>();
  /** Connections removed from the Space (a guest has no account to ban). */
  readonly #removedPeers = new Set<PeerId>();
  /** Connections that joined preparing (a listener page before its play button): not counted until they start listening. */
  readonly #preparing = new Set<PeerId>();
  /** Accounts removed while this Space is live (the records keep them for good; this saves asking them per reaction). */
  readonly #bannedAccounts = new Set<string>();
  #requestsChanged = false;
  #stateTimer: NodeJS.Timeout | null = null;
  #lastStateAt = 0;
  #graceTimer: NodeJS.Timeout | null = null;
  readonly #reactions = new ReactionTally();
  #reactionTimer: NodeJS.Timeout | null = null;
  #speaking: string[] = [];
  /** The program stream's producer, once the audience passed `programMixFromListeners` (it stays on after). */
  #programProducerId: string | null = null;
  #programAsked = false;
  /** What the host is playing (a premiere track), told to everyone coalesced. */
  readonly #nowPlaying: NowPlayingSlot;

  constructor(input: { id: SpaceId; title: string; host: SpacePeer; media: SpaceMedia; logger: Logger; options: LiveSpaceOptions }) {
    this.#space = startSpace({ id: input.id, title: input.title, hostPeerId: input.host.id, now: Date.now() });
    this.#stage = createStage({ peerId: input.host.id, ...personOf(input.host, input.title) });
    this.media = input.media;
    this.#options = input.options;
    this.#records = input.options.stageRecords ?? new MemoryStageRecords();
    this.#limits = input.options.stageLimits ?? new StageLimits();
    this.#peers.set(input.host.id, input.host);
    this.#log = input.logger.child({ module: 'live-space', spaceId: input.id });
    this.#nowPlaying = new NowPlayingSlot({ intervalMs: input.options.stateIntervalMs, broadcast: (frame) => this.#toAll(frame) });
    this.#events = new TypedEmitter((error, event) => this.#log.error({ err: error, event }, 'space listener failed'));
    this.media.on('close', () => void this.end('server', 'media-failure').catch((error: unknown) => this.#log.error({ err: error }, 'end failed')));
    this.media.on('producerClosed', (producerId) => {
      if (producerId === this.#programProducerId) {
        // The program stopped (its mixer died): listeners go back to each voice; the next join tries again.
        this.#programProducerId = null;
        this.#programAsked = false;
        this.#stateChanged();
        return;
      }
      const seat = seatOfProducer(this.#stage, producerId);
      if (!seat) return;
      this.#stage = setProducer(this.#stage, seat.peerId, null);
      this.#stateChanged();
    });
    this.media.on('speaking', (producerIds) => this.#sendSpeaking(producerIds));
  }

  /**
   * A Space that was live when its server stopped without ending it (a crash), brought back from
   * its record: the host's seat waits for the host's account to take it back (`resume`) within
   * `graceMs`, as after a dropped connection; the others come back by joining again.
   */
  static restore(input: { id: SpaceId; title: string; host: PeerAccount; media: SpaceMedia; logger: Logger; options: LiveSpaceOptions; graceMs: number }): LiveSpace {
    const away: SpacePeer = { id: `away-${input.id}` as PeerId, account: input.host, send: () => undefined, detach: () => undefined };
    const space = new LiveSpace({ ...input, host: away });
    space.#peers.delete(away.id);
    space.#log.info({ graceMs: input.graceMs }, 'restored after a restart; waiting for the host');
    space.#hostLeft(input.graceMs);
    return space;
  }

  get id(): SpaceId {
    return this.#space.id;
  }

  get space(): Space {
    return this.#space;
  }

  get stage(): Stage {
    return this.#stage;
  }

  /** What plays now (a premiere track, its position as of now), or null: captions pause on it. */
  get nowPlaying(): NowPlaying | null {
    return this.#nowPlaying.current;
  }

  /** The role of a connection, or null when it is not in the Space. */
  roleOf(peerId: PeerId): Role | null {
    return this.#peers.has(peerId) ? roleOf(this.#stage, peerId) : null;
  }

  /** A connection's own part: its peer id, its role and whether it waits to speak. */
  yourRole(peerId: PeerId): YourRole {
    return { peerId, role: roleOf(this.#stage, peerId), requestPending: requestOf(this.#stage, peerId) !== null };
  }

  state(): SpaceState {
    const s = this.#space;
    const host = this.#stage.seats.find((seat) => seat.role === 'host');
    return {
      spaceId: s.id,
      title: s.title,
      status: s.status,
      listenerCount: s.listenerCount,
      hostConnected: s.hostConnected,
      hostMuted: host ? isMuted(host) : false,
      hostProducerId: host?.producerId ?? null,
      ...(this.#programProducerId ? { programProducerId: this.#programProducerId } : {}),
      stage: this.#stage.seats.map((seat) => ({
        peerId: seat.peerId,
        accountId: seat.accountId,
        handle: seat.handle,
        displayName: seat.displayName,
        role: seat.role,
        producerId: seat.producerId,
        muted: isMuted(seat),
        mutedByHost: seat.moderatorMuted,
      })),
    };
  }

  on<K extends keyof LiveSpaceEvents>(event: K, listener: (...args: LiveSpaceEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * A connection joins as a listener; a signed-in account that was removed is refused, and one
   * that holds a stored role (co-host, speaker) takes its seat on the stage, muted. `counted: false`
   * (a page preparing before its listener pressed play) leaves it out of the listener count until
   * `startListening`.
   */
  join(peer: SpacePeer, options: { counted?: boolean } = {}): Promise<SpaceState> {
    return this.#queue.push(async () => {
      assertLiveSpace(this.#space);
      if (this.#peers.has(peer.id)) throw new InvalidStateError('This connection is already in the Space.');
      if (this.#removedPeers.has(peer.id)) throw new PermissionError('You were removed from this Space and cannot rejoin it.');
      const account = peer.account ?? null;
      let stored: StoredRole | null = null;
      if (account) {
        if (await this.#records.isBanned(this.#space.id, account.id)) throw new PermissionError('You were removed from this Space and cannot rejoin it.');
        stored = (await this.#records.roles(this.#space.id)).find((r) => r.accountId === account.id)?.role ?? null;
      }
      // The records are asked outside the Space's own state: it may have ended meanwhile.
      if (options.counted === false) {
        assertLiveSpace(this.#space);
        this.#preparing.add(peer.id);
      } else {
        this.#space = addListener(this.#space, peer.id);
        this.#programIfLarge();
      }
      this.#peers.set(peer.id, peer);
      if (stored && account) this.#takeSeatBack(account.id, peer.id);
      if (stored) this.#seat(peer, stored);
      this.#stateChanged();
      this.#tellRole(peer.id);
      const playing = this.#nowPlaying.joinFrame();
      if (playing) peer.send(playing);
      this.#events.safeEmit('joined', peer.id);
      return this.state();
    });
  }

  /**
   * An account was given a role while the Space is live (an accepted co-host invite): if it is
   * connected, it takes the seat now; otherwise it will when it joins (the role is stored by the caller).
   */
  grantRole(accountId: string, role: StoredRole): Promise<void> {
    return this.#queue.push(() => {
      assertLiveSpace(this.#space);
      for (const peer of this.#peers.values()) {
        if (peer.account?.id !== accountId || roleOf(this.#stage, peer.id) === 'host') continue;
        this.#seat(peer, role);
        this.#stateChanged();
        this.#tellRole(peer.id);
      }
    });
  }

  /**
   * The host comes back on a new connection, with the key it was given or signed in as the host's
   * account (the only way after a server restart, when the key is gone).
   */
  resume(peer: SpacePeer, hostKey: string | null): Promise<SpaceState> {
    return this.#queue.push(() => {
      const hostAccountId = this.#stage.seats.find((seat) => seat.role === 'host')?.accountId ?? null;
      const byKey = hostKey !== null && sameSecret(hostKey, this.hostKey);
      const byAccount = hostAccountId !== null && peer.account?.id === hostAccountId;
      if (!byKey && !byAccount) throw new PermissionError(hostKey === null ? "Sign in as this Space's host to take it back." : 'That is not the key of this Space.');
      this.#space = hostReturned(this.#space, peer.id);
      this.#stage = moveHostSeat(this.#stage, peer.id);
      if (this.#graceTimer) clearTimeout(this.#graceTimer);
      this.#graceTimer = null;
      this.#peers.set(peer.id, peer);
      this.#log.info({ by: byKey ? 'key' : 'account' }, 'host came back');
      this.#requestsChanged = true;
      this.#stateChanged();
      this.#events.safeEmit('joined', peer.id);
      return this.state();
    });
  }

  leave(peerId: PeerId): Promise<void> {
    return this.#queue.push(async () => {
      if (this.#space.status !== 'live' || !this.#peers.has(peerId)) return;
      this.#drop(peerId);
    });
  }

  createTransport(peerId: PeerId, direction: 'send' | 'recv'): Promise<TransportOptions> {
    return this.#queue.push(() => {
      if (direction === 'send') this.#authorize(peerId, 'publish');
      else this.#assertMember(peerId);
      return this.media.createTransport(peerId, direction);
    });
  }

  connectTransport(peerId: PeerId, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    return this.#queue.push(() => {
      this.#assertMember(peerId);
      return this.media.connectTransport(peerId, transportId, dtlsParameters);
    });
  }

  /** Someone on stage publishes their microphone; it starts paused while they are muted. */
  produce(peerId: PeerId, transportId: string, rtpParameters: types.RtpParameters): Promise<string> {
    return this.#queue.push(async () => {
      this.#authorize(peerId, 'publish');
      const seat = seatOf(this.#stage, peerId)!;
      if (seat.producerId) throw new InvalidStateError('You are already publishing audio.');
      const producerId = await this.media.produce(peerId, transportId, rtpParameters, { paused: isMuted(seat) });
      // The seat may have gone while the media worked (moved off stage, or left): nothing may outlive it.
      if (this.#space.status !== 'live' || seatOf(this.#stage, peerId)?.role !== seat.role) {
        this.media.closeSending(peerId);
        throw new InvalidStateError('You left the stage before your audio was ready.');
      }
      this.#stage = setProducer(this.#stage, peerId, producerId);
      this.#log.info({ producerId, role: seat.role }, 'producing');
      this.#stateChanged();
      this.#events.safeEmit('produced', peerId, producerId);
      return producerId;
    });
  }

  consume(peerId: PeerId, transportId: string, producerId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerParams> {
    return this.#queue.push(() => {
      this.#assertMember(peerId);
      return this.media.consume(peerId, transportId, producerId, rtpCapabilities);
    });
  }

  resumeConsumer(peerId: PeerId, consumerId: string): Promise<void> {
    return this.#queue.push(() => {
      this.#assertMember(peerId);
      return this.media.resumeConsumer(peerId, consumerId);
    });
  }

  /** A connection that joined preparing starts listening: counted from now on (once; again is nothing). */
  startListening(peerId: PeerId): Promise<void> {
    return this.#queue.push(() => {
      this.#assertMember(peerId);
      if (!this.#preparing.delete(peerId)) return;
      this.#space = addListener(this.#space, peerId);
      this.#programIfLarge();
      this.#stateChanged();
    });
  }

  /** Someone on stage mutes or unmutes themselves (never past a host's mute). */
  setMuted(peerId: PeerId, muted: boolean): Promise<void> {
    return this.#queue.push(async () => {
      this.#authorize(peerId, 'setOwnMute');
      this.#stage = setSelfMuted(this.#stage, peerId, muted);
      await this.#applyMute(peerId);
    });
  }

  requestToSpeak(peerId: PeerId): Promise<void> {
    return this.#stageAction(peerId, 'requestToSpeak', async (peer) => {
      const accountId = peer.account!.id;
      await this.#limits.requestToSpeak(accountId);
      // A connection that joined as a guest and then signed in as a removed account.
      if (this.#bannedAccounts.has(accountId) || (await this.#records.isBanned(this.#space.id, accountId))) throw new PermissionError('You were removed from this Space.');
      this.#assertMember(peerId);
      this.#stage = addRequest(this.#stage, { peerId, ...personOf(peer), accountId: peer.account!.id, at: Date.now() });
      this.#requestsChanged = true;
      this.#stateChanged();
      this.#tellRole(peerId);
    });
  }

  cancelRequest(peerId: PeerId): Promise<void> {
    return this.#stageAction(peerId, 'cancelRequest', () => {
      this.#stage = dropRequest(this.#stage, peerId);
      this.#requestsChanged = true;
      this.#stateChanged();
      this.#tellRole(peerId);
    });
  }

  /** The host or a co-host accepts (the person joins the stage, muted) or declines a request. */
  answerRequest(peerId: PeerId, target: PeerId, accept: boolean): Promise<void> {
    return this.#stageAction(peerId, 'answerRequest', async () => {
      const request = requestOf(this.#stage, target);
      if (!request) throw new NotFoundError('There is no request to speak from that person.');
      this.#stage = accept ? acceptRequest(this.#stage, target) : dropRequest(this.#stage, target);
      this.#requestsChanged = true;
      if (accept) {
        if (this.#lockedAccounts.has(request.accountId)) this.#stage = setModeratorMuted(this.#stage, target, true);
        await this.#saveRole(request.accountId, 'speaker');
      }
      this.#stateChanged();
      this.#tellRole(target);
    });
  }

  /** The host or a co-host mutes someone below them (paused on the server, a lock they cannot undo), or lifts it. */
  muteSpeaker(peerId: PeerId, target: PeerId, muted: boolean): Promise<void> {
    return this.#stageAction(peerId, 'muteSpeaker', async () => {
      const seat = seatOf(this.#stage, target);
      if (!seat) throw new NotFoundError('That person is not on stage.');
      authorize(this.#actor(peerId), 'muteSpeaker', seat.role);
      this.#stage = setModeratorMuted(this.#stage, target, muted);
      if (seat.accountId) {
        if (muted) this.#lockedAccounts.add(seat.accountId);
        else this.#lockedAccounts.delete(seat.accountId);
      }
      await this.#applyMute(target);
    });
  }

  /** The host or a co-host moves someone below them back to the audience: their producer closes. */
  moveToListener(peerId: PeerId, target: PeerId): Promise<void> {
    return this.#stageAction(peerId, 'moveToListener', async () => {
      const seat = seatOf(this.#stage, target);
      if (!seat) throw new NotFoundError('That person is not on stage.');
      authorize(this.#actor(peerId), 'moveToListener', seat.role);
      await this.#offStage(target);
    });
  }

  /** A co-host or speaker steps off the stage by themselves. */
  leaveStage(peerId: PeerId): Promise<void> {
    return this.#stageAction(peerId, 'leaveStage', () => this.#offStage(peerId));
  }

  /** The host or a co-host removes someone below them: they are told, detached, and a signed-in account is banned. */
  remove(peerId: PeerId, target: PeerId): Promise<void> {
    return this.#stageAction(peerId, 'remove', async () => {
      const peer = this.#peers.get(target);
      if (!peer) throw new NotFoundError('That person is not in the Space.');
      authorize(this.#actor(peerId), 'remove', roleOf(this.#stage, target));
      const account = peer.account ?? null;
      if (account) {
        this.#bannedAccounts.add(account.id);
        await this.#records.ban(this.#space.id, account.id);
        await this.#saveRole(account.id, null);
      }
      this.#removedPeers.add(target);
      this.#log.info({ peerId: target, accountId: account?.id }, 'removed from the Space');
      peer.send(encodeNotification('spaceEnded', { spaceId: this.#space.id, reason: 'removed' }));
      peer.detach();
      this.#drop(target);
    });
  }

  /** A signed-in listener or speaker reacts; the host and co-hosts get the tally, at most once per interval. */
  react(peerId: PeerId, emoji: string): Promise<void> {
    return this.#stageAction(peerId, 'react', async (peer) => {
      if (!isReaction(emoji)) throw new ValidationError('That reaction is not one of the allowed emoji.');
      if (this.#bannedAccounts.has(peer.account!.id)) throw new PermissionError('You were removed from this Space.');
      await this.#limits.reaction(peer.account!.id);
      this.#assertMember(peerId);
      this.#reactions.add(emoji);
      this.#reactionTimer ??= setTimeout(() => this.#sendReactions(), this.#options.reactionIntervalMs ?? 1000);
    });
  }

  /** The host says what plays (a premiere track) or that nothing does; everyone is told, coalesced. */
  setNowPlaying(peerId: PeerId, input: NowPlayingInput | null): Promise<void> {
    return this.#queue.push(() => {
      this.#assertMember(peerId);
      authorizeNowPlaying(roleOf(this.#stage, peerId));
      this.#nowPlaying.set(input && nowPlayingOf(input, Date.now()));
      this.#events.safeEmit('nowPlaying', input?.playing === true);
    });
  }

  /** Sends a frame to the host and co-hosts, to everyone else in the Space (`audience`), or to one connection. */
  notify(to: 'moderators' | 'audience' | PeerId, frame: NotificationFrame): void {
    if (this.#space.status !== 'live') return;
    if (to === 'moderators') return this.#toModerators(frame);
    if (to !== 'audience') return void this.#peers.get(to)?.send(frame);
    for (const peer of this.#peers.values()) {
      const role = roleOf(this.#stage, peer.id);
      if (role !== 'host' && role !== 'cohost') peer.send(frame);
    }
  }

  end(by: PeerId | 'server', reason: Exclude<CloseReason, 'removed'>): Promise<void> {
    return this.#queue.push(() => {
      if (by !== 'server' && this.#space.status === 'live') this.#authorize(by, 'endSpace');
      this.#end(by, reason);
    });
  }

  /** A large audience: the stage is mixed into one program stream, and listeners are told to consume that one. */
  #programIfLarge(): void {
    const from = this.#options.programMixFromListeners ?? 0;
    if (this.#programAsked || from <= 0 || this.#space.listenerCount < from || !this.media.program) return;
    this.#programAsked = true;
    this.media.program().then(
      (program) => {
        if (this.#space.status !== 'live') return;
        this.#programProducerId = program.producer.id;
        this.#log.info({ listeners: this.#space.listenerCount, producerId: program.producer.id }, 'listeners move to the program stream');
        this.#stateChanged();
      },
      (error: unknown) => {
        // Listeners keep consuming each voice; the next join tries again.
        this.#programAsked = false;
        this.#log.warn({ err: error }, 'the program stream could not start');
      },
    );
  }

  #actor(peerId: PeerId): { role: Role; signedIn: boolean } {
    return { role: roleOf(this.#stage, peerId), signedIn: Boolean(this.#peers.get(peerId)?.account) };
  }

  #authorize(peerId: PeerId, action: StageAction): SpacePeer {
    this.#assertMember(peerId);
    authorize(this.#actor(peerId), action);
    return this.#peers.get(peerId)!;
  }

  /**
   * One stage action in the queue, authorized by role first. Actions on someone else check the
   * target's role too (`authorize(actor, action, targetRole)`) once they know who it is.
   */
  #stageAction(peerId: PeerId, action: StageAction, run: (peer: SpacePeer) => Promise<void> | void): Promise<void> {
    return this.#queue.push(async () => {
      await run(this.#authorize(peerId, action));
    });
  }

  #assertMember(peerId: PeerId): void {
    if (this.#space.status !== 'live') throw new InvalidStateError('This Space has ended.', 'SPACE_ENDED');
    if (!this.#peers.has(peerId)) throw new NotFoundError('This connection is not in the Space.');
  }

  /** Seats a connected account as co-host or speaker (muted, and locked if a host had muted them). */
  #seat(peer: SpacePeer, role: StoredRole): void {
    try {
      this.#stage = grantSeat(this.#stage, { peerId: peer.id, ...personOf(peer) }, role);
    } catch (error) {
      // A full stage: they listen instead, and the host may bring them up again.
      this.#log.info({ err: error, peerId: peer.id, role }, 'stored role not taken');
      return;
    }
    const accountId = peer.account?.id;
    if (accountId && this.#lockedAccounts.has(accountId)) this.#stage = setModeratorMuted(this.#stage, peer.id, true);
    this.#requestsChanged = true;
  }

  /**
   * An account comes back on a new connection while the server still counts its old one (a network
   * that dropped silently, until the heartbeat notices): the old connection loses the seat, so one
   * account never holds two. Its stored role stays, for the new connection.
   */
  #takeSeatBack(accountId: string, newPeerId: PeerId): void {
    for (const [peerId, other] of this.#peers) {
      if (peerId === newPeerId || other.account?.id !== accountId || !seatOf(this.#stage, peerId)) continue;
      this.#stage = unseat(this.#stage, peerId);
      this.media.closeSending(peerId);
      this.#log.info({ peerId, newPeerId }, 'an account came back on a new connection; its seat moves there');
      this.#tellRole(peerId);
    }
  }

  async #offStage(peerId: PeerId): Promise<void> {
    const seat = seatOf(this.#stage, peerId);
    this.#stage = unseat(this.#stage, peerId);
    this.media.closeSending(peerId);
    if (seat?.accountId) await this.#saveRole(seat.accountId, null);
    this.#stateChanged();
    this.#tellRole(peerId);
  }

  async #applyMute(peerId: PeerId): Promise<void> {
    const seat = seatOf(this.#stage, peerId)!;
    await this.media.setProducersPaused(peerId, isMuted(seat));
    this.#stateChanged();
  }

  async #saveRole(accountId: string, role: StoredRole | null): Promise<void> {
    await this.#records.saveRole(this.#space.id, accountId, role);
  }

  /** Everything a connection held in the Space goes: its seat, its request, its media. */
  #drop(peerId: PeerId): void {
    this.#peers.delete(peerId);
    this.media.closePeer(peerId);
    if (peerId === this.#space.hostPeerId) {
      this.#hostLeft();
      return;
    }
    const before = this.#stage;
    this.#stage = forget(this.#stage, peerId);
    if (before.requests !== this.#stage.requests) this.#requestsChanged = true;
    if (!this.#preparing.delete(peerId)) this.#space = removeListener(this.#space);
    this.#stateChanged();
  }

  /** Tells one connection its own part: its role and whether it waits to speak. */
  #tellRole(peerId: PeerId): void {
    this.#peers.get(peerId)?.send(encodeNotification('yourRole', this.yourRole(peerId)));
  }

  #hostLeft(graceMs = this.#options.hostGraceMs): void {
    // Nobody is left to say what plays (a host that comes back says it again).
    this.#nowPlaying.clear();
    this.#events.safeEmit('nowPlaying', false);
    this.#space = hostDisconnected(this.#space);
    if (graceMs === 0) {
      this.#end('server', 'host-left');
      return;
    }
    this.#log.info({ graceMs }, 'host disconnected; waiting for the host to come back');
    this.#graceTimer = setTimeout(() => {
      this.#graceTimer = null;
      void this.#queue.push(() => {
        if (!this.#space.hostConnected) this.#end('server', 'host-left');
      });
    }, graceMs);
    this.#stateChanged();
  }

  #end(by: PeerId | 'server', reason: Exclude<CloseReason, 'removed'>): void {
    if (this.#space.status === 'ended') return;
    this.#space = endSpace(this.#space, by, reason, Date.now());
    this.#log.info({ reason }, 'space ended');
    for (const timer of [this.#stateTimer, this.#graceTimer, this.#reactionTimer]) if (timer) clearTimeout(timer);
    this.#stateTimer = this.#graceTimer = this.#reactionTimer = null;
    this.#nowPlaying.close();
    const frame = encodeNotification('spaceEnded', { spaceId: this.#space.id, reason });
    const peers = [...this.#peers.values()];
    this.#peers.clear();
    for (const peer of peers) {
      peer.send(frame);
      peer.detach();
    }
    this.media.close();
    this.#stage = { seats: this.#stage.seats.filter((seat) => seat.role === 'host').map((seat) => ({ ...seat, producerId: null })), requests: [] };
    this.#events.safeEmit('ended', this.state());
    this.#events.removeAllListeners();
  }

  /** Something peers see changed: send the state now if the last one went out long enough ago, else once the interval is up. */
  #stateChanged(): void {
    if (this.#stateTimer || this.#space.status !== 'live') return;
    const wait = this.#lastStateAt + this.#options.stateIntervalMs - Date.now();
    if (wait <= 0) this.#sendState();
    else this.#stateTimer = setTimeout(() => this.#sendState(), wait);
  }

  #sendState(): void {
    this.#stateTimer = null;
    if (this.#space.status !== 'live') return;
    this.#lastStateAt = Date.now();
    const frame = encodeNotification('spaceState', this.state());
    for (const peer of this.#peers.values()) peer.send(frame);
    if (!this.#requestsChanged) return;
    this.#requestsChanged = false;
    const requests = encodeNotification('stageRequests', {
      requests: this.#stage.requests.map((r) => ({ peerId: r.peerId, accountId: r.accountId, handle: r.handle, displayName: r.displayName, at: r.at })),
    });
    this.#toModerators(requests);
  }

  #sendReactions(): void {
    this.#reactionTimer = null;
    if (this.#space.status !== 'live' || this.#reactions.empty) return;
    this.#toModerators(encodeNotification('reactions', { counts: this.#reactions.take() }));
  }

  #sendSpeaking(producerIds: string[]): void {
    if (this.#space.status !== 'live') return;
    // Only what is on stage (a producer may close between the media's check and this).
    const onStage = producerIds.filter((id) => seatOfProducer(this.#stage, id)).slice(0, 16);
    if (onStage.length === this.#speaking.length && onStage.every((id, i) => id === this.#speaking[i])) return;
    this.#speaking = onStage;
    const frame = encodeNotification('speaking', { producerIds: onStage });
    for (const peer of this.#peers.values()) peer.send(frame);
  }

  #toAll(frame: ReturnType<typeof encodeNotification>): void {
    for (const peer of this.#peers.values()) peer.send(frame);
  }

  #toModerators(frame: ReturnType<typeof encodeNotification>): void {
    for (const seat of this.#stage.seats) {
      if (seat.role === 'host' || seat.role === 'cohost') this.#peers.get(seat.peerId)?.send(frame);
    }
  }
}

function personOf(peer: SpacePeer, fallbackName = 'Guest'): Person {
  const account = peer.account ?? null;
  return account ? { accountId: account.id, handle: account.handle, displayName: account.displayName } : { accountId: null, handle: null, displayName: fallbackName };
}
