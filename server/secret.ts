/**
 * Secrets compared by their SHA-256 digests in constant time, so neither the
 * content nor the length of the expected secret leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
