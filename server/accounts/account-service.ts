/**
 * Sign-up, sign-in and sign-out, profiles and follows: the domain's rules over the `AccountStore`
 * port, with hashing, tokens and rate limits. HTTP routes call this; nothing here knows HTTP.
 *
 * Sign-in attempts are limited per IP address and per handle (rate-limiter-flexible, in memory;
 * the same API over Redis when nodes must share counts): a guesser is slowed whatever addresses
 * or handles they rotate.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import {
  assertMayFollow,
  hostingEligibility,
  toHandle,
  validateSignUp,
  type Account,
  type AccountStore,
  type HostingEligibility,
  type Profile,
} from '../domain/account.ts';
import { NotFoundError, PermissionError, SpacecraftError } from '../errors.ts';
import { FailureLock, take } from '../signalling/limits.ts';
import { decoyHash, hashPassword, verifyPassword, type ScryptParams } from './password.ts';
import { hashSessionToken, newSessionToken, SESSION_TOKEN_PATTERN } from './session-token.ts';

export type AccountLimits = {
  /** Sign-in and sign-up attempts one IP address may make per 10 minutes. */
  attemptsPerIp: number;
  /** Failed sign-ins one handle may take per 15 minutes. */
  failedSignInsPerHandle: number;
};

export type AccountServiceOptions = {
  hostMinFollowers: number;
  sessionDays: number;
  limits: AccountLimits;
  /** Lower scrypt cost for tests only. */
  scryptParams?: ScryptParams;
};

export type Session = { token: string; expiresAt: Date; account: Account };
export type OwnProfile = Profile & HostingEligibility;

const SIGN_IN_FAILED = 'That handle and password do not match an account.';

export class AccountService {
  readonly #store: AccountStore;
  readonly #options: AccountServiceOptions;
  readonly #attemptsPerIp: RateLimiterMemory;
  readonly #failuresPerHandle: FailureLock;

  constructor(store: AccountStore, options: AccountServiceOptions) {
    this.#store = store;
    this.#options = options;
    this.#attemptsPerIp = new RateLimiterMemory({ keyPrefix: 'account-ip', points: options.limits.attemptsPerIp, duration: 600 });
    this.#failuresPerHandle = new FailureLock({ keyPrefix: 'signin-handle', points: options.limits.failedSignInsPerHandle, seconds: 900 });
  }

  async signUp(ip: string, input: { handle: string; displayName: string; password: string }): Promise<Session> {
    const valid = validateSignUp(input);
    await take(this.#attemptsPerIp, ip, 'Too many attempts from your address; wait a few minutes and try again.');
    const passwordHash = await hashPassword(valid.password, this.#options.scryptParams);
    const account = await this.#store.create({ handle: valid.handle, displayName: valid.displayName, passwordHash });
    if (!account) throw new SpacecraftError('INVALID_STATE', `The handle @${valid.handle} is taken.`, { field: 'handle' });
    return this.#openSession(account);
  }

  async signIn(ip: string, input: { handle: string; password: string }): Promise<Session> {
    await take(this.#attemptsPerIp, ip, 'Too many sign-in attempts from your address; wait a few minutes and try again.');
    const handle = toHandle(input.handle);
    const key = handle ?? input.handle.trim().toLowerCase().slice(0, 64);
    await this.#failuresPerHandle.assertOpen(key, 'Too many failed sign-ins for this handle; wait a few minutes and try again.');
    const found = handle ? await this.#store.findByHandle(handle) : null;
    // An unknown handle costs the same scrypt as a wrong password: timing does not tell which.
    const matches = await verifyPassword(input.password, found?.passwordHash ?? (await decoyHash()));
    if (!found || !matches) {
      await this.#failuresPerHandle.failed(key);
      throw new PermissionError(SIGN_IN_FAILED);
    }
    return this.#openSession({ id: found.id, handle: found.handle, displayName: found.displayName, createdAt: found.createdAt });
  }

  async signOut(token: string): Promise<void> {
    if (SESSION_TOKEN_PATTERN.test(token)) await this.#store.deleteSession(hashSessionToken(token));
  }

  /** The signed-in account of a bearer token, or `PERMISSION_DENIED`. */
  async authenticate(token: string | null): Promise<Account> {
    const account = token && SESSION_TOKEN_PATTERN.test(token) ? await this.#store.accountForSession(hashSessionToken(token), new Date()) : null;
    if (!account) throw new PermissionError('Sign in first (your session is missing or has expired).');
    return account;
  }

  async profile(handleInput: string): Promise<Profile> {
    const handle = toHandle(handleInput);
    const profile = handle ? await this.#store.profile(handle) : null;
    if (!profile) throw new NotFoundError('There is no account with that handle.');
    return profile;
  }

  /** The signed-in account's own profile, with whether it may host and how many followers it still needs. */
  async ownProfile(account: Account): Promise<OwnProfile> {
    const profile = await this.#store.profileById(account.id);
    if (!profile) throw new NotFoundError('This account no longer exists.');
    return { ...profile, ...hostingEligibility(profile.followers, this.#options.hostMinFollowers) };
  }

  /** An account by id (its public names), or null when there is none. */
  async accountById(accountId: string): Promise<{ id: string; handle: string; displayName: string } | null> {
    const profile = await this.#store.profileById(accountId as Account['id']);
    return profile ? { id: profile.id, handle: profile.handle, displayName: profile.displayName } : null;
  }

  /** Whether an account may host, and how many followers it still needs. */
  async eligibility(accountId: Account['id']): Promise<HostingEligibility> {
    const profile = await this.#store.profileById(accountId);
    if (!profile) throw new NotFoundError('This account no longer exists.');
    return hostingEligibility(profile.followers, this.#options.hostMinFollowers);
  }

  async follow(account: Account, handle: string): Promise<Profile> {
    const target = await this.profile(handle);
    assertMayFollow(account.id, target.id);
    await this.#store.follow(account.id, target.id);
    return this.profile(target.handle);
  }

  async unfollow(account: Account, handle: string): Promise<Profile> {
    const target = await this.profile(handle);
    assertMayFollow(account.id, target.id);
    await this.#store.unfollow(account.id, target.id);
    return this.profile(target.handle);
  }

  async #openSession(account: Account): Promise<Session> {
    const { token, hash } = newSessionToken();
    const expiresAt = new Date(Date.now() + this.#options.sessionDays * 24 * 3600 * 1000);
    await this.#store.createSession({ tokenHash: hash, accountId: account.id, expiresAt });
    return { token, expiresAt, account };
  }
}
