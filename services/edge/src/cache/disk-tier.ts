import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@marquee/core';
import { ByteLru } from './byte-lru.js';
import type { CachedObject } from './cached-object.js';

interface Entry {
  key: string;
  etag: string;
  contentType: string;
  size: number;
}

/** Bytes of the metadata sidecar and file system slack, counted per object. */
const OVERHEAD_BYTES = 4096;

/**
 * The warm tier: objects as files under `<root>/<hash[0..2]>/<hash>` with a JSON sidecar holding the
 * key, ETag and type, so the tier is rebuilt from disk on start (least recently written evicted
 * first; recency then follows reads). Bounded by bytes, LRU. Writes are atomic (temporary file,
 * then rename): a crash mid-write leaves a temp file that the next start deletes, never a torn object.
 */
export class DiskTier {
  private readonly lru: ByteLru<Entry>;

  constructor(
    private readonly root: string,
    maxBytes: number,
    private readonly logger: Logger,
    /** Larger objects are not kept on disk either. */
    readonly maxObjectBytes = Math.max(1, Math.floor(maxBytes / 8)),
  ) {
    this.lru = new ByteLru(maxBytes);
  }

  /** Loads what an earlier run left on disk; removes torn writes and orphans. */
  async open(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const found: { hash: string; entry: Entry; mtime: number }[] = [];
    for (const dir of await readdir(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      const files = await readdir(join(this.root, dir));
      for (const file of files) {
        const path = join(this.root, dir, file);
        if (file.includes('.tmp-')) {
          await rm(path, { force: true });
          continue;
        }
        if (!file.endsWith('.json')) continue;
        const hash = file.slice(0, -'.json'.length);
        try {
          const entry = JSON.parse(await readFile(path, 'utf8')) as Entry;
          const info = await stat(this.bodyPath(hash));
          if (info.size !== entry.size || this.hashOf(entry.key) !== hash) throw new Error('mismatch');
          found.push({ hash, entry, mtime: info.mtimeMs });
        } catch {
          await Promise.all([rm(path, { force: true }), rm(this.bodyPath(hash), { force: true })]);
        }
      }
    }
    found.sort((a, b) => a.mtime - b.mtime);
    for (const { hash, entry } of found) await this.remember(hash, entry);
    this.logger.info({ objects: this.lru.count, bytes: this.lru.bytes }, 'edge disk tier loaded');
  }

  async get(key: string): Promise<CachedObject | undefined> {
    const hash = this.hashOf(key);
    const entry = this.lru.get(hash);
    if (!entry) return undefined;
    try {
      const body = await readFile(this.bodyPath(hash));
      if (body.length !== entry.size) throw new Error('size changed');
      return { key, body, etag: entry.etag, contentType: entry.contentType };
    } catch {
      this.lru.delete(hash);
      return undefined;
    }
  }

  async put(object: CachedObject): Promise<void> {
    if (object.body.length > this.maxObjectBytes) return;
    const hash = this.hashOf(object.key);
    const entry: Entry = {
      key: object.key,
      etag: object.etag,
      contentType: object.contentType,
      size: object.body.length,
    };
    await mkdir(join(this.root, hash.slice(0, 2)), { recursive: true });
    const tmp = `.tmp-${randomBytes(6).toString('hex')}`;
    await writeFile(this.bodyPath(hash) + tmp, object.body);
    await rename(this.bodyPath(hash) + tmp, this.bodyPath(hash));
    await writeFile(this.metaPath(hash) + tmp, JSON.stringify(entry));
    await rename(this.metaPath(hash) + tmp, this.metaPath(hash));
    await this.remember(hash, entry);
  }

  get bytes(): number {
    return this.lru.bytes;
  }

  get count(): number {
    return this.lru.count;
  }

  /** Keys held (for the report of held assets). */
  *keys(): IterableIterator<string> {
    for (const hash of this.lru.keys()) {
      const entry = this.lru.peek(hash);
      if (entry) yield entry.key;
    }
  }

  private async remember(hash: string, entry: Entry): Promise<void> {
    for (const [evicted] of this.lru.set(hash, entry, entry.size + OVERHEAD_BYTES)) {
      await Promise.all([
        unlink(this.bodyPath(evicted)).catch(() => undefined),
        unlink(this.metaPath(evicted)).catch(() => undefined),
      ]);
    }
  }

  private hashOf(key: string): string {
    return createHash('sha256').update(key).digest('hex');
  }

  private bodyPath(hash: string): string {
    return join(this.root, hash.slice(0, 2), hash);
  }

  private metaPath(hash: string): string {
    return `${this.bodyPath(hash)}.json`;
  }
}
