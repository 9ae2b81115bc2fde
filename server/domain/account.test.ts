import { describe, expect, it } from 'vitest';
import { PermissionError, ValidationError } from '../errors.ts';
import { assertMayFollow, hostingEligibility, toHandle, validateSignUp, type AccountId } from './account.ts';

const valid = { handle: 'ada_99', displayName: 'Ada Lovelace', password: 'correct horse' };

describe('account rules', () => {
  it('reads handles case-insensitively and refuses what cannot be one', () => {
    expect(toHandle('Ada_99')).toBe('ada_99');
    expect(toHandle('  ada  ')).toBe('ada');
    for (const bad of ['ab', 'a'.repeat(21), 'ada-99', 'ada.x', 'ädä', 'ad a', '', 'ad\u0000a']) expect(toHandle(bad), bad).toBeNull();
    expect(toHandle('a'.repeat(20))).toBe('a'.repeat(20));
  });

  it.each([
    ['short handle', { handle: 'ab' }, 'handle'],
    ['handle with a dash', { handle: 'a-b-c' }, 'handle'],
    ['empty display name', { displayName: '   ' }, 'displayName'],
    ['display name of 51 characters', { displayName: 'x'.repeat(51) }, 'displayName'],
    ['display name with a control character', { displayName: 'Ada\u0007' }, 'displayName'],
    ['password of 9 characters', { password: '123456789' }, 'password'],
    ['password of 257 characters', { password: 'p'.repeat(257) }, 'password'],
  ])('refuses a sign-up with a %s', (_name, change, field) => {
    let error: unknown;
    try {
      validateSignUp({ ...valid, ...change });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toEqual([expect.stringMatching(new RegExp(`^${field}:`))]);
  });

  it('lists every problem of a sign-up at once, and normalises what it accepts', () => {
    expect(() => validateSignUp({ handle: 'x', displayName: '', password: 'short' })).toThrow(ValidationError);
    try {
      validateSignUp({ handle: 'x', displayName: '', password: 'short' });
    } catch (e) {
      expect((e as ValidationError).details).toHaveLength(3);
    }
    expect(validateSignUp({ handle: 'ADA', displayName: '  Ada 👩‍💻 ', password: 'ten chars!' })).toEqual({ handle: 'ada', displayName: 'Ada 👩‍💻', password: 'ten chars!' });
    // Emoji count as characters, not UTF-16 units: 50 of them are allowed.
    expect(validateSignUp({ ...valid, displayName: '🎙'.repeat(50) }).displayName).toHaveLength(100);
  });

  it('says how many followers are still needed to host', () => {
    expect(hostingEligibility(0, 600)).toEqual({ mayHost: false, followersNeeded: 600 });
    expect(hostingEligibility(599, 600)).toEqual({ mayHost: false, followersNeeded: 1 });
    expect(hostingEligibility(600, 600)).toEqual({ mayHost: true, followersNeeded: 0 });
    expect(hostingEligibility(10_000, 600)).toEqual({ mayHost: true, followersNeeded: 0 });
    expect(hostingEligibility(0, 0)).toEqual({ mayHost: true, followersNeeded: 0 });
  });

  it('refuses a self-follow', () => {
    expect(() => assertMayFollow('a' as AccountId, 'a' as AccountId)).toThrow(PermissionError);
    expect(() => assertMayFollow('a' as AccountId, 'b' as AccountId)).not.toThrow();
  });
});
