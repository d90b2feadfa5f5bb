/**
 * Lua scripts behind Redis leases. A lease set is a sorted set: member = holder, score = expiry in ms
 * on the REDIS server's clock (TIME), so instances with skewed clocks still agree on who has lapsed.
 * Each script prunes lapsed holders first and keeps the set's own TTL at its longest lease, so an
 * abandoned set disappears by itself. Redis runs a script atomically: two instances racing for the
 * last slot cannot both get it.
 */

const NOW_AND_PRUNE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
`;

const KEEP_SET_ALIVE = `
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', KEYS[1], last[2]) end
`;

/** KEYS[1] set; ARGV holder, limit, ttlMs → 1 admitted (or renewed), 0 full. */
export const ACQUIRE_LEASE = `${NOW_AND_PRUNE}
local holder, limit, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('ZSCORE', KEYS[1], holder) or redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now + ttl, holder)
  ${KEEP_SET_ALIVE}
  return 1
end
return 0
`;

/** KEYS[1] set; ARGV holder, ttlMs → 1 renewed, 0 lapsed or never held. */
export const RENEW_LEASE = `${NOW_AND_PRUNE}
local holder, ttl = ARGV[1], tonumber(ARGV[2])
if redis.call('ZSCORE', KEYS[1], holder) then
  redis.call('ZADD', KEYS[1], 'XX', now + ttl, holder)
  ${KEEP_SET_ALIVE}
  return 1
end
return 0
`;

/** KEYS[1] set → live holders. */
export const LIVE_HOLDERS = `${NOW_AND_PRUNE}
return redis.call('ZRANGE', KEYS[1], 0, -1)
`;

/** The commands these scripts become on an ioredis client (see defineCommand). */
export interface LeaseCommands {
  marqueeAcquireLease(key: string, holder: string, limit: number, ttlMs: number): Promise<number>;
  marqueeRenewLease(key: string, holder: string, ttlMs: number): Promise<number>;
  marqueeLiveHolders(key: string): Promise<string[]>;
}
