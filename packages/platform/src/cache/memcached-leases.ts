import { setTimeout as sleep } from 'node:timers/promises';
import { CacheContentionError } from './errors.js';
import { lifetimeOf } from './memcached-entries.js';
import type { MemcachedItems } from './memcached-client.js';
import type { Leases } from './port.js';
import { leaseLimitOf, ttlOf } from './values.js';

/** Holder → expiry, ms on the writer's clock. */
type Holders = Map<string, number>;

/** Lost cas races before a lease call gives up; each lost race means another holder's write went in. */
const MAX_ATTEMPTS = 64;

/**
 * Leases on memcached: a key's holders are one item (JSON pairs of holder and expiry) changed only by
 * read-modify-write with gets/cas, so of two instances racing for the last slot exactly one's cas
 * lands and the other re-reads a full set. Redis decides the same thing in one Lua script on ITS
 * clock; here lapses are decided on each caller's clock (instances must keep their clocks in sync),
 * and memcached may evict the item under memory pressure, which frees every slot of that key early.
 */
export function memcachedLeases(items: MemcachedItems, itemKeyOf: (key: string) => string): Leases {
  /**
   * Applies `decide` to the live holders and writes the result back if it changed, retrying on a lost
   * race. `decide` returns the call's answer and whether the holders must be written.
   */
  async function modify<T>(
    key: string,
    decide: (holders: Holders, now: number) => { answer: T; write: boolean },
  ): Promise<T> {
    const item = itemKeyOf(key);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const found = await items.gets(item);
      const now = Date.now();
      const holders = liveHolders(found?.value, now);
      const { answer, write } = decide(holders, now);
      if (!write) return answer;
      const text = JSON.stringify([...holders]);
      const longest = Math.max(now, ...holders.values());
      const lifetime = lifetimeOf(longest - now, now);
      const landed = found
        ? await items.cas(item, text, found.cas, lifetime)
        : await items.add(item, text, lifetime);
      if (landed) return answer;
      // Someone else wrote in between: back off a little (more each time) so a crowd spreads out.
      if (attempt >= 2) await sleep(Math.random() * attempt);
    }
    throw new CacheContentionError(key, MAX_ATTEMPTS);
  }

  return {
    async acquire(key, holder, limit, ttlMs) {
      leaseLimitOf(limit);
      const ttl = ttlOf(ttlMs);
      return modify(key, (holders, now) => {
        if (!holders.has(holder) && holders.size >= limit) return { answer: false, write: false };
        holders.set(holder, now + ttl);
        return { answer: true, write: true };
      });
    },
    async renew(key, holder, ttlMs) {
      const ttl = ttlOf(ttlMs);
      return modify(key, (holders, now) => {
        if (!holders.has(holder)) return { answer: false, write: false };
        holders.set(holder, now + ttl);
        return { answer: true, write: true };
      });
    },
    async release(key, holder) {
      return modify(key, (holders) => ({ answer: undefined, write: holders.delete(holder) }));
    },
    async holders(key) {
      const value = await items.get(itemKeyOf(key));
      return [...liveHolders(value, Date.now()).keys()];
    },
  };
}

/** The holders an item lists whose lease has not lapsed (a lease whose expiry is now has lapsed). */
export function liveHolders(value: string | undefined, now: number): Holders {
  const holders: Holders = new Map();
  if (value === undefined) return holders;
  let pairs: unknown;
  try {
    pairs = JSON.parse(value);
  } catch {
    return holders; // not ours: treat as empty, the next write replaces it
  }
  if (!Array.isArray(pairs)) return holders;
  for (const pair of pairs) {
    if (!Array.isArray(pair)) continue;
    const [holder, expiresAt] = pair as unknown[];
    if (typeof holder === 'string' && typeof expiresAt === 'number' && expiresAt > now) {
      holders.set(holder, expiresAt);
    }
  }
  return holders;
}
