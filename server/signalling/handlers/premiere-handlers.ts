/**
 * The premiere: the host says what plays. Rate-limited per connection (the
 * studio sends on play, pause, seek and track change, at most one every half
 * second), so a looping client cannot turn every listener's socket into a
 * stream of 48 KB frames; the Space coalesces what goes out on top of that.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { take } from '../limits.ts';
import type { Handler } from './handler.ts';
import { currentSpace } from './space-handlers.ts';

/** Changes of what plays one connection may send per window. */
export const NOW_PLAYING_CHANGES = 20;
export const NOW_PLAYING_WINDOW_S = 10;

const changes = new RateLimiterMemory({ keyPrefix: 'now-playing', points: NOW_PLAYING_CHANGES, duration: NOW_PLAYING_WINDOW_S });

export const setNowPlaying: Handler<'setNowPlaying'> = async (ctx, data) => {
  const space = currentSpace(ctx);
  await take(changes, ctx.session.id, 'What plays changed too often; wait a few seconds.');
  await space.setNowPlaying(ctx.session.id, data.track);
  return {};
};
