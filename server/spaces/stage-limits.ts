/**
 * How often one account may ask to speak and react (rate-limiter-flexible, in
 * memory, per account): a burst of reactions is fine, a flood is RATE_LIMITED;
 * asking, cancelling and asking again cannot make the host's queue flicker.
 * Each live Space has its own unless one is passed in its options (then the
 * counts hold across the Spaces sharing it).
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { take } from '../signalling/limits.ts';

export type StageLimitOptions = {
  reactionsPer10s: number;
  requestsPerMinute: number;
};

export const DEFAULT_STAGE_LIMITS: StageLimitOptions = { reactionsPer10s: 10, requestsPerMinute: 6 };

export class StageLimits {
  readonly #reactions: RateLimiterMemory;
  readonly #requests: RateLimiterMemory;

  constructor(options: StageLimitOptions = DEFAULT_STAGE_LIMITS) {
    this.#reactions = new RateLimiterMemory({ keyPrefix: 'react', points: options.reactionsPer10s, duration: 10 });
    this.#requests = new RateLimiterMemory({ keyPrefix: 'speak', points: options.requestsPerMinute, duration: 60 });
  }

  reaction(accountId: string): Promise<void> {
    return take(this.#reactions, accountId, 'Too many reactions; wait a few seconds.');
  }

  requestToSpeak(accountId: string): Promise<void> {
    return take(this.#requests, accountId, 'You asked to speak too often; wait a minute.');
  }
}
