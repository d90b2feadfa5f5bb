import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadSettings } from '@marquee/core';
import { backendAvailable, startMemcached, type RunningMemcached } from '@marquee/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openBackends } from './backends.js';

describe.runIf(await backendAvailable('memcached'))('the cache the settings choose', () => {
  let memcached: RunningMemcached;
  let dataDir: string;
  beforeAll(async () => {
    memcached = await startMemcached();
    dataDir = await mkdtemp(join(tmpdir(), 'marquee-backends-'));
  });
  afterAll(async () => {
    await memcached.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is Memcached for MEMCACHED_URL, which says at start what degrades', async () => {
    const logger = createLogger({ level: 'silent' });
    const warn = vi.spyOn(logger, 'warn');
    const info = vi.spyOn(logger, 'info');
    const settings = loadSettings({ MEMCACHED_URL: memcached.url, REDIS_PREFIX: 'backends-test:' });
    const backends = await openBackends(settings, dataDir, logger);
    try {
      await backends.cache.set('k', { v: 1 }, 60_000);
      expect(await backends.cache.get('k')).toEqual({ v: 1 });
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ cache: 'memcached' }),
        expect.stringMatching(/weaker guarantees than Redis/),
      );
      expect(info).toHaveBeenCalledWith(
        expect.objectContaining({ cache: expect.stringMatching(/^memcached 127\.0\.0\.1:\d+$/) }),
        'backends ready',
      );
    } finally {
      await backends.close();
    }
  });

  it('names the setting when the server is not there', async () => {
    const settings = loadSettings({ CACHE_URL: 'memcached://127.0.0.1:1' });
    await expect(openBackends(settings, dataDir, createLogger({ level: 'silent' }))).rejects.toThrow(
      /CACHE_URL: cannot connect to Memcached at 127\.0\.0\.1:1/,
    );
  });
});
