/**
 * A Space: a live audio room with one host. Pure rules of its lifecycle and its
 * people; no I/O. Who is on its stage, and who may do what there, is
 * domain/stage.ts.
 *
 * Who is connected is kept by the caller (a listener set of 10,000 is not
 * copied per join); the Space keeps the count (everyone connected but the host)
 * and the host.
 */
import { InvalidStateError, PermissionError } from '../errors.ts';

export type SpaceId = string & { readonly __brand: 'SpaceId' };
export type PeerId = string & { readonly __brand: 'PeerId' };

export const SPACE_STATUSES = ['scheduled', 'live', 'ended', 'cancelled'] as const;
export type SpaceStatus = (typeof SPACE_STATUSES)[number];

/**
 * Why a connection to a Space was closed; mapped once to what the client shows.
 * `removed` is one connection's end (the host or a co-host removed them), never the Space's.
 */
export const CLOSE_REASONS = ['host-ended', 'host-left', 'server-shutdown', 'media-failure', 'removed'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

export type Space = {
  readonly id: SpaceId;
  readonly title: string;
  readonly status: SpaceStatus;
  readonly hostPeerId: PeerId;
  /** False while the host's connection is gone and the host may still come back. */
  readonly hostConnected: boolean;
  readonly listenerCount: number;
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
    hostConnected: true,
    listenerCount: 0,
    startedAt: input.now,
    endedAt: null,
    endReason: null,
  };
}

function assertLive(space: Space): void {
  if (space.status !== 'live') throw new InvalidStateError(`This Space has ${space.status === 'ended' ? 'ended' : 'not started'}.`, 'SPACE_ENDED');
}

/** One more listener (the caller makes sure a connection is counted once). */
export function addListener(space: Space, peerId: PeerId): Space {
  assertLive(space);
  if (space.hostPeerId === peerId) throw new InvalidStateError('The host is not a listener.');
  return { ...space, listenerCount: space.listenerCount + 1 };
}

export function removeListener(space: Space): Space {
  return space.listenerCount > 0 ? { ...space, listenerCount: space.listenerCount - 1 } : space;
}

export function assertLiveSpace(space: Space): void {
  assertLive(space);
}

/** The host's connection dropped: the Space waits for the host to come back. */
export function hostDisconnected(space: Space): Space {
  return space.status === 'live' && space.hostConnected ? { ...space, hostConnected: false } : space;
}

/** The host came back on a new connection, within the grace period. */
export function hostReturned(space: Space, peerId: PeerId): Space {
  assertLive(space);
  if (space.hostConnected) throw new InvalidStateError('The host is still connected to this Space.');
  return { ...space, hostPeerId: peerId, hostConnected: true };
}

export function endSpace(space: Space, by: PeerId | 'server', reason: Exclude<CloseReason, 'removed'>, now: number): Space {
  if (by !== 'server' && by !== space.hostPeerId) throw new PermissionError('Only the host can end the Space.');
  if (space.status === 'ended') return space;
  if (!canTransition(space.status, 'ended')) throw new InvalidStateError('This Space is not live.');
  // Every connection is closed when a Space ends: nobody is left listening.
  return { ...space, status: 'ended', endedAt: now, endReason: reason, listenerCount: 0 };
}
