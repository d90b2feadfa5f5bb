import { Memo } from '@marquee/platform';

/**
 * A small in-process memo of ready-to-send pages (Buffers) in front of the shared cache. A cache hit
 * otherwise costs a JSON decode of ~20 KB and a string-to-bytes copy per request — most of a cached
 * request's CPU and garbage. Safe to keep per instance because a page's key names everything it was
 * built from (model version, profile generation): an invalidation anywhere changes the key. Bounded in
 * entries and age; the least recently used entry goes first.
 */
export class RecentPages {
  private readonly pages: Memo<string, Buffer>;

  constructor(maxEntries: number, ttlMs: number, now?: () => number) {
    this.pages = new Memo({ max: maxEntries, ttlMs, ...(now ? { now } : {}) });
  }

  get(key: string): Buffer | undefined {
    return this.pages.get(key);
  }

  set(key: string, body: Buffer, ttlMs?: number): void {
    this.pages.set(key, body, ttlMs);
  }

  get size(): number {
    return this.pages.size;
  }
}
