/**
 * Per-IP rate limits at the edge (rate-limiter-flexible, in memory; the same
 * library speaks Redis when several nodes must share the counts):
 * new connections, joins, and failed sign-ins over the socket (a wrong
 * session token five times in a minute locks sign-in from that address for
 * the minute).
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { SpacecraftError } from '../errors.ts';

export const FAILED_SIGN_INS_PER_MINUTE = 5;

export class RateLimitedError extends SpacecraftError {
  constructor(message: string, retryAfterMs: number) {
    super('RATE_LIMITED', message, { retryAfterMs: Math.ceil(retryAfterMs) });
    this.name = 'RateLimitedError';
  }
}

/** Takes one point from `key`, or throws RATE_LIMITED with the time until the next one. */
export async function take(limiter: RateLimiterMemory, key: string, message: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) throw new RateLimitedError(message, rejection.msBeforeNext);
    throw rejection;
  }
}

/**
 * Failed attempts per key (an address, a handle): after `points` failures within `seconds`,
 * every attempt is refused with RATE_LIMITED until the window passes, even a right one.
 */
export class FailureLock {
  readonly #failures: RateLimiterMemory;
  readonly #points: number;

  constructor(options: { keyPrefix: string; points: number; seconds: number }) {
    this.#points = options.points;
    this.#failures = new RateLimiterMemory({ keyPrefix: options.keyPrefix, points: options.points, duration: options.seconds });
  }

  async assertOpen(key: string, message: string): Promise<void> {
    const used = await this.#failures.get(key);
    if (used && used.consumedPoints >= this.#points) throw new RateLimitedError(message, used.msBeforeNext);
  }

  async failed(key: string): Promise<void> {
    await this.#failures.penalty(key, 1);
  }
}

export class EdgeLimits {
  readonly #connections: RateLimiterMemory;
  readonly #joins: RateLimiterMemory;
  readonly #failedSignIns = new FailureLock({ keyPrefix: 'ws-signin-fail', points: FAILED_SIGN_INS_PER_MINUTE, seconds: 60 });

  constructor(limits: { connectionsPerIpPerMinute: number; joinsPerIpPerMinute: number }) {
    this.#connections = new RateLimiterMemory({ keyPrefix: 'conn', points: limits.connectionsPerIpPerMinute, duration: 60 });
    this.#joins = new RateLimiterMemory({ keyPrefix: 'join', points: limits.joinsPerIpPerMinute, duration: 60 });
  }

  connection(ip: string): Promise<void> {
    return take(this.#connections, ip, 'Too many connections from your address; wait a moment and try again.');
  }

  join(ip: string): Promise<void> {
    return take(this.#joins, ip, 'Too many joins from your address; wait a moment and try again.');
  }

  /** Refuses signing in over the socket from an address that has used up its failed attempts (guessed session tokens). */
  assertMayTrySignIn(ip: string): Promise<void> {
    return this.#failedSignIns.assertOpen(ip, 'Too many failed sign-ins from your address; wait a minute.');
  }

  signInFailed(ip: string): Promise<void> {
    return this.#failedSignIns.failed(ip);
  }
}
