import { LRUCache } from 'lru-cache';
import type { Leases } from './port.js';
import { leaseLimitOf, ttlOf } from './values.js';

/** Holder → expiry (ms on the monotonic clock). */
type Holders = Map<string, number>;

/**
 * Leases held in this process. Each key's holder set lives in an LRU entry whose TTL follows its
 * longest lease, so sets nobody renews disappear by themselves; with more than `maxKeys` live keys the
 * least recently used set is dropped (its holders lose their leases early).
 */
export class MemoryLeases implements Leases {
  readonly #sets: LRUCache<string, Holders>;
  readonly #now: () => number;

  constructor(maxKeys: number, now: () => number = () => performance.now()) {
    this.#sets = new LRUCache<string, Holders>({ max: maxKeys });
    this.#now = now;
  }

  async acquire(key: string, holder: string, limit: number, ttlMs: number): Promise<boolean> {
    leaseLimitOf(limit);
    const ttl = ttlOf(ttlMs);
    const holders = this.#live(key);
    if (!holders.has(holder) && holders.size >= limit) return false;
    holders.set(holder, this.#now() + ttl);
    this.#store(key, holders);
    return true;
  }

  async renew(key: string, holder: string, ttlMs: number): Promise<boolean> {
    const ttl = ttlOf(ttlMs);
    const holders = this.#live(key);
    if (!holders.has(holder)) return false;
    holders.set(holder, this.#now() + ttl);
    this.#store(key, holders);
    return true;
  }

  async release(key: string, holder: string): Promise<void> {
    const holders = this.#live(key);
    holders.delete(holder);
    this.#store(key, holders);
  }

  async holders(key: string): Promise<string[]> {
    return [...this.#live(key).keys()];
  }

  /** The key's holders with lapsed ones removed (a lease whose expiry is now has lapsed). */
  #live(key: string): Holders {
    const now = this.#now();
    const holders = this.#sets.get(key) ?? new Map<string, number>();
    for (const [holder, expiresAt] of holders) if (expiresAt <= now) holders.delete(holder);
    return holders;
  }

  #store(key: string, holders: Holders): void {
    if (holders.size === 0) {
      this.#sets.delete(key);
      return;
    }
    const last = Math.max(...holders.values());
    this.#sets.set(key, holders, { ttl: Math.max(1, Math.ceil(last - this.#now())) });
  }
}
