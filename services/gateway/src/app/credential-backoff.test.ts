import { afterAll, describe, expect, it } from 'vitest';
import { type Cache } from '@marquee/platform';
import { openTestCache } from '@marquee/platform/testing';
import { backoffDelayMs, CredentialBackoff, outcomeOf } from './credential-backoff.js';

const rule = { freeFailures: 3, baseDelayMs: 1_000, maxDelayMs: 5_000, memoryMs: 60_000 };

describe('credential backoff', () => {
  const caches: Cache[] = [];
  afterAll(() => Promise.all(caches.map((c) => c.close())));
  // A 30 s first wait: long enough that a loaded machine never lets a "too soon" try through.
  const slow = { ...rule, baseDelayMs: 30_000, maxDelayMs: 60_000 };
  const backoff = async (now: () => number) => {
    const cache = await openTestCache('embedded');
    caches.push(cache);
    return new CredentialBackoff(cache, slow, now);
  };

  it('is free for the first failures, then doubles up to the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 60].map((f) => backoffDelayMs(f, rule))).toEqual([
      0, 0, 0, 1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });

  it('reads 2xx as success, 401 as a wrong credential and anything else as neither', () => {
    expect([200, 201, 401, 400, 422, 429, 503].map(outcomeOf)).toEqual([
      'success',
      'success',
      'failure',
      'other',
      'other',
      'other',
      'other',
    ]);
  });

  it('refuses a try that comes too soon, with the wait, and gives its count back', async () => {
    const b = await backoff(Date.now);
    for (let i = 0; i < 3; i++) {
      const attempt = await b.begin('acc');
      expect(attempt.allowed).toBe(true);
      if (attempt.allowed) await attempt.finish('failure');
    }
    const early = await b.begin('acc');
    expect(early).toMatchObject({ allowed: false });
    if (!early.allowed) expect(early.retryAfterSeconds).toBeGreaterThan(25);
    expect(early.allowed ? 0 : early.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect((await b.begin('other-account')).allowed).toBe(true);
  });

  it('lets many concurrent guesses through only while tries are free', async () => {
    const b = await backoff(Date.now);
    const attempts = await Promise.all(Array.from({ length: 20 }, () => b.begin('acc')));
    expect(attempts.filter((a) => a.allowed)).toHaveLength(3);
  });

  it('forgets failures after a success, and tries that were not credential checks', async () => {
    const b = await backoff(Date.now);
    for (let i = 0; i < 10; i++) {
      const attempt = await b.begin('acc');
      if (attempt.allowed) await attempt.finish('other');
    }
    for (let i = 0; i < 2; i++) {
      const attempt = await b.begin('acc');
      if (attempt.allowed) await attempt.finish('failure');
    }
    const right = await b.begin('acc');
    expect(right.allowed).toBe(true);
    if (right.allowed) await right.finish('success');
    for (let i = 0; i < 3; i++) expect((await b.begin('acc')).allowed).toBe(true);
  });
});
