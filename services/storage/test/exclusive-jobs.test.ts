import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '@marquee/core';
import { type Cache } from '@marquee/platform';
import {
  backendAvailable,
  createTestContext,
  openTestCache,
  severableCache,
  uniqueName,
  type TestContext,
} from '@marquee/platform/testing';
import { buildStorage, type StorageModule } from '../src/index.js';
import { tickAt } from '../src/app/job-schedule.js';
import { ExclusiveJob, jobMetrics } from '../src/jobs/exclusive-job.js';

const logger = createLogger({ level: 'silent' });
const cacheBackends = [
  { backend: 'embedded' as const, run: await backendAvailable('embedded') },
  { backend: 'redis' as const, run: await backendAvailable('redis') },
];

/** Two replicas' views of one cache; `dieA` cuts replica A off it as a crash would (no release, no renewal). */
interface SharedCache {
  a: Cache;
  b: Cache;
  dieA(): Promise<void>;
  close(): Promise<void>;
}

async function sharedCache(backend: 'embedded' | 'redis'): Promise<SharedCache> {
  if (backend === 'embedded') {
    const shared = await openTestCache('embedded');
    const a = severableCache(shared);
    return { a: a.cache, b: shared, dieA: async () => a.sever(), close: () => shared.close() };
  }
  // Two connections under one key prefix: two processes on one Redis. A dies with its connection.
  const prefix = `${uniqueName('jobs')}:`;
  const [a, b] = await Promise.all([openTestCache('redis', { prefix }), openTestCache('redis', { prefix })]);
  let aOpen = true;
  return {
    a,
    b,
    dieA: async () => {
      aOpen = false;
      await a.close();
    },
    close: async () => {
      await Promise.all([aOpen ? a.close() : undefined, b.close()]);
    },
  };
}

const HOUR = 3_600_000;
/** The hour-long tick under way: the tests attempt the ones after it, as replicas' timers would. */
const now = tickAt(Date.now(), HOUR);

function job(
  replica: string,
  cache: Cache,
  run: (signal: AbortSignal) => Promise<unknown>,
  leaseTtlMs = 5_000,
) {
  return new ExclusiveJob({
    name: 'lifecycle',
    intervalMs: HOUR,
    replica,
    leaseTtlMs,
    cache,
    logger,
    metrics: jobMetrics(new Registry()),
    run,
  });
}

/** A job body that runs until its signal aborts, and says when it started. */
function runUntilAborted() {
  let started!: () => void;
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  const run = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      started();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  return { run, started: startedPromise };
}

for (const { backend, run } of cacheBackends) {
  describe.runIf(run)(`scheduled jobs on two replicas sharing one cache (${backend})`, () => {
    let cache: SharedCache;
    const jobs: ExclusiveJob[] = [];
    afterEach(async () => {
      await Promise.all(jobs.splice(0).map((j) => j.stop()));
      await cache.close();
    });

    beforeEach(async () => {
      cache = await sharedCache(backend);
    });

    it('runs each tick on exactly one replica, however the attempts interleave', async () => {
      const runs = { a: 0, b: 0 };
      const a = job('a', cache.a, async () => void runs.a++);
      const b = job('b', cache.b, async () => void runs.b++);
      jobs.push(a, b);
      for (let tick = now + 1; tick <= now + 10; tick++) {
        const outcomes = await Promise.all([a.runTick(tick), b.runTick(tick)]);
        expect(outcomes.filter((o) => o === 'ran')).toHaveLength(1);
        expect(outcomes.filter((o) => o === 'held' || o === 'already-ran')).toHaveLength(1);
        // A late attempt at a tick that ran (a slow timer) finds it done.
        expect(await b.runTick(tick)).toBe('already-ran');
        expect(await a.runTick(tick)).toBe('already-ran');
      }
      expect(runs.a + runs.b).toBe(10);
      expect((await b.lastRun())?.tick).toBe(now + 10);
    });

    it('lets another replica take over the tick after the lease TTL when the holder dies mid-run', async () => {
      const ttl = 300;
      const hanging = runUntilAborted();
      const a = job('a', cache.a, hanging.run, ttl);
      let bRuns = 0;
      const b = job('b', cache.b, async () => void bRuns++, ttl);
      jobs.push(a, b);

      const aAttempt = a.runTick(now + 1);
      await hanging.started;
      expect(await b.runTick(now + 1)).toBe('held');
      await cache.dieA();
      // B retries every lease TTL, as its schedule does while the tick lasts.
      let outcome = await b.runTick(now + 1);
      for (let i = 0; i < 100 && outcome === 'held'; i++) {
        await sleep(ttl);
        outcome = await b.runTick(now + 1);
      }
      expect(outcome).toBe('ran');
      expect(bRuns).toBe(1);
      // A, cut off from the cache, could not renew and gave the run up.
      expect(await aAttempt).toBe('aborted');
      expect(await b.lastRun()).toMatchObject({ tick: now + 1, replica: 'b', outcome: 'ran' });
    });

    it('hands the tick over at once when the holder stops mid-run (it releases the lease)', async () => {
      const hanging = runUntilAborted();
      const a = job('a', cache.a, hanging.run);
      let bRuns = 0;
      const b = job('b', cache.b, async () => void bRuns++);
      jobs.push(a, b);

      const aAttempt = a.runTick(now + 1);
      await hanging.started;
      expect(await b.runTick(now + 1)).toBe('held');
      await a.stop();
      expect(await aAttempt).toBe('aborted');
      expect(await b.runTick(now + 1)).toBe('ran');
      expect(bRuns).toBe(1);
      expect(await a.runTick(now + 2)).toBe('aborted'); // a stopped replica attempts nothing
    });

    it('does not let a replica overlap its own run when its next tick comes', async () => {
      const hanging = runUntilAborted();
      const a = job('a', cache.a, hanging.run);
      jobs.push(a);
      const first = a.runTick(now + 1);
      await hanging.started;
      expect(await a.runTick(now + 2)).toBe('held');
      await a.stop();
      expect(await first).toBe('aborted');
    });
  });

  describe.runIf(run)(`two storage instances sharing one cache (${backend})`, () => {
    interface Replica {
      storage: StorageModule;
      lines: { msg: string; job?: string; tick?: number; outcome?: string; replica?: string }[];
    }
    let ctx: TestContext;
    let cache: SharedCache;
    const replicas: Replica[] = [];
    afterEach(async () => {
      for (const { storage } of replicas.splice(0)) await storage.stop();
      await cache.close();
      await ctx.cleanup();
    });

    async function replica(name: string, replicaCache: Cache): Promise<Replica> {
      const lines: Replica['lines'] = [];
      const replicaLogger: Logger = pino(
        { level: 'info' },
        { write: (line: string) => void lines.push(JSON.parse(line)) },
      );
      // One database, one blob store and one cache, as two pods of one deployment have.
      const storage = await buildStorage(
        { ...ctx, cache: replicaCache, logger: replicaLogger },
        { replica: name, jobLeaseTtlMs: 2_000 },
      );
      await storage.start();
      const r = { storage, lines };
      replicas.push(r);
      return r;
    }

    const finished = (replicasToRead: Replica[], job: string) =>
      replicasToRead.flatMap((r) =>
        r.lines.filter((l) => l.msg === 'scheduled job finished' && l.job === job && l.outcome === 'ran'),
      );

    async function until(condition: () => boolean): Promise<void> {
      for (let i = 0; i < 200 && !condition(); i++) await sleep(100);
      expect(condition()).toBe(true);
    }

    it('runs lifecycle and scrub once per tick across both, and on the survivor once one stops', async () => {
      ctx = await createTestContext({
        urls: { streaming: ['http://127.0.0.1:9'] },
        // Ticks of 600 ms and 720 ms.
        settings: { LIFECYCLE_INTERVAL_MINUTES: '0.01', SCRUB_INTERVAL_HOURS: '0.0002' },
      });
      cache = await sharedCache(backend);
      await ctx.blobs.put('assets/a1/seg.m4s', Buffer.alloc(1024, 7));
      const a = await replica('storage-a', cache.a);
      const b = await replica('storage-b', cache.b);

      await until(() => finished([a, b], 'lifecycle').length >= 3 && finished([a, b], 'scrub').length >= 3);
      for (const job of ['lifecycle', 'scrub']) {
        const ticks = finished([a, b], job).map((l) => l.tick);
        expect(new Set(ticks).size).toBe(ticks.length);
      }
      // Which replica ran a job shows in its log lines and in its metrics.
      const ranBy = finished([a, b], 'scrub')[0]!.replica;
      const metrics = await (ranBy === 'storage-a' ? a : b).storage.app.inject('/metrics');
      expect(metrics.body).toMatch(
        new RegExp(`storage_job_attempts_total\\{job="scrub",replica="${ranBy}",outcome="ran"[^}]*\\} [1-9]`),
      );

      // A stops (as in a rolling update): B carries on alone, still once per tick.
      await a.storage.stop();
      replicas.splice(replicas.indexOf(a), 1);
      const before = { lifecycle: finished([b], 'lifecycle').length, scrub: finished([b], 'scrub').length };
      await until(
        () =>
          finished([b], 'lifecycle').length >= before.lifecycle + 2 &&
          finished([b], 'scrub').length >= before.scrub + 2,
      );
      for (const job of ['lifecycle', 'scrub']) {
        const ticks = finished([a, b], job).map((l) => l.tick);
        expect(new Set(ticks).size).toBe(ticks.length);
      }
    });
  });
}
