/**
 * A Space: a live audio room with one host. Pure rules of its lifecycle and its
 * people; no I/O. Later issues add scheduling, co-hosts, speakers and tickets.
 */
import { InvalidStateError, PermissionError } from '../errors.ts';

export type SpaceId = string & { readonly __brand: 'SpaceId' };
export type PeerId = string & { readonly __brand: 'PeerId' };

export type SpaceStatus = 'scheduled' | 'live' | 'ended' | 'cancelled';
export type Role = 'host' | 'listener';

/** Why a connection to a Space was closed; mapped once to what the client shows. */
export type CloseReason = 'host-ended' | 'host-left' | 'server-shutdown' | 'media-failure';

export type Space = {
  readonly id: SpaceId;
  readonly title: string;
  readonly status: SpaceStatus;
  readonly hostPeerId: PeerId;
  readonly hostMuted: boolean;
  readonly listeners: ReadonlySet<PeerId>;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly endReason: CloseReason | null;
};

const ALLOWED: Record<SpaceStatus, readonly SpaceStatus[]> = {
  scheduled: ['live', 'cancelled'],
  live: ['ended'],
  ended: [],
  cancelled: [],
};

export function canTransition(from: SpaceStatus, to: SpaceStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** A Space that starts at once, hosted by `hostPeerId`. */
export function startSpace(input: { id: SpaceId; title: string; hostPeerId: PeerId; now: number }): Space {
  return {
    id: input.id,
    title: input.title,
    status: 'live',
    hostPeerId: input.hostPeerId,
    hostMuted: false,
    listeners: new Set(),
    startedAt: input.now,
    endedAt: null,
    endReason: null,
  };
}

function assertLive(space: Space): void {
  if (space.status !== 'live') throw new InvalidStateError(`This Space has ${space.status === 'ended' ? 'ended' : 'not started'}.`, 'SPACE_ENDED');
}

export function roleOf(space: Space, peerId: PeerId): Role | null {
  if (space.hostPeerId === peerId) return 'host';
  return space.listeners.has(peerId) ? 'listener' : null;
}

export function addListener(space: Space, peerId: PeerId): Space {
  assertLive(space);
  if (space.hostPeerId === peerId || space.listeners.has(peerId)) return space;
  return { ...space, listeners: new Set([...space.listeners, peerId]) };
}

export function removeListener(space: Space, peerId: PeerId): Space {
  if (!space.listeners.has(peerId)) return space;
  const listeners = new Set(space.listeners);
  listeners.delete(peerId);
  return { ...space, listeners };
}

/** Only the host publishes audio in this first version of the stage. */
export function assertMayPublish(space: Space, peerId: PeerId): void {
  assertLive(space);
  if (space.hostPeerId !== peerId) throw new PermissionError('Only the host can publish audio in this Space.');
}

export function setHostMuted(space: Space, peerId: PeerId, muted: boolean): Space {
  assertMayPublish(space, peerId);
  return space.hostMuted === muted ? space : { ...space, hostMuted: muted };
}

export function endSpace(space: Space, by: PeerId | 'server', reason: CloseReason, now: number): Space {
  if (by !== 'server' && by !== space.hostPeerId) throw new PermissionError('Only the host can end the Space.');
  if (space.status === 'ended') return space;
  if (!canTransition(space.status, 'ended')) throw new InvalidStateError('This Space is not live.');
  // Every connection is closed when a Space ends: nobody is left listening.
  return { ...space, status: 'ended', endedAt: now, endReason: reason, listeners: new Set() };
}
