import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { cacheUrlOf, loadSettings } from './settings.js';

describe('choosing the cache server', () => {
  it('takes CACHE_URL, REDIS_URL or MEMCACHED_URL, and none means the in-process cache', () => {
    expect(cacheUrlOf(loadSettings({}))).toBeUndefined();
    expect(cacheUrlOf(loadSettings({ MEMCACHED_URL: 'memcached://m:11211' }))).toEqual({
      setting: 'MEMCACHED_URL',
      url: 'memcached://m:11211',
    });
    expect(cacheUrlOf(loadSettings({ CACHE_URL: 'memcached://m' }))).toEqual({
      setting: 'CACHE_URL',
      url: 'memcached://m',
    });
    expect(cacheUrlOf(loadSettings({ REDIS_URL: 'redis://r:6379' }))?.setting).toBe('REDIS_URL');
    // Two settings naming the same server are fine.
    const same = { CACHE_URL: 'redis://r:6379', REDIS_URL: 'redis://r:6379' };
    expect(cacheUrlOf(loadSettings(same))?.url).toBe('redis://r:6379');
  });

  it('refuses two different cache servers, and a URL of the wrong kind, naming the settings', () => {
    expect(() => loadSettings({ REDIS_URL: 'redis://r', MEMCACHED_URL: 'memcached://m' })).toThrow(
      ConfigError,
    );
    expect(() => loadSettings({ REDIS_URL: 'redis://r', MEMCACHED_URL: 'memcached://m' })).toThrow(
      /REDIS_URL, MEMCACHED_URL: name one cache server/,
    );
    expect(() => loadSettings({ MEMCACHED_URL: 'redis://r' })).toThrow(/MEMCACHED_URL/);
    expect(() => loadSettings({ CACHE_URL: 'http://r' })).toThrow(/CACHE_URL/);
  });
});
