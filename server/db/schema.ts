/**
 * The tables as Kysely sees them, one interface per table. Both backends return the same
 * JavaScript types (see `parsers.ts`): int8 → number, bytea → Uint8Array, timestamptz → Date.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { CaptionReplacementsTable, CaptionRevisionsTable, CaptionSegmentsTable, CaptionVocabularyTable } from './caption-schema.ts';

/** Set by the database on insert, read as a Date, never updated by the app. */
type CreatedAt = ColumnType<Date, never, never>;

export interface AccountsTable {
  id: Generated<string>;
  /** Lowercase letters, digits and underscores; unique (an index on lower(handle) too). */
  handle: string;
  display_name: string;
  /** `scrypt$N$r$p$salt$hash` (base64url): the KDF's parameters travel with the hash. */
  password_hash: string;
  created_at: CreatedAt;
}

export interface SessionsTable {
  /** SHA-256 of the bearer token: the token itself is never stored. */
  token_hash: Uint8Array;
  account_id: string;
  created_at: CreatedAt;
  expires_at: Date;
}

export interface FollowsTable {
  follower_id: string;
  followee_id: string;
  created_at: CreatedAt;
}

export interface SpacesTable {
  /** 9 random bytes, base64url: the id in listener links. */
  id: string;
  host_account_id: string;
  title: string;
  status: 'scheduled' | 'live' | 'ended' | 'cancelled';
  scheduled_for: Date | null;
  /** IANA zone the host scheduled in. */
  time_zone: string | null;
  started_at: Date | null;
  ended_at: Date | null;
  end_reason: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

export interface SpaceRolesTable {
  space_id: string;
  account_id: string;
  role: 'cohost' | 'speaker';
  created_at: CreatedAt;
}

export interface SpaceBansTable {
  space_id: string;
  account_id: string;
  created_at: CreatedAt;
}

export interface SpaceInvitesTable {
  id: Generated<string>;
  space_id: string;
  /** The invited account: only it may accept. */
  account_id: string;
  /** SHA-256 of the invite's code: the code itself is never stored. */
  code_hash: Uint8Array;
  created_by: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  created_at: CreatedAt;
}

export interface Tables {
  accounts: AccountsTable;
  sessions: SessionsTable;
  follows: FollowsTable;
  spaces: SpacesTable;
  space_roles: SpaceRolesTable;
  space_bans: SpaceBansTable;
  space_invites: SpaceInvitesTable;
  caption_segments: CaptionSegmentsTable;
  caption_revisions: CaptionRevisionsTable;
  caption_vocabulary: CaptionVocabularyTable;
  caption_replacements: CaptionReplacementsTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type NewAccountRow = Insertable<AccountsTable>;
export type SessionRow = Selectable<SessionsTable>;
export type SpaceRow = Selectable<SpacesTable>;
export type InviteRow = Selectable<SpaceInvitesTable>;
