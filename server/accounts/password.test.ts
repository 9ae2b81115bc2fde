import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.ts';
import { hashSessionToken, newSessionToken, SESSION_TOKEN_PATTERN } from './session-token.ts';

describe('passwords and session tokens', () => {
  it('hashes with scrypt, a salt per hash and the parameters stored with it', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b); // salted
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('verifies against the parameters stored with the hash, and refuses a malformed one', async () => {
    const cheap = await hashPassword('correct horse battery', { N: 1024, r: 8, p: 1 });
    expect(cheap.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse battery', cheap)).toBe(true);
    for (const bad of ['', 'bcrypt$x', 'scrypt$0$8$1$abc$def', 'scrypt$1024$8$1$$', cheap.replace(/\$[\w-]+$/, '$AAAA')]) {
      expect(await verifyPassword('correct horse battery', bad), bad).toBe(false);
    }
  });

  it('makes random session tokens and keeps only their SHA-256', () => {
    const one = newSessionToken();
    const two = newSessionToken();
    expect(one.token).toMatch(SESSION_TOKEN_PATTERN);
    expect(one.token).not.toBe(two.token);
    expect(one.hash).toHaveLength(32);
    expect(hashSessionToken(one.token)).toEqual(one.hash);
  });
});
