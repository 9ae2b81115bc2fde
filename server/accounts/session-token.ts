/**
 * Session tokens: 32 random bytes, given to the client once (base64url); only their SHA-256 is
 * stored, so a copy of the database signs no one in.
 */
import { createHash, randomBytes } from 'node:crypto';

export function newSessionToken(): { token: string; hash: Uint8Array } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashSessionToken(token) };
}

export function hashSessionToken(token: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(token).digest());
}

/** A token as the client sends it: 43 base64url characters. */
export const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
