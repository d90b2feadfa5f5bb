/**
 * A least-recently-used map bounded by bytes rather than entries: the bookkeeping both cache tiers
 * share. A Map keeps insertion order, so re-inserting on access makes its first key the least recently
 * used one. `set` returns what it evicted so the disk tier can delete the files.
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; size: number }>();
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Reads without making the entry more recent. */
  peek(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Adds or replaces `key`; an entry larger than the whole budget is not kept (and is returned). */
  set(key: string, value: V, size: number): [string, V][] {
    const evicted: [string, V][] = [];
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.used -= previous.size;
    }
    if (size > this.maxBytes) return [[key, value]];
    this.entries.set(key, { value, size });
    this.used += size;
    for (const [oldKey, entry] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(oldKey);
      this.used -= entry.size;
      evicted.push([oldKey, entry.value]);
    }
    return evicted;
  }

  /**
   * The keys `set` would evict to make room for `size` more bytes, least recently used first (none
   * when it fits); without evicting them. What an admission policy weighs a new entry against.
   */
  victimsFor(size: number): string[] {
    const victims: string[] = [];
    let over = this.used + size - this.maxBytes;
    for (const [key, entry] of this.entries) {
      if (over <= 0) break;
      victims.push(key);
      over -= entry.size;
    }
    return victims;
  }

  delete(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.used -= entry.size;
    return entry.value;
  }

  get bytes(): number {
    return this.used;
  }

  get count(): number {
    return this.entries.size;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }
}
