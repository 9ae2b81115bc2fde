/**
 * The stage of a Space: who is on it (host, up to 2 co-hosts, up to 10
 * speakers), who asked to speak, who is muted and by whom. Pure rules, no I/O.
 *
 * `authorize(actor, action, target?)` is the one table of who may do what; the
 * live Space calls it for every stage action before it changes anything. The
 * operations below then check the state (is there such a request, is the stage
 * full) and return a new Stage; they never change the one they were given.
 *
 * A mute by the host or a co-host ("moderator mute") is a lock: the speaker
 * cannot unmute past it. Lifting it leaves the speaker muted by themselves, so
 * nobody's microphone is ever opened by someone else.
 */
import { InvalidStateError, NotFoundError, PermissionError, SpacecraftError } from '../errors.ts';
import type { PeerId } from './space.ts';

export const STAGE_ROLES = ['host', 'cohost', 'speaker'] as const;
export type StageRole = (typeof STAGE_ROLES)[number];
export const ROLES = [...STAGE_ROLES, 'listener'] as const;
export type Role = (typeof ROLES)[number];

export const MAX_COHOSTS = 2;
export const MAX_SPEAKERS = 10;
/** Requests to speak waiting at once; past it new ones get LIMIT_EXCEEDED. */
export const MAX_PENDING_REQUESTS = 200;

/** Emoji a listener may react with; anything else is refused. */
export const REACTIONS = ['👏', '❤️', '😂', '🔥', '💯', '🙌', '😮', '👍'] as const;
export type Reaction = (typeof REACTIONS)[number];

/** Who a connection is: an account, or a guest (all nulls but a display name). */
export type Person = { accountId: string | null; handle: string | null; displayName: string };

export type Seat = Person & {
  peerId: PeerId;
  role: StageRole;
  /** Muted by themselves (speakers join the stage this way). */
  selfMuted: boolean;
  /** Muted by the host or a co-host: they cannot unmute until it is lifted. */
  moderatorMuted: boolean;
  producerId: string | null;
};

export type SpeakRequest = Person & { peerId: PeerId; accountId: string; at: number };

export type Stage = { readonly seats: readonly Seat[]; readonly requests: readonly SpeakRequest[] };

export const STAGE_ACTIONS = [
  'publish',
  'setOwnMute',
  'requestToSpeak',
  'cancelRequest',
  'answerRequest',
  'muteSpeaker',
  'moveToListener',
  'leaveStage',
  'remove',
  'react',
  'seeRequests',
  'endSpace',
  'manageCaptions',
] as const;
export type StageAction = (typeof STAGE_ACTIONS)[number];

/** Who acts: their role in the Space, and whether they are signed in. */
export type Actor = { role: Role; signedIn: boolean };

const RANK: Record<Role, number> = { host: 3, cohost: 2, speaker: 1, listener: 0 };
const NAME: Record<Role, string> = { host: 'the host', cohost: 'a co-host', speaker: 'a speaker', listener: 'a listener' };

type Rule = { roles: readonly Role[]; signedIn?: boolean; below?: boolean; deny: string };

/** Role × action: who may, and what everyone else is told. */
const RULES: Record<StageAction, Rule> = {
  publish: { roles: ['host', 'cohost', 'speaker'], deny: 'Only people on stage can publish audio in this Space.' },
  setOwnMute: { roles: ['host', 'cohost', 'speaker'], deny: 'Only people on stage have a microphone here.' },
  requestToSpeak: { roles: ['listener'], signedIn: true, deny: 'Only listeners ask to speak; you are on stage already.' },
  cancelRequest: { roles: ['listener'], signedIn: true, deny: 'Only listeners have requests to speak.' },
  answerRequest: { roles: ['host', 'cohost'], deny: 'Only the host or a co-host can accept or decline requests to speak.' },
  muteSpeaker: { roles: ['host', 'cohost'], below: true, deny: 'Only the host or a co-host can mute others.' },
  moveToListener: { roles: ['host', 'cohost'], below: true, deny: 'Only the host or a co-host can move someone off the stage.' },
  leaveStage: { roles: ['cohost', 'speaker'], deny: 'Only co-hosts and speakers can leave the stage; the host ends the Space.' },
  remove: { roles: ['host', 'cohost'], below: true, deny: 'Only the host or a co-host can remove someone.' },
  react: { roles: ['speaker', 'listener'], signedIn: true, deny: 'The host and co-hosts see reactions; they do not send them.' },
  seeRequests: { roles: ['host', 'cohost'], deny: 'Only the host and co-hosts see the requests to speak.' },
  endSpace: { roles: ['host'], deny: 'Only the host can end the Space.' },
  manageCaptions: { roles: ['host', 'cohost'], deny: 'Only the host or a co-host can correct and control captions.' },
};

/**
 * May `actor` do `action` (to someone whose role is `target`)? Throws PERMISSION_DENIED
 * with a sentence for the person refused; returns when allowed.
 */
export function authorize(actor: Actor, action: StageAction, target?: Role): void {
  const rule = RULES[action];
  if (!rule.roles.includes(actor.role)) throw new PermissionError(rule.deny);
  if (rule.signedIn && !actor.signedIn) throw new PermissionError('Sign in first: asking to speak and reacting need an account.');
  if (rule.below && target !== undefined && RANK[target] >= RANK[actor.role]) {
    throw new PermissionError(target === 'cohost' ? 'Only the host can do that to a co-host.' : `You cannot do that to ${NAME[target]}.`);
  }
}

/** Whether `actor` may `action` (the table without the sentence). */
export function isAllowed(actor: Actor, action: StageAction, target?: Role): boolean {
  try {
    authorize(actor, action, target);
    return true;
  } catch {
    return false;
  }
}

export function isReaction(emoji: string): emoji is Reaction {
  return (REACTIONS as readonly string[]).includes(emoji);
}

export function isMuted(seat: Seat): boolean {
  return seat.selfMuted || seat.moderatorMuted;
}

/** A stage with only its host on it. */
export function createStage(host: Person & { peerId: PeerId }): Stage {
  return { seats: [{ ...host, role: 'host', selfMuted: false, moderatorMuted: false, producerId: null }], requests: [] };
}

export function seatOf(stage: Stage, peerId: PeerId): Seat | null {
  return stage.seats.find((seat) => seat.peerId === peerId) ?? null;
}

/** The role of a connection in the Space (whoever is not seated listens). */
export function roleOf(stage: Stage, peerId: PeerId): Role {
  return seatOf(stage, peerId)?.role ?? 'listener';
}

export function requestOf(stage: Stage, peerId: PeerId): SpeakRequest | null {
  return stage.requests.find((request) => request.peerId === peerId) ?? null;
}

export function countOf(stage: Stage, role: StageRole): number {
  return stage.seats.filter((seat) => seat.role === role).length;
}

/** Room for one more `role` on the stage, or LIMIT_EXCEEDED. */
function assertRoom(stage: Stage, role: 'cohost' | 'speaker'): void {
  const limit = role === 'cohost' ? MAX_COHOSTS : MAX_SPEAKERS;
  if (countOf(stage, role) >= limit) {
    throw new SpacecraftError('LIMIT_EXCEEDED', role === 'cohost' ? `A Space has at most ${limit} co-hosts.` : `The stage holds at most ${limit} speakers; move one back first.`, { limit });
  }
}

/** A signed-in listener asks to speak (queued in order, at most MAX_PENDING_REQUESTS). */
export function addRequest(stage: Stage, request: SpeakRequest): Stage {
  if (seatOf(stage, request.peerId)) throw new InvalidStateError('You are on stage already.');
  if (requestOf(stage, request.peerId)) throw new InvalidStateError('You have asked to speak already; wait for an answer.');
  if (stage.requests.length >= MAX_PENDING_REQUESTS) {
    throw new SpacecraftError('LIMIT_EXCEEDED', 'Too many people are waiting to speak; try again later.', { limit: MAX_PENDING_REQUESTS });
  }
  return { ...stage, requests: [...stage.requests, request] };
}

/** Drops a connection's request (cancelled or declined); NOT_FOUND when there is none. */
export function dropRequest(stage: Stage, peerId: PeerId): Stage {
  if (!requestOf(stage, peerId)) throw new NotFoundError('There is no request to speak from that person.');
  return { ...stage, requests: stage.requests.filter((request) => request.peerId !== peerId) };
}

/** Accepts a request: the person joins the stage as a speaker, muted. */
export function acceptRequest(stage: Stage, peerId: PeerId): Stage {
  const request = requestOf(stage, peerId);
  if (!request) throw new NotFoundError('There is no request to speak from that person.');
  assertRoom(stage, 'speaker');
  const person: Person & { peerId: PeerId } = { peerId, accountId: request.accountId, handle: request.handle, displayName: request.displayName };
  return {
    seats: [...stage.seats, { ...person, role: 'speaker', selfMuted: true, moderatorMuted: false, producerId: null }],
    requests: stage.requests.filter((r) => r.peerId !== peerId),
  };
}

/**
 * Seats a connection as co-host or speaker without a request (an accepted co-host invite,
 * or a role the account held before it reconnected). A co-host seat may replace a speaker seat.
 */
export function grantSeat(stage: Stage, person: Person & { peerId: PeerId }, role: 'cohost' | 'speaker'): Stage {
  const current = seatOf(stage, person.peerId);
  if (current?.role === role) return stage;
  if (current && RANK[current.role] > RANK[role]) throw new InvalidStateError(`They are ${NAME[current.role]} already.`);
  assertRoom(stage, role);
  const seat: Seat = current
    ? { ...current, role }
    : { ...person, role, selfMuted: true, moderatorMuted: false, producerId: null };
  const seats = current ? stage.seats.map((s) => (s.peerId === person.peerId ? seat : s)) : [...stage.seats, seat];
  return { seats, requests: stage.requests.filter((r) => r.peerId !== person.peerId) };
}

function onStage(stage: Stage, peerId: PeerId): Seat {
  const seat = seatOf(stage, peerId);
  if (!seat) throw new NotFoundError('That person is not on stage.');
  return seat;
}

function replaceSeat(stage: Stage, seat: Seat): Stage {
  return { ...stage, seats: stage.seats.map((s) => (s.peerId === seat.peerId ? seat : s)) };
}

/** Someone on stage mutes or unmutes themselves; unmuting past a moderator mute is refused. */
export function setSelfMuted(stage: Stage, peerId: PeerId, muted: boolean): Stage {
  const seat = onStage(stage, peerId);
  if (!muted && seat.moderatorMuted) throw new PermissionError('The host muted you; you can unmute once they allow it.');
  return seat.selfMuted === muted ? stage : replaceSeat(stage, { ...seat, selfMuted: muted });
}

/** The host or a co-host mutes someone (a lock), or lifts that lock (they stay muted until they unmute). */
export function setModeratorMuted(stage: Stage, peerId: PeerId, muted: boolean): Stage {
  const seat = onStage(stage, peerId);
  if (seat.role === 'host') throw new PermissionError('Nobody mutes the host but the host.');
  return replaceSeat(stage, muted ? { ...seat, moderatorMuted: true, selfMuted: true } : { ...seat, moderatorMuted: false });
}

/** Off the stage, back to listening (moved, left, or removed). The host's seat never leaves. */
export function unseat(stage: Stage, peerId: PeerId): Stage {
  const seat = seatOf(stage, peerId);
  if (seat?.role === 'host') throw new InvalidStateError('The host stays on stage.');
  return seat ? { ...stage, seats: stage.seats.filter((s) => s.peerId !== peerId) } : stage;
}

/** A connection left the Space: its seat (not the host's) and its request go. */
export function forget(stage: Stage, peerId: PeerId): Stage {
  const seats = stage.seats.filter((s) => s.peerId !== peerId || s.role === 'host');
  const requests = stage.requests.filter((r) => r.peerId !== peerId);
  return seats.length === stage.seats.length && requests.length === stage.requests.length ? stage : { seats, requests };
}

export function setProducer(stage: Stage, peerId: PeerId, producerId: string | null): Stage {
  return replaceSeat(stage, { ...onStage(stage, peerId), producerId });
}

/** The seat that holds `producerId`, if any. */
export function seatOfProducer(stage: Stage, producerId: string): Seat | null {
  return stage.seats.find((seat) => seat.producerId === producerId) ?? null;
}

/** The host came back on a new connection: the host's seat moves to it. */
export function moveHostSeat(stage: Stage, peerId: PeerId): Stage {
  return { ...stage, seats: stage.seats.map((s) => (s.role === 'host' ? { ...s, peerId, producerId: null } : s)) };
}
