import { ByteLru } from './byte-lru.js';
import type { CachedObject } from './cached-object.js';

/** Per-entry bookkeeping (key, headers, Map slot) counted on top of the body. */
const OVERHEAD_BYTES = 256;

/**
 * The hot tier: whole objects as Buffers, so a hit is a memory copy to the socket with no file system
 * call (on loopback this beats nginx's sendfile: see docs/benchmarks.md). Bounded by bytes, LRU.
 */
export class RamTier {
  private readonly lru: ByteLru<CachedObject>;

  constructor(
    maxBytes: number,
    /** Larger objects skip RAM (a few huge files must not flush every hot segment). */
    readonly maxObjectBytes = Math.max(1, Math.floor(maxBytes / 16)),
  ) {
    this.lru = new ByteLru(maxBytes);
  }

  get(key: string): CachedObject | undefined {
    return this.lru.get(key);
  }

  set(object: CachedObject): void {
    if (object.body.length > this.maxObjectBytes) return;
    this.lru.set(object.key, object, object.body.length + OVERHEAD_BYTES);
  }

  get bytes(): number {
    return this.lru.bytes;
  }

  get count(): number {
    return this.lru.count;
  }

  keys(): IterableIterator<string> {
    return this.lru.keys();
  }
}
