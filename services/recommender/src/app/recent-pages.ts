/**
 * A small in-process memo of ready-to-send pages (Buffers) in front of the shared cache. A cache hit
 * otherwise costs a JSON decode of ~20 KB and a string-to-bytes copy per request — most of a cached
 * request's CPU and garbage. Safe to keep per instance because a page's key names everything it was
 * built from (model version, profile generation): an invalidation anywhere changes the key. Bounded in
 * entries and age; the oldest entry goes first.
 */
export class RecentPages {
  private readonly pages = new Map<string, { body: Buffer; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): Buffer | undefined {
    const entry = this.pages.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.pages.delete(key);
      return undefined;
    }
    return entry.body;
  }

  set(key: string, body: Buffer, ttlMs = this.ttlMs): void {
    if (this.maxEntries <= 0 || ttlMs <= 0) return;
    this.pages.delete(key);
    this.pages.set(key, { body, expiresAt: this.now() + ttlMs });
    while (this.pages.size > this.maxEntries) this.pages.delete(this.pages.keys().next().value!);
  }

  get size(): number {
    return this.pages.size;
  }
}
