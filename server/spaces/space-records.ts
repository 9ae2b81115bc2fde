/**
 * Ports between the Spaces on air and what lasts (the database): a Space's
 * record and its stage (roles and bans). The database implements them in
 * `server/db/`; the in-memory versions here serve unit tests.
 *
 * A restart loses nothing: the live Spaces, their roles and bans are read back
 * from these records.
 */
import type { CloseReason, SpaceId, SpaceStatus } from '../domain/space.ts';
import { InvalidStateError, NotFoundError, PermissionError } from '../errors.ts';

export type StoredSpace = {
  id: SpaceId;
  hostAccountId: string;
  title: string;
  status: SpaceStatus;
  /** When a scheduled Space is due to start (null for one started at once). */
  scheduledFor: Date | null;
  /** The IANA time zone the host scheduled in (for showing the time the way they set it). */
  timeZone: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  endReason: CloseReason | null;
  /** Scheduled as a premiere (its page says "Premiere starts in …"); absent means not. */
  premiere?: boolean;
  createdAt: Date;
};

export interface SpaceRecords {
  /** A Space starting at once, stored as live. */
  createLive(input: { hostAccountId: string; title: string }): Promise<StoredSpace>;
  /** A scheduled Space goes live (scheduled → live). NOT_FOUND if it is not this host's; INVALID_STATE if it is not scheduled. */
  goLive(id: SpaceId, hostAccountId: string): Promise<StoredSpace>;
  /** live → ended (a no-op when it has already ended). */
  markEnded(id: SpaceId, reason: CloseReason, at: Date): Promise<void>;
  get(id: SpaceId): Promise<StoredSpace | null>;
  /** Spaces stored as live: after a restart, the ones to bring back. */
  listLive(): Promise<StoredSpace[]>;
}

/** Roles that last beyond one connection (host is the Space's own field; listeners are not stored). */
export type StoredRole = 'cohost' | 'speaker';

export interface StageRecords {
  /** Sets or clears (null) an account's role on a Space's stage. */
  saveRole(spaceId: SpaceId, accountId: string, role: StoredRole | null): Promise<void>;
  roles(spaceId: SpaceId): Promise<Array<{ accountId: string; role: StoredRole }>>;
  /** A removed account may not come back to this Space. */
  ban(spaceId: SpaceId, accountId: string): Promise<void>;
  isBanned(spaceId: SpaceId, accountId: string): Promise<boolean>;
}

let nextId = 0;

/** In memory, for unit tests. */
export class MemorySpaceRecords implements SpaceRecords {
  readonly spaces = new Map<SpaceId, StoredSpace>();

  async createLive(input: { hostAccountId: string; title: string }): Promise<StoredSpace> {
    const now = new Date();
    const space: StoredSpace = {
      id: `mem${(nextId++).toString(36)}` as SpaceId,
      hostAccountId: input.hostAccountId,
      title: input.title,
      status: 'live',
      scheduledFor: null,
      timeZone: null,
      startedAt: now,
      endedAt: null,
      endReason: null,
      createdAt: now,
    };
    this.spaces.set(space.id, space);
    return space;
  }

  async goLive(id: SpaceId, hostAccountId: string): Promise<StoredSpace> {
    const space = this.spaces.get(id);
    if (!space || space.hostAccountId !== hostAccountId) throw new NotFoundError('There is no such Space of yours.');
    if (space.status !== 'scheduled') throw new InvalidStateError(`This Space is ${space.status}, not scheduled.`);
    const live = { ...space, status: 'live' as const, startedAt: new Date() };
    this.spaces.set(id, live);
    return live;
  }

  async markEnded(id: SpaceId, reason: CloseReason, at: Date): Promise<void> {
    const space = this.spaces.get(id);
    if (space?.status === 'live') this.spaces.set(id, { ...space, status: 'ended', endReason: reason, endedAt: at });
  }

  async get(id: SpaceId): Promise<StoredSpace | null> {
    return this.spaces.get(id) ?? null;
  }

  async listLive(): Promise<StoredSpace[]> {
    return [...this.spaces.values()].filter((space) => space.status === 'live');
  }
}

/** In memory, for unit tests. */
export class MemoryStageRecords implements StageRecords {
  readonly #roles = new Map<SpaceId, Map<string, StoredRole>>();
  readonly #bans = new Map<SpaceId, Set<string>>();

  async saveRole(spaceId: SpaceId, accountId: string, role: StoredRole | null): Promise<void> {
    const roles = this.#roles.get(spaceId) ?? new Map<string, StoredRole>();
    if (role) roles.set(accountId, role);
    else roles.delete(accountId);
    this.#roles.set(spaceId, roles);
  }

  async roles(spaceId: SpaceId): Promise<Array<{ accountId: string; role: StoredRole }>> {
    return [...(this.#roles.get(spaceId) ?? new Map<string, StoredRole>())].map(([accountId, role]) => ({ accountId, role }));
  }

  async ban(spaceId: SpaceId, accountId: string): Promise<void> {
    const bans = this.#bans.get(spaceId) ?? new Set<string>();
    bans.add(accountId);
    this.#bans.set(spaceId, bans);
  }

  async isBanned(spaceId: SpaceId, accountId: string): Promise<boolean> {
    return this.#bans.get(spaceId)?.has(accountId) ?? false;
  }
}

/** Used by callers that must refuse an account on a Space's ban list. */
export async function assertNotBanned(records: StageRecords, spaceId: SpaceId, accountId: string): Promise<void> {
  if (await records.isBanned(spaceId, accountId)) throw new PermissionError('You were removed from this Space and cannot rejoin it.');
}
