import { ValidationError } from '@marquee/core';
import { describeCause, safeEndpoint } from '../connection-errors.js';
import { CacheContentionError, CacheUnavailableError, NotACounterError } from './errors.js';
import { memcachedItems, type MemcachedItems } from './memcached-client.js';
import {
  counterEntry,
  countOf,
  decodeEntry,
  itemKey,
  lifetimeOf,
  newWindowId,
  storedCount,
  valueEntry,
} from './memcached-entries.js';
import { memcachedLeases } from './memcached-leases.js';
import type { Cache } from './port.js';
import { SingleFlight, getOrLoadThrough } from './single-flight.js';
import { decodeValue, encodeValue, incrementOf, ttlOf } from './values.js';
import { withTimeout } from './with-timeout.js';

export interface MemcachedCacheOptions {
  /** memcached://host[:port] (port 11211 by default). */
  url: string;
  /** Prepended to every item name, e.g. 'marquee:'. */
  prefix?: string;
  connectTimeoutMs?: number;
  /** Told once at open what this engine cannot guarantee that Redis does. */
  logger?: { warn(details: object, message: string): void };
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** No cache call may hold a request for longer than this (as with Redis). */
const COMMAND_TIMEOUT_MS = 2_000;
/** Lost add/cas races before increment() gives up (each loss means another caller's window went in). */
const MAX_ATTEMPTS = 32;

/** What the operator is told at open; docs/adapters.md says the same at more length. */
export const MEMCACHED_CAVEATS = [
  "expiry and lease lapses are decided on each Marquee process's clock (keep them NTP-synced), not the cache server's",
  'memcached evicts under memory pressure: a rate-limit window or a stream lease can vanish early (run memcached with -M, or enough -m, to refuse instead)',
  'values larger than the item size limit (1 MiB by default) are not cached',
  'nothing survives a memcached restart and there is no replication',
];

/** The server of a memcached:// URL; credentials are refused (the text protocol has no login). */
export function memcachedServerOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('memcached URL is not a URL');
  }
  if (parsed.protocol !== 'memcached:' || parsed.hostname === '') {
    throw new ValidationError('memcached URL must look like memcached://host[:port]');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new ValidationError(
      'memcached URL carries credentials, but memcached has no login over its text protocol: keep it on a private network and drop them from the URL',
    );
  }
  return `${parsed.hostname}:${parsed.port || '11211'}`;
}

/**
 * Connects (failing fast, naming the host), warns what degrades against Redis, and returns the cache.
 *
 * @example
 *   const cache = await openMemcachedCache({ url: 'memcached://127.0.0.1:11211', prefix: 'marquee:', logger });
 */
export async function openMemcachedCache(options: MemcachedCacheOptions): Promise<Cache> {
  const server = memcachedServerOf(options.url);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const items = memcachedItems({ server, connectTimeoutMs, commandTimeoutMs: COMMAND_TIMEOUT_MS });
  let version: string;
  try {
    version = await withTimeout(items.version(), connectTimeoutMs);
  } catch (error) {
    items.close();
    throw new CacheUnavailableError(safeEndpoint(options.url), describeCause(error), 'Memcached');
  }
  options.logger?.warn(
    { cache: 'memcached', server, version, caveats: MEMCACHED_CAVEATS },
    'cache on memcached: weaker guarantees than Redis (see docs/adapters.md)',
  );
  return memcachedCache(items, options.prefix ?? '');
}

function memcachedCache(items: MemcachedItems, prefix: string): Cache {
  const flights = new SingleFlight();
  const entryKey = (key: string) => itemKey(prefix, key);
  const countKey = (windowId: string) => itemKey(prefix, `#count:${windowId}`);

  /** Starts a counter window at `count` expiring at `expiresAt`, in place of `found` (absent or lapsed). */
  async function startWindow(
    key: string,
    found: { cas: string } | undefined,
    count: number,
    expiresAt: number,
    now: number,
  ): Promise<boolean> {
    const windowId = newWindowId();
    const lifetime = lifetimeOf(expiresAt - now, now);
    // The count first: once the header is visible, its count must exist.
    if (!(await items.set(countKey(windowId), storedCount(count), lifetime))) return false;
    const header = counterEntry(expiresAt, windowId);
    const landed = found
      ? await items.cas(entryKey(key), header, found.cas, lifetime)
      : await items.add(entryKey(key), header, lifetime);
    if (!landed) await items.delete(countKey(windowId)); // another caller's window won
    return landed;
  }

  const cache: Cache = {
    async get<T>(key: string) {
      const entry = decodeEntry(await items.get(entryKey(key)));
      if (entry === undefined || entry.expiresAt <= Date.now()) return undefined;
      if (entry.kind === 'value') return decodeValue<T>(entry.json);
      return countOf(await items.get(countKey(entry.windowId))) as T | undefined;
    },
    async set<T>(key: string, value: T, ttlMs: number) {
      const ttl = ttlOf(ttlMs);
      const text = encodeValue(key, value);
      if (text === undefined) return items.delete(entryKey(key));
      const now = Date.now();
      const stored = await items.set(entryKey(key), valueEntry(now + ttl, text), lifetimeOf(ttl, now));
      // Too large for memcached: behave as an immediate eviction, never leave the old value behind.
      if (!stored) await items.delete(entryKey(key));
    },
    delete(key: string) {
      return items.delete(entryKey(key));
    },
    getOrLoad(key, ttlMs, loader) {
      return getOrLoadThrough(cache, flights, key, ttlMs, loader);
    },
    async increment(key: string, ttlMs: number, by = 1) {
      const ttl = ttlOf(ttlMs);
      const delta = incrementOf(by);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const found = await items.gets(entryKey(key));
        const now = Date.now();
        const entry = decodeEntry(found?.value);
        const live = entry !== undefined && entry.expiresAt > now ? entry : undefined;
        if (live?.kind === 'counter') {
          const counted = countOf(await items.add64(countKey(live.windowId), delta));
          if (counted !== undefined) return counted;
          // The count was evicted while its window lives: start the window over.
          if (await startWindow(key, found, delta, now + ttl, now)) return delta;
          continue;
        }
        // A live integer set() with set() counts on from there and keeps its expiry, as INCRBY does.
        let start = 0;
        let expiresAt = now + ttl;
        if (live?.kind === 'value') {
          const current = decodeValue<unknown>(live.json);
          if (!Number.isSafeInteger(current)) throw new NotACounterError(key);
          start = current as number;
          expiresAt = live.expiresAt;
        }
        if (await startWindow(key, found, start + delta, expiresAt, now)) return start + delta;
      }
      throw new CacheContentionError(key, MAX_ATTEMPTS);
    },
    leases: memcachedLeases(items, (key) => itemKey(prefix, `lease:${key}`)),
    async ping() {
      try {
        await items.version();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      items.close();
    },
  };
  return cache;
}
