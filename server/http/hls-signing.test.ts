import { describe, expect, it } from 'vitest';
import { HlsSigner } from './hls-signing.ts';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const NOW = Date.UTC(2026, 10, 27, 9, 0, 0);

describe('signed overflow URLs (HlsSigner)', () => {
  it('a token checks for its Space until it expires, then says expired', () => {
    const signer = new HlsSigner(SECRET, 600);
    const { token, expiresAt } = signer.token('space-1', NOW);
    expect(expiresAt * 1000).toBeGreaterThanOrEqual(NOW + 600_000);
    expect(expiresAt * 1000).toBeLessThanOrEqual(NOW + 750_000);
    expect(signer.check('space-1', token, NOW)).toBe('ok');
    expect(signer.check('space-1', token, expiresAt * 1000 - 1)).toBe('ok');
    expect(signer.check('space-1', token, expiresAt * 1000)).toBe('expired');
  });

  it('refuses another Space, another secret, a moved expiry, a flipped character and garbage', () => {
    const signer = new HlsSigner(SECRET, 600);
    const { token } = signer.token('space-1', NOW);
    const [expiry, mac] = token.split('.') as [string, string];
    expect(signer.check('space-2', token, NOW)).toBe('bad-signature');
    expect(new HlsSigner(`${SECRET}!`, 600).check('space-1', token, NOW)).toBe('bad-signature');
    expect(signer.check('space-1', `${Number(expiry) + 60}.${mac}`, NOW)).toBe('bad-signature');
    expect(signer.check('space-1', `${expiry}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`, NOW)).toBe('bad-signature');
    for (const bad of ['', 'open', `${expiry}.`, `.${mac}`, `${expiry}.${mac}=`, `${expiry}.${mac.slice(1)}`, `-1.${mac}`, `${expiry}.${mac}.x`]) {
      expect(signer.check('space-1', bad, NOW)).toBe('malformed');
    }
  });

  it('gives everyone in the same quarter of the lifetime one token (one cached copy per segment)', () => {
    const signer = new HlsSigner(SECRET, 600);
    const start = Math.ceil(NOW / 150_000) * 150_000;
    const a = signer.token('space-1', start + 1000).token;
    const b = signer.token('space-1', start + 149_000).token;
    expect(a).toBe(b);
    expect(signer.token('space-1', start + 151_000).token).not.toBe(a);
  });

  it('needs a secret of 32 bytes or more and a sane lifetime', () => {
    expect(() => new HlsSigner('short', 600)).toThrow(TypeError);
    expect(() => new HlsSigner(SECRET, 0)).toThrow(TypeError);
    expect(() => new HlsSigner(SECRET, 1.5)).toThrow(TypeError);
  });
});
