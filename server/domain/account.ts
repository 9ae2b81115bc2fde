/**
 * Accounts: the rules for handles, display names and passwords, following, and who may host.
 * Pure: storage is the `AccountStore` port (implemented in server/db), hashing and tokens live in
 * server/accounts. Tested in milliseconds.
 */
import { PermissionError, ValidationError } from '../errors.ts';

export type AccountId = string & { readonly __brand: 'AccountId' };
/** Lowercase letters, digits and underscores, 3–20 characters. */
export type Handle = string & { readonly __brand: 'Handle' };

export const HANDLE_PATTERN = /^[a-z0-9_]{3,20}$/;
export const DISPLAY_NAME_MAX = 50;
export const PASSWORD_MIN = 10;
/** Past this a password is refused: hashing megabytes per attempt would be a denial of service. */
export const PASSWORD_MAX = 256;
export const DEFAULT_HOST_MIN_FOLLOWERS = 600;

export type Account = {
  readonly id: AccountId;
  readonly handle: Handle;
  readonly displayName: string;
  readonly createdAt: Date;
};

export type Profile = Account & { readonly followers: number; readonly following: number };

/**
 * A handle as typed: case does not matter (`Ada` and `ada` are one handle), surrounding spaces are
 * dropped. Null when it cannot be a handle at all.
 */
export function toHandle(input: string): Handle | null {
  const handle = input.trim().toLowerCase();
  return HANDLE_PATTERN.test(handle) ? (handle as Handle) : null;
}

export type SignUp = { handle: Handle; displayName: string; password: string };

/** Checks a sign-up, listing every problem at once (`ValidationError` with `details`). */
export function validateSignUp(input: { handle: string; displayName: string; password: string }): SignUp {
  const problems: string[] = [];
  const handle = toHandle(input.handle);
  if (!handle) problems.push('handle: 3–20 characters: lowercase letters, digits and underscores');
  const displayName = input.displayName.trim().normalize('NFC');
  const length = [...displayName].length;
  if (length < 1 || length > DISPLAY_NAME_MAX) problems.push(`displayName: 1–${DISPLAY_NAME_MAX} characters`);
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(displayName)) problems.push('displayName: no control characters');
  const passwordLength = [...input.password].length;
  if (passwordLength < PASSWORD_MIN) problems.push(`password: at least ${PASSWORD_MIN} characters`);
  if (passwordLength > PASSWORD_MAX) problems.push(`password: at most ${PASSWORD_MAX} characters`);
  if (problems.length > 0 || !handle) throw new ValidationError('That sign-up is not valid.', problems);
  return { handle, displayName, password: input.password };
}

/** A follow must be between two accounts. */
export function assertMayFollow(follower: AccountId, followee: AccountId): void {
  if (follower === followee) throw new PermissionError('You cannot follow yourself.');
}

export type HostingEligibility = { mayHost: boolean; followersNeeded: number };

/** Only accounts with at least `minFollowers` followers may host; the rest learn how many they still need. */
export function hostingEligibility(followers: number, minFollowers: number): HostingEligibility {
  const followersNeeded = Math.max(0, minFollowers - followers);
  return { mayHost: followersNeeded === 0, followersNeeded };
}

/** What the domain needs from storage. Every method is one short statement or transaction. */
export interface AccountStore {
  /** Creates the account, or returns null when the handle is taken. */
  create(account: { handle: Handle; displayName: string; passwordHash: string }): Promise<Account | null>;
  findByHandle(handle: Handle): Promise<(Account & { passwordHash: string }) | null>;
  profile(handle: Handle): Promise<Profile | null>;
  profileById(id: AccountId): Promise<Profile | null>;
  createSession(session: { tokenHash: Uint8Array; accountId: AccountId; expiresAt: Date }): Promise<void>;
  /** The account of an unexpired session. */
  accountForSession(tokenHash: Uint8Array, now: Date): Promise<Account | null>;
  deleteSession(tokenHash: Uint8Array): Promise<void>;
  /** Idempotent: following twice is one follow. */
  follow(follower: AccountId, followee: AccountId): Promise<void>;
  /** Idempotent. */
  unfollow(follower: AccountId, followee: AccountId): Promise<void>;
}
