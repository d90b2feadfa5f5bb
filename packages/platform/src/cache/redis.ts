import { Redis } from 'ioredis';
import { describeCause, safeEndpoint } from '../connection-errors.js';
import { CacheUnavailableError, NotACounterError } from './errors.js';
import type { Cache, Leases } from './port.js';
import { ACQUIRE_LEASE, LIVE_HOLDERS, RENEW_LEASE, type LeaseCommands } from './redis-scripts.js';
import { SingleFlight, getOrLoadThrough } from './single-flight.js';
import { decodeValue, encodeValue, incrementOf, leaseLimitOf, ttlOf } from './values.js';
import { withTimeout } from './with-timeout.js';

export interface RedisCacheOptions {
  url: string;
  /** Prepended to every key, e.g. 'marquee:'; lease sets live under `${prefix}lease:`. */
  prefix?: string;
  /** How long open may take before a bad REDIS_URL fails the start. */
  connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** No cache call may hold a request for longer than this, even while Redis is reconnecting. */
const COMMAND_TIMEOUT_MS = 2_000;

type LeaseClient = Redis & LeaseCommands;

/**
 * Connects (failing fast, naming the host) and returns the Redis cache. After open, a dropped
 * connection is re-established in the background; commands issued meanwhile wait in ioredis's queue
 * for at most one reconnection attempt and COMMAND_TIMEOUT_MS, then reject.
 */
export async function openRedisCache(options: RedisCacheOptions): Promise<Cache> {
  const endpoint = safeEndpoint(options.url);
  const redis = new Redis(options.url, {
    lazyConnect: true,
    connectionName: connectionNameOf(options.prefix),
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  }) as LeaseClient;
  // ioredis reports connection trouble as 'error' events (printed as "Unhandled error event" without a
  // listener) and rejects connect() with a generic "Connection is closed."; the event has the reason.
  let lastError: unknown;
  redis.on('error', (error) => {
    lastError = error;
  });
  try {
    await withTimeout(redis.connect(), options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    await redis.ping();
  } catch (error) {
    redis.disconnect(); // also stops the reconnection loop
    throw new CacheUnavailableError(endpoint, describeCause(lastError ?? error));
  }
  redis.defineCommand('marqueeAcquireLease', { numberOfKeys: 1, lua: ACQUIRE_LEASE });
  redis.defineCommand('marqueeRenewLease', { numberOfKeys: 1, lua: RENEW_LEASE });
  redis.defineCommand('marqueeLiveHolders', { numberOfKeys: 1, lua: LIVE_HOLDERS });
  return redisCache(redis, options.prefix ?? '');
}

function redisCache(redis: LeaseClient, prefix: string): Cache {
  const flights = new SingleFlight();
  const k = (key: string) => `${prefix}${key}`;
  const leaseKey = (key: string) => `${prefix}lease:${key}`;

  const leases: Leases = {
    async acquire(key, holder, limit, ttlMs) {
      return (
        (await redis.marqueeAcquireLease(leaseKey(key), holder, leaseLimitOf(limit), ttlOf(ttlMs))) === 1
      );
    },
    async renew(key, holder, ttlMs) {
      return (await redis.marqueeRenewLease(leaseKey(key), holder, ttlOf(ttlMs))) === 1;
    },
    async release(key, holder) {
      await redis.zrem(leaseKey(key), holder);
    },
    holders(key) {
      return redis.marqueeLiveHolders(leaseKey(key));
    },
  };

  const cache: Cache = {
    async get<T>(key: string) {
      return decodeValue<T>(await redis.get(k(key)));
    },
    async set<T>(key: string, value: T, ttlMs: number) {
      const ttl = ttlOf(ttlMs);
      const text = encodeValue(key, value);
      if (text === undefined) await redis.del(k(key));
      else await redis.set(k(key), text, 'PX', ttl);
    },
    async delete(key: string) {
      await redis.del(k(key));
    },
    getOrLoad(key, ttlMs, loader) {
      return getOrLoadThrough(cache, flights, key, ttlMs, loader);
    },
    async increment(key: string, ttlMs: number, by = 1) {
      // SET NX creates the counter at 0 with its expiry only when it does not exist yet; INCRBY keeps
      // an existing TTL. MULTI makes the pair atomic, so the window starts exactly once.
      const results = await redis
        .multi()
        .set(k(key), '0', 'PX', ttlOf(ttlMs), 'NX')
        .incrby(k(key), incrementOf(by))
        .exec();
      const [, counted] = results ?? [];
      if (counted === undefined) throw new Error(`increment of ${key}: transaction was discarded`);
      const [error, value] = counted;
      if (error) {
        if (/not an integer/i.test(error.message)) throw new NotACounterError(key);
        throw error;
      }
      return Number(value);
    },
    leases,
    async ping() {
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      if (redis.status === 'end') return;
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
  return cache;
}

/** CLIENT LIST shows which prefix (service, test) a connection serves; names cannot contain spaces. */
export function connectionNameOf(prefix: string | undefined): string {
  const name = (prefix ?? '').replace(/[^\w:.-]/g, '_').replace(/:$/, '');
  return name === '' ? 'marquee' : name;
}
