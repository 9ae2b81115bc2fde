/**
 * Admission control: token buckets in Redis, one per edge and one per worker of that edge. A join
 * takes a token from both buckets at once, or from neither (one Lua script, atomic in Redis, the
 * clock read by Redis itself so nodes with skewed clocks share one bucket). A bucket holds one
 * second of its rate (the burst) and refills continuously.
 */
import type { Redis } from 'ioredis';

/**
 * KEYS: the buckets. ARGV: per bucket, its rate (tokens a second) then its burst.
 * Returns 0 when a token was taken from every bucket, else the milliseconds until every bucket
 * has one again (nothing taken).
 */
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
local tokens = {}
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local b = redis.call('HMGET', key, 'tokens', 'at')
  local have = tonumber(b[1]) or burst
  local at = tonumber(b[2]) or now
  have = math.min(burst, have + math.max(0, now - at) * rate / 1000)
  tokens[i] = have
  if have < 1 then
    local w = math.ceil((1 - have) * 1000 / rate)
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  redis.call('HSET', key, 'tokens', tostring(tokens[i] - 1), 'at', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(burst * 1000 / rate) + 1000)
end
return 0
`;

type WithTake = Redis & { spacecraftTakeTokens(keys: number, ...args: Array<string | number>): Promise<number> };

export type Bucket = { key: string; perSecond: number };

export class Admission {
  readonly #redis: WithTake;

  constructor(redis: Redis) {
    if (!('spacecraftTakeTokens' in redis)) redis.defineCommand('spacecraftTakeTokens', { lua: TAKE_SCRIPT });
    this.#redis = redis as WithTake;
  }

  /** Buckets of a join to `edgeId` placed on its worker `worker`: both share a hash tag (one Redis Cluster slot). */
  static bucketsFor(edgeId: string, worker: number, rates: { edgeJoinsPerSecond: number; workerJoinsPerSecond: number }): Bucket[] {
    return [
      { key: `spacecraft:admit:{${edgeId}}`, perSecond: rates.edgeJoinsPerSecond },
      { key: `spacecraft:admit:{${edgeId}}:worker:${worker}`, perSecond: rates.workerJoinsPerSecond },
    ];
  }

  /** 0: admitted now (a token taken from every bucket); else how many ms until there is room. */
  async take(buckets: readonly Bucket[]): Promise<number> {
    const args = buckets.flatMap((b) => [b.perSecond, Math.max(1, b.perSecond)]);
    return Number(await this.#redis.spacecraftTakeTokens(buckets.length, ...buckets.map((b) => b.key), ...args));
  }
}
