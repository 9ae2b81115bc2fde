/**
 * The tables as Kysely sees them, one interface per table. Both backends return the same
 * JavaScript types (see `parsers.ts`): int8 → number, bytea → Uint8Array, timestamptz → Date.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

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

export interface Tables {
  accounts: AccountsTable;
  sessions: SessionsTable;
  follows: FollowsTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type NewAccountRow = Insertable<AccountsTable>;
export type SessionRow = Selectable<SessionsTable>;
