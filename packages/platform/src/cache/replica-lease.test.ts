import { describe, expect, it } from 'vitest';
import { createLogger } from '@marquee/core';
import { severableCache } from '../testing/cache.js';
import { openCache } from './index.js';
import { takeReplicaLease } from './replica-lease.js';

const logger = createLogger({ level: 'silent' });
const options = (holder: string) => ({ key: 'job', holder, ttlMs: 150, logger });

describe('takeReplicaLease', () => {
  it('lets one replica hold the lease, keeps it past its TTL, and hands it over on release', async () => {
    const cache = await openCache();
    const a = await takeReplicaLease(cache.leases, options('a'));
    expect(a).toBeDefined();
    expect(await takeReplicaLease(cache.leases, options('b'))).toBeUndefined();
    await new Promise((r) => setTimeout(r, 400)); // more than two TTLs: renewed meanwhile
    expect(a!.lost.aborted).toBe(false);
    expect(await takeReplicaLease(cache.leases, options('b'))).toBeUndefined();
    await a!.release();
    await a!.release(); // twice is harmless
    const b = await takeReplicaLease(cache.leases, options('b'));
    expect(b).toBeDefined();
    await b!.release();
  });

  it('says the lease is lost once a renewal is refused', async () => {
    const cache = await openCache();
    const a = await takeReplicaLease(cache.leases, options('a'));
    await cache.leases.release('job', 'a'); // as if it lapsed and someone else's took its place
    await new Promise((r) => setTimeout(r, 200));
    expect(a!.lost.aborted).toBe(true);
    expect(String(a!.lost.reason)).toMatch(/lease job lost/);
  });

  it('rejects when the cache cannot be reached, and says lost when it stays away a whole TTL', async () => {
    const severable = severableCache(await openCache());
    // severableCache answers { cache, sever }
    const a = await takeReplicaLease(severable.cache.leases, options('a'));
    severable.sever();
    await expect(takeReplicaLease(severable.cache.leases, options('b'))).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 300));
    expect(a!.lost.aborted).toBe(true);
    await a!.release(); // never throws, even with the cache away
  });
});
