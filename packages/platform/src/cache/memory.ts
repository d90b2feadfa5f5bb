import { LRUCache } from 'lru-cache';
import { NotACounterError } from './errors.js';
import { MemoryLeases } from './memory-leases.js';
import type { Cache } from './port.js';
import { SingleFlight, getOrLoadThrough } from './single-flight.js';
import { decodeValue, encodeValue, incrementOf, ttlOf } from './values.js';

export const DEFAULT_MAX_ENTRIES = 10_000;

export interface MemoryCacheOptions {
  /** Most entries kept (values and counters together; lease keys separately); least recently used go first. */
  maxEntries?: number;
}

/**
 * The in-process cache of monolithic mode: an LRU of JSON text with a TTL per entry. Values and counters
 * share one key space, as they do in Redis, so code that reads a counter with get() or deletes it to
 * reset it behaves the same on both adapters.
 */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const max = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const entries = new LRUCache<string, string>({ max });
  const leases = new MemoryLeases(max);
  const flights = new SingleFlight();

  const cache: Cache = {
    async get<T>(key: string) {
      return decodeValue<T>(entries.get(key));
    },
    async set<T>(key: string, value: T, ttlMs: number) {
      const ttl = ttlOf(ttlMs);
      const text = encodeValue(key, value);
      if (text === undefined) entries.delete(key);
      else entries.set(key, text, { ttl });
    },
    async delete(key: string) {
      entries.delete(key);
    },
    getOrLoad(key, ttlMs, loader) {
      return getOrLoadThrough(cache, flights, key, ttlMs, loader);
    },
    async increment(key: string, ttlMs: number, by = 1) {
      const ttl = ttlOf(ttlMs);
      const current = decodeValue<unknown>(entries.get(key)) ?? 0;
      if (!Number.isSafeInteger(current)) throw new NotACounterError(key);
      const next = (current as number) + incrementOf(by);
      // noUpdateTTL: an existing counter keeps the expiry it got when created (a fixed window);
      // a missing or expired one is inserted with a fresh TTL.
      entries.set(key, String(next), { ttl, noUpdateTTL: true });
      return next;
    },
    leases,
    async ping() {
      return true;
    },
    async close() {
      entries.clear();
    },
  };
  return cache;
}
