import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@marquee/core';
import type { TinyLfuAdmission } from './admission.js';
import { ByteLru } from './byte-lru.js';
import type { CachedObject } from './cached-object.js';
import type { HeldObject } from './viewing-popularity.js';

/** Chooses what a new object replaces once the tier is full (viewing-popularity.ts). */
export interface ReplacementPolicy {
  /** Keys of `held` to evict to free `need` bytes for `candidate`, or undefined to leave it out. */
  choose(candidate: string, need: number, held: Iterable<HeldObject>): string[] | undefined;
}

/** What the JSON sidecar holds. */
interface StoredEntry {
  key: string;
  etag: string;
  contentType: string;
  size: number;
  /** Hex SHA-256 of the body as written (absent in sidecars of older versions: the ETag's then). */
  sha256?: string;
}

interface Entry extends StoredEntry {
  sha256: string;
  /** The body was hashed and matched since this process started; until then it is hashed on read. */
  verified: boolean;
}

/** A strong ETag that is the body's SHA-256 (what the origin sends), or undefined. */
const SHA256_ETAG = /^"([0-9a-f]{64})"$/;

/** Bytes of the metadata sidecar and file system slack, counted per object. */
const OVERHEAD_BYTES = 4096;

/**
 * How many of the least recently used objects a replacement policy chooses among: all of them on a
 * small tier; a sample from the cold end on a large one, so a fill never scores millions of objects.
 */
const REPLACEMENT_POOL = 4096;

/**
 * The warm tier: objects as files under `<root>/<hash[0..2]>/<hash>` with a JSON sidecar holding the
 * key, ETag, type and the body's SHA-256, so the tier is rebuilt from disk on start (least recently
 * written evicted first; recency then follows reads). Bounded by bytes, LRU. Writes are atomic
 * (temporary file, then rename): a crash mid-write leaves a temp file that the next start deletes,
 * never a torn object.
 *
 * A disk can still rot or be written by someone else, and an edge serves what it holds with a strong
 * ETag and a year of immutable caching, so a bad byte would spread to every browser and proxy behind
 * it. Each object is therefore hashed on its first read from disk in this process (a start, or after
 * it was written) and served only if it matches; a mismatch deletes it, counts it (`onCorrupt`) and
 * reads as a miss, so the cache refetches it. Later reads of a verified object skip the hash: the
 * check costs one hash per object per run, on the disk path, never on the RAM hit path.
 */
export class DiskTier {
  private readonly lru: ByteLru<Entry>;
  private readonly maxObjectBytes: number;
  private readonly onCorrupt: (key: string) => void;
  private readonly admission: TinyLfuAdmission | undefined;
  private readonly replacement: ReplacementPolicy | undefined;
  /** Bytes of fills being written, counted against the budget before they land (replacement only). */
  private reserved = 0;
  private readonly onAdmission: (admitted: boolean) => void;

  constructor(
    private readonly root: string,
    maxBytes: number,
    private readonly logger: Logger,
    options: {
      /** Larger objects are not kept on disk either (default 1/8 of the budget). */
      maxObjectBytes?: number;
      /** Told of each object dropped because its bytes no longer match (a metric). */
      onCorrupt?: (key: string) => void;
      /**
       * Once the tier is full, whether a new object may push out what LRU would evict (admission.ts);
       * without one, every object is kept (plain LRU).
       */
      admission?: TinyLfuAdmission;
      /**
       * Once the tier is full, which objects a new one replaces, chosen by the policy among the least
       * recently used ones (instead of LRU's order, and instead of `admission`); it may leave the new one out.
       */
      replacement?: ReplacementPolicy;
      /** Told of each admission decision (a metric). */
      onAdmission?: (admitted: boolean) => void;
    } = {},
  ) {
    this.lru = new ByteLru(maxBytes);
    this.maxObjectBytes = options.maxObjectBytes ?? Math.max(1, Math.floor(maxBytes / 8));
    this.onCorrupt = options.onCorrupt ?? (() => undefined);
    this.admission = options.admission;
    this.replacement = options.replacement;
    this.onAdmission = options.onAdmission ?? (() => undefined);
  }

  /** Counts a request for `key` that missed RAM (what admission weighs objects by). */
  record(key: string): void {
    this.admission?.record(key);
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
          const stored = JSON.parse(await readFile(path, 'utf8')) as StoredEntry;
          const info = await stat(this.bodyPath(hash));
          if (info.size !== stored.size || this.hashOf(stored.key) !== hash) throw new Error('mismatch');
          // A SHA-256 ETag is what is served, so the body must match it whatever else is recorded.
          const sha256 = SHA256_ETAG.exec(stored.etag)?.[1] ?? stored.sha256;
          if (!sha256) throw new Error('nothing to verify the body against');
          found.push({ hash, entry: { ...stored, sha256, verified: false }, mtime: info.mtimeMs });
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
    let body: Buffer;
    try {
      body = await readFile(this.bodyPath(hash));
    } catch {
      this.lru.delete(hash);
      return undefined;
    }
    if (!entry.verified) {
      if (body.length !== entry.size || sha256Of(body) !== entry.sha256) {
        await this.drop(hash, key);
        return undefined;
      }
      entry.verified = true;
    } else if (body.length !== entry.size) {
      await this.drop(hash, key);
      return undefined;
    }
    return { key, body, etag: entry.etag, contentType: entry.contentType };
  }

  /** Keeps `object` unless it is too large or admission prefers what it would push out. */
  async put(object: CachedObject): Promise<void> {
    if (object.body.length > this.maxObjectBytes) return;
    const hash = this.hashOf(object.key);
    if (this.replacement && !this.lru.has(hash)) {
      // Decided and made room for before any await: fills written at the same time each count the
      // bytes the others are about to take, so none of them ends over budget (where LRU would evict).
      const cost = object.body.length + OVERHEAD_BYTES;
      const need = this.lru.bytes + this.reserved + cost - this.lru.maxBytes;
      let freed: string[] = [];
      if (need > 0) {
        const victims = this.replacement.choose(object.key, need, this.coldest(REPLACEMENT_POOL));
        this.onAdmission(victims !== undefined);
        if (!victims) return;
        freed = victims.map((victim) => this.hashOf(victim)).filter((h) => this.lru.delete(h) !== undefined);
      }
      this.reserved += cost;
      try {
        await Promise.all(freed.map((h) => this.deleteFiles(h)));
        await this.write(hash, object);
      } finally {
        this.reserved -= cost;
      }
      return;
    } else if (this.admission && !this.lru.has(hash)) {
      const victims = this.lru.victimsFor(object.body.length + OVERHEAD_BYTES);
      if (victims.length > 0) {
        const admitted = this.admission.admit(
          object.key,
          victims.map((victim) => this.lru.peek(victim)!.key),
        );
        this.onAdmission(admitted);
        if (!admitted) return;
      }
    }
    await this.write(hash, object);
  }

  private async write(hash: string, object: CachedObject): Promise<void> {
    // The ETag's hash was checked against these bytes by the origin client; other ETags get a hash.
    const stored: StoredEntry & { sha256: string } = {
      key: object.key,
      etag: object.etag,
      contentType: object.contentType,
      size: object.body.length,
      sha256: SHA256_ETAG.exec(object.etag)?.[1] ?? sha256Of(object.body),
    };
    await mkdir(join(this.root, hash.slice(0, 2)), { recursive: true });
    const tmp = `.tmp-${randomBytes(6).toString('hex')}`;
    await writeFile(this.bodyPath(hash) + tmp, object.body);
    await rename(this.bodyPath(hash) + tmp, this.bodyPath(hash));
    await writeFile(this.metaPath(hash) + tmp, JSON.stringify(stored));
    await rename(this.metaPath(hash) + tmp, this.metaPath(hash));
    // What reached the disk is hashed on its first read, like what an earlier run left.
    await this.remember(hash, { ...stored, verified: false });
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

  /** Up to `limit` held objects, least recently used first. */
  private *coldest(limit: number): IterableIterator<HeldObject> {
    let n = 0;
    for (const hash of this.lru.keys()) {
      if (n++ >= limit) return;
      const entry = this.lru.peek(hash);
      if (entry) yield { key: entry.key, size: entry.size + OVERHEAD_BYTES };
    }
  }

  private async deleteFiles(hash: string): Promise<void> {
    await Promise.all([
      unlink(this.bodyPath(hash)).catch(() => undefined),
      unlink(this.metaPath(hash)).catch(() => undefined),
    ]);
  }

  /** Forgets and deletes an object whose bytes do not match what was recorded. */
  private async drop(hash: string, key: string): Promise<void> {
    this.lru.delete(hash);
    this.onCorrupt(key);
    this.logger.warn({ key }, 'edge disk tier: object does not match its hash; dropped, will refetch');
    await Promise.all([
      unlink(this.bodyPath(hash)).catch(() => undefined),
      unlink(this.metaPath(hash)).catch(() => undefined),
    ]);
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
    return sha256Of(key);
  }

  private bodyPath(hash: string): string {
    return join(this.root, hash.slice(0, 2), hash);
  }

  private metaPath(hash: string): string {
    return `${this.bodyPath(hash)}.json`;
  }
}

function sha256Of(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
