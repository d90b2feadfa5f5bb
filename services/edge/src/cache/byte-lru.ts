import { LRUCache } from 'lru-cache';

/** An entry with the size it was set with: victimsFor weighs entries by it. */
interface Sized<V> {
  value: V;
  size: number;
}

/**
 * A least-recently-used map bounded by bytes rather than entries: the bookkeeping both cache tiers
 * share, on lru-cache (its `maxSize` with each entry's size). Only `maxSize` is given, never `max`:
 * lru-cache allocates `max` slots up front, and a tier's entry count is not known in advance. `set`
 * returns what it evicted so the disk tier can delete the files.
 */
export class ByteLru<V> {
  /** Absent when the budget holds nothing (lru-cache refuses a maxSize below 1). */
  private readonly lru: LRUCache<string, Sized<V>> | undefined;
  /** What the `set` under way evicted, least recently used first (lru-cache's dispose reports it). */
  private evicted: [string, V][] | undefined;

  constructor(readonly maxBytes: number) {
    if (maxBytes < 1) return;
    this.lru = new LRUCache<string, Sized<V>>({
      maxSize: Math.floor(maxBytes),
      dispose: (entry, key, reason) => {
        if (reason === 'evict') this.evicted?.push([key, entry.value]);
      },
    });
  }

  get(key: string): V | undefined {
    return this.lru?.get(key)?.value;
  }

  /** Reads without making the entry more recent. */
  peek(key: string): V | undefined {
    return this.lru?.peek(key)?.value;
  }

  has(key: string): boolean {
    return this.lru?.has(key) ?? false;
  }

  /**
   * Adds or replaces `key` (`size`: a positive integer, as lru-cache requires); an entry larger than the
   * whole budget is not kept (and is returned).
   */
  set(key: string, value: V, size: number): [string, V][] {
    if (!this.lru || size > this.maxBytes) {
      this.lru?.delete(key);
      return [[key, value]];
    }
    const evicted: [string, V][] = [];
    this.evicted = evicted;
    // A new object each time: lru-cache keeps the old size when the value set is the same object.
    this.lru.set(key, { value, size }, { size });
    this.evicted = undefined;
    return evicted;
  }

  /**
   * The keys `set` would evict to make room for `size` more bytes, least recently used first (none
   * when it fits); without evicting them. What an admission policy weighs a new entry against.
   */
  victimsFor(size: number): string[] {
    const victims: string[] = [];
    let over = this.bytes + size - this.maxBytes;
    if (over <= 0 || !this.lru) return victims;
    // lru-cache types rentries() as (K | V)[]; it yields [key, value] pairs, as entries() does.
    for (const [key, entry] of this.lru.rentries() as Iterable<[string, Sized<V>]>) {
      victims.push(key);
      over -= entry.size;
      if (over <= 0) break;
    }
    return victims;
  }

  delete(key: string): V | undefined {
    const entry = this.lru?.peek(key);
    if (entry) this.lru?.delete(key);
    return entry?.value;
  }

  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }

  get count(): number {
    return this.lru?.size ?? 0;
  }

  /** Keys, least recently used first. */
  keys(): IterableIterator<string> {
    return this.lru?.rkeys() ?? [].values();
  }
}
