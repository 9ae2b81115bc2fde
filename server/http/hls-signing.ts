/**
 * Signed overflow URLs: `/hls/<spaceId>/<token>/<file>` where the token is `<expiry>.<HMAC>` over
 * the Space id and the expiry (HMAC-SHA256, base64url). The token sits in the path, so the
 * playlist's relative URIs (init.mp4, seg-N.m4s) carry it without rewriting, and every request is
 * checked on its own (a cache in front keys on the whole path).
 *
 * Expiries are rounded up to a step (a quarter of the lifetime): everyone given a URL in the same
 * step shares one token, so a CDN caches one copy of each segment per step, not one per listener.
 * Every overflow URL is signed, ticketed Space or not: the check costs one HMAC and no lookup; the
 * ticket check happens once, when the URL is handed out (the `OverflowAccess` hook).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export type TokenCheck = 'ok' | 'malformed' | 'expired' | 'bad-signature';

export class HlsSigner {
  readonly #secret: Buffer;
  readonly #ttlSeconds: number;

  constructor(secret: string | Buffer, ttlSeconds: number) {
    this.#secret = Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8');
    if (this.#secret.length < 32) throw new TypeError('the HLS URL secret must be at least 32 bytes');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 4) throw new TypeError('ttlSeconds must be an integer ≥ 4');
    this.#ttlSeconds = ttlSeconds;
  }

  /** A token for `spaceId` valid for at least the lifetime from `nowMs` (and at most 1.25 × it). */
  token(spaceId: string, nowMs = Date.now()): { token: string; expiresAt: number } {
    const step = Math.max(1, Math.floor(this.#ttlSeconds / 4));
    const expiresAt = Math.ceil((Math.floor(nowMs / 1000) + this.#ttlSeconds) / step) * step;
    return { token: `${expiresAt}.${this.#mac(spaceId, expiresAt)}`, expiresAt };
  }

  check(spaceId: string, token: string, nowMs = Date.now()): TokenCheck {
    const match = TOKEN.exec(token);
    if (!match) return 'malformed';
    const expiresAt = Number(match[1]);
    const given = Buffer.from(match[2]!, 'utf8');
    const expected = Buffer.from(this.#mac(spaceId, expiresAt), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad-signature';
    if (expiresAt * 1000 <= nowMs) return 'expired';
    return 'ok';
  }

  #mac(spaceId: string, expiresAt: number): string {
    return createHmac('sha256', this.#secret).update(`${spaceId}\n${expiresAt}`).digest('base64url');
  }
}
