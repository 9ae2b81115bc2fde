/**
 * Ports for what scheduling and co-host invites keep in the database (implemented in
 * `server/db/space-store.ts` and `server/db/invite-store.ts`). Each method is one short
 * transaction that checks the rules of `domain/schedule.ts` on the rows it locks, so two requests
 * racing each other cannot both pass a bound (a host's 50 scheduled Spaces, a Space's 2 co-hosts)
 * or both use one invite.
 */
import type { Schedule, ScheduleEdit } from '../domain/schedule.ts';
import type { SpaceId } from '../domain/space.ts';
import type { StoredSpace } from './space-records.ts';

export type SpaceHost = { handle: string; displayName: string };
export type PublicSpace = StoredSpace & { host: SpaceHost };

export interface ScheduleRecords {
  /** A new scheduled Space; LIMIT_EXCEEDED when the host already has the most scheduled Spaces. */
  schedule(hostAccountId: string, schedule: Schedule): Promise<StoredSpace>;
  /**
   * Changes a scheduled Space of this host: NOT_FOUND when there is no such Space, PERMISSION_DENIED
   * when it is someone else's, INVALID_STATE when it is no longer scheduled.
   */
  edit(id: SpaceId, hostAccountId: string, edit: ScheduleEdit, at: Date): Promise<StoredSpace>;
  /** scheduled → cancelled (same refusals as `edit`); its pending invites are revoked with it. */
  cancel(id: SpaceId, hostAccountId: string, at: Date): Promise<StoredSpace>;
  /** The host's scheduled and live Spaces, and those cancelled in the last 7 days with tickets sold, soonest first. */
  upcoming(hostAccountId: string): Promise<StoredSpace[]>;
  /** A Space with its host's public name, for its page. */
  publicSpace(id: SpaceId): Promise<PublicSpace | null>;
}

export type InviteId = string & { readonly __brand: 'InviteId' };

export type StoredInvite = {
  id: InviteId;
  spaceId: SpaceId;
  accountId: string;
  handle: string;
  displayName: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
};

export interface InviteRecords {
  /**
   * A new invite of `accountId` to the host's Space, stored as the hash of its code. Refused as the
   * domain's rules say (only the host, a scheduled or live Space, bounded pending and total).
   * A pending invite of the same account to the same Space is revoked: one live code per person.
   */
  create(input: { spaceId: SpaceId; hostAccountId: string; accountId: string; codeHash: Uint8Array; expiresAt: Date; now: Date }): Promise<StoredInvite>;
  /** The Space's invites, newest first (the host's only). */
  list(spaceId: SpaceId, hostAccountId: string): Promise<StoredInvite[]>;
  /** Revokes a pending invite (idempotent); INVALID_STATE for one already used. */
  revoke(spaceId: SpaceId, inviteId: string, hostAccountId: string, at: Date): Promise<void>;
  /**
   * Uses the invite whose code hashes to `codeHash`, by the account it names, once, before it
   * expires and unless revoked, and makes that account a co-host, all in one transaction: a refusal
   * (a typed error) leaves the invite as it was.
   */
  accept(codeHash: Uint8Array, accountId: string, now: Date): Promise<{ spaceId: SpaceId; role: 'cohost' }>;
}
