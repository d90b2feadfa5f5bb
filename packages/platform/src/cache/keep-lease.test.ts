import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '@marquee/core';
import { severableCache } from '../testing/cache.js';
import { renewHeldLease } from './keep-lease.js';
import { openCache } from './index.js';

const logger = createLogger({ level: 'silent' });
const lease = { key: 'job', holder: 'replica-a', ttlMs: 150 };

describe('renewHeldLease', () => {
  it('keeps a lease held past its TTL by renewing it', async () => {
    const cache = await openCache();
    expect(await cache.leases.acquire(lease.key, lease.holder, 1, lease.ttlMs)).toBe(true);
    const onLost = vi.fn();
    const stop = renewHeldLease(cache.leases, lease, onLost, logger);
    await new Promise((r) => setTimeout(r, lease.ttlMs * 4));
    expect(await cache.leases.holders(lease.key)).toEqual([lease.holder]);
    expect(onLost).not.toHaveBeenCalled();
    stop();
    await cache.close();
  });

  it('says the lease is lost once a renewal is refused', async () => {
    const cache = await openCache();
    await cache.leases.acquire(lease.key, lease.holder, 1, lease.ttlMs);
    const onLost = vi.fn();
    const stop = renewHeldLease(cache.leases, lease, onLost, logger);
    await cache.leases.release(lease.key, lease.holder);
    await cache.leases.acquire(lease.key, 'replica-b', 1, 60_000);
    await vi.waitFor(() => expect(onLost).toHaveBeenCalledWith('it lapsed before it was renewed'));
    expect(onLost).toHaveBeenCalledTimes(1);
    stop();
    await cache.close();
  });

  it('says the lease is lost once the cache has been unreachable for a whole TTL, not before', async () => {
    const shared = await openCache();
    const { cache, sever } = severableCache(shared);
    await cache.leases.acquire(lease.key, lease.holder, 1, lease.ttlMs);
    const onLost = vi.fn();
    const stop = renewHeldLease(cache.leases, lease, onLost, logger);
    sever();
    await vi.waitFor(() => expect(onLost).toHaveBeenCalledWith('the cache could not be reached to renew it'));
    expect(onLost).toHaveBeenCalledTimes(1);
    stop();
    await shared.close();
  });
});
