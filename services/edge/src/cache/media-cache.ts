import { NotFoundError, type Logger } from '@marquee/core';
import type { EdgeMetrics, ServedFrom } from '../edge-metrics.js';
import type { Origin } from '../origin/http-origin.js';
import { assetIdOfKey, type CachedObject } from './cached-object.js';
import type { DiskTier } from './disk-tier.js';
import type { RamTier } from './ram-tier.js';
import type { ViewingPopularity } from './viewing-popularity.js';

export interface Lookup {
  object: CachedObject;
  from: ServedFrom;
}

/** A miss the origin answered 404 is remembered this long, so a storm of misses costs one fetch. */
const NEGATIVE_TTL_MS = 2_000;

/**
 * RAM, then disk, then the origin. Every miss of one key in flight is coalesced into one fill (the
 * disk read included), so 100 viewers asking for a segment nobody holds cost the origin one fetch.
 * A fill lands in RAM at once and on disk in the background; a disk hit is promoted to RAM. Objects
 * under `assets/` never change (a new encode is a new asset), so whatever is held is served as is —
 * which is also why an edge keeps serving what it holds while the origin is down.
 */
export class MediaCache {
  private readonly inflight = new Map<string, Promise<CachedObject>>();
  private readonly missing = new Map<string, number>();
  private readonly diskWrites = new Set<Promise<void>>();

  constructor(
    private readonly ram: RamTier,
    private readonly disk: DiskTier,
    private readonly origin: Origin,
    private readonly metrics: EdgeMetrics,
    private readonly logger: Logger,
    /** Told of each viewer request with its session, for the disk tier's replacement policy. */
    private readonly viewing?: Pick<ViewingPopularity, 'record'>,
  ) {}

  /**
   * The object when the RAM tier holds it (counted as a RAM hit); otherwise undefined with nothing
   * counted, and get() follows. Lets the request path answer the common case without a promise.
   * `session`: the viewer's playback session, when a viewer asked (pre-fill does not).
   */
  ramHit(key: string, session?: string): CachedObject | undefined {
    const hot = this.ram.get(key);
    if (hot) {
      this.metrics.lookups.ram.hit.add();
      this.viewing?.record(key, session, Date.now());
    }
    return hot;
  }

  /** The object, or NotFoundError; OriginUnavailableError when nobody holds it and the origin is down. */
  async get(key: string, session?: string): Promise<Lookup> {
    const hot = this.ramHit(key, session);
    if (hot) return { object: hot, from: 'ram' };
    this.viewing?.record(key, session, Date.now());
    this.metrics.lookups.ram.miss.add();
    this.disk.record(key);
    const pending = this.inflight.get(key);
    if (pending) return { object: await pending, from: 'coalesced' };
    let from: ServedFrom = 'origin';
    const fill = (async () => {
      const warm = await this.disk.get(key);
      (warm ? this.metrics.lookups.disk.hit : this.metrics.lookups.disk.miss).add();
      if (warm) {
        from = 'disk';
        this.ram.set(warm);
        return warm;
      }
      return this.fillFromOrigin(key);
    })();
    this.inflight.set(key, fill);
    try {
      return { object: await fill, from };
    } finally {
      this.inflight.delete(key);
    }
  }

  /** Fetches into the tiers without serving (proactive fill); true when the object is now held. */
  async prefetch(key: string): Promise<boolean> {
    try {
      await this.get(key);
      return true;
    } catch {
      return false;
    }
  }

  /** Asset ids with at least one object in a tier, most recently used last (bounded). */
  heldAssets(limit: number): string[] {
    const ids = new Set<string>();
    for (const keys of [this.disk.keys(), this.ram.keys()]) {
      for (const key of keys) {
        const id = assetIdOfKey(key);
        if (id) {
          ids.delete(id);
          ids.add(id);
        }
      }
    }
    return [...ids].slice(-limit);
  }

  /** Waits for background disk writes (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.diskWrites]);
  }

  private async fillFromOrigin(key: string): Promise<CachedObject> {
    const missingUntil = this.missing.get(key);
    if (missingUntil !== undefined && missingUntil > Date.now()) throw new NotFoundError('object', key);
    let object: CachedObject | undefined;
    try {
      object = await this.origin.fetch(key);
    } catch (err) {
      this.metrics.originFetches.inc({ outcome: 'error' });
      throw err;
    }
    if (!object) {
      this.metrics.originFetches.inc({ outcome: 'not_found' });
      if (this.missing.size > 10_000) this.missing.clear();
      this.missing.set(key, Date.now() + NEGATIVE_TTL_MS);
      throw new NotFoundError('object', key);
    }
    this.metrics.originFetches.inc({ outcome: 'ok' });
    this.metrics.originBytes.inc(object.body.length);
    this.ram.set(object);
    const write = this.disk
      .put(object)
      .catch((err: unknown) => this.logger.warn({ err, key }, 'could not write to the disk tier'))
      .finally(() => this.diskWrites.delete(write));
    this.diskWrites.add(write);
    return object;
  }
}
