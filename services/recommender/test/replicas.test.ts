import { SERVICE_TOKEN_HEADER, serviceToken } from '@marquee/core';
import {
  openBlobStore,
  openCache,
  openDatabase,
  openEventBus,
  readWholeBlob,
  type EventBus,
  type ServiceContext,
} from '@marquee/platform';
import {
  backendAvailable,
  createTestContext,
  startS3rver,
  severableCache,
  testUrls,
  uniqueName,
  type RunningS3rver,
} from '@marquee/platform/testing';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POINTER_KEY } from '../src/jobs/model-publication.js';
import { LEASE_KEY } from '../src/jobs/model-replication.js';
import { buildRecommender, type RecommenderModule } from '../src/index.js';
import { drained, titlePublished, watched } from './events.js';
import { fixtureTitles, GENRES } from './fixtures.js';
import { startUsersFixture } from './users-fixture.js';

/**
 * Two recommender replicas sharing one cache, one blob store, one event bus and one database, as two
 * pods do: only the lease holder trains, both serve the version it published, a corrupt snapshot is
 * refused, stopping the trainer hands training to the other, and so does a trainer that crashes (stops
 * renewing without releasing its lease). Embedded adapters always; Redis, NATS, PostgreSQL and s3rver
 * when BACKENDS lists them all.
 */
const servers =
  (await backendAvailable('postgres')) &&
  (await backendAvailable('redis')) &&
  (await backendAvailable('nats')) &&
  (await backendAvailable('s3'));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups.length = 0;
});

interface Replicas {
  contexts: [ServiceContext, ServiceContext];
  /** Cuts replica A off the cache as a crash would: it neither renews nor releases its lease any more. */
  cutOffA: () => Promise<void>;
}

/** Each replica's context: the embedded ports shared in one process, or its own connections to the servers. */
async function replicaContexts(kind: 'embedded' | 'servers'): Promise<Replicas> {
  const base = await createTestContext();
  cleanups.push(() => base.cleanup());
  if (kind === 'embedded') {
    // In one process the in-process cache IS shared; replica A reaches it through a link that can fail.
    const a = severableCache(base.cache);
    return { contexts: [{ ...base, cache: a.cache }, { ...base }], cutOffA: async () => a.sever() };
  }
  const s3: RunningS3rver = await startS3rver();
  cleanups.push(() => s3.stop());
  const prefix = `${uniqueName('recs')}:`;
  const schema = uniqueName('recs_replicas');
  const stream = uniqueName('RECS').toUpperCase();
  const one = async (): Promise<ServiceContext> => {
    const cache = await openCache({ url: testUrls.redis, prefix });
    const bus = await openEventBus({ natsUrl: testUrls.nats, stream, subjectPrefix: stream.toLowerCase() });
    const blobs = await openBlobStore({ s3: { endpoint: s3.endpoint, ...s3.credentials, bucket: 'recs' } });
    cleanups.push(async () => {
      await bus.close();
      await Promise.all([cache.close(), blobs.close()]);
    });
    return {
      ...base,
      cache,
      bus,
      blobs,
      openDb: async <DB>() => {
        const db = await openDatabase<DB>({ service: schema, url: testUrls.postgres, poolSize: 4 });
        cleanups.push(async () => {
          await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db.write).catch(() => undefined);
          await db.close();
        });
        return db;
      },
    };
  };
  const a = await one();
  // Two processes on one Redis: A loses its lease with its connection.
  return { contexts: [a, await one()], cutOffA: () => a.cache.close() };
}

/** Starts a replica against the users fixture; it trains only when asked (or when it becomes the trainer). */
async function startReplica(
  ctx: ServiceContext,
  replica: string,
  usersUrl: string,
  replication: { leaseTtlMs: number; pollMs: number },
): Promise<RecommenderModule> {
  const module = await buildRecommender(
    { ...ctx, urls: { ...ctx.urls, users: [usersUrl] } },
    { replica, policy: { afterEvents: 10_000, minGapMs: 0 }, replication },
  );
  cleanups.push(async () => {
    await module.app.close();
    await module.stop();
  });
  await module.start();
  return module;
}

/** Publishes the fixture catalogue and each genre's fans' viewing, and waits until it is applied. */
async function publishFixtureHistory(bus: EventBus): Promise<void> {
  const titles = fixtureTitles();
  await bus.publish(titles.map(titlePublished));
  await bus.publish(
    GENRES.flatMap((genre) =>
      Array.from({ length: 4 }, (_, k) =>
        titles
          .filter((t) => t.genres[0] === genre && (Number(t.titleId.slice(-2)) + k) % 3 !== 0)
          .flatMap((t) => watched(`${genre.toLowerCase()}-fan-${k}`, t.titleId)),
      ).flat(),
    ),
  );
  await drained(bus, 'recommender');
}

describe.each([
  { kind: 'embedded' as const, run: true },
  { kind: 'servers' as const, run: servers },
])('recommender replicas on $kind backends', ({ kind, run }) => {
  it.runIf(run)(
    'train on one replica, serve one model everywhere, refuse a corrupt snapshot, hand training over',
    async () => {
      const {
        contexts: [ctxA, ctxB],
      } = await replicaContexts(kind);
      const users = await startUsersFixture(ctxA.secret);
      cleanups.push(() => users.close());
      users.profiles.set('comedy-fan-0', { name: 'Fan', kids: false, maxMaturity: 'NC-17' });
      const replication = { leaseTtlMs: 600, pollMs: 100 };
      const a = await startReplica(ctxA, 'replica-a', users.url, replication);
      const b = await startReplica(ctxB, 'replica-b', users.url, replication);
      expect(a.modelStatus().trainer).toBe(true);
      expect(b.modelStatus().trainer).toBe(false);

      await publishFixtureHistory(ctxA.bus);

      // Only A trains; B loads what A published and serves the same version and the same pages.
      const trained = await a.retrainNow();
      expect(trained.personalModel).toBe('ease');
      await b.retrainNow();
      expect(b.modelStatus()).toMatchObject({ trainer: false, ready: true, version: trained.version });
      expect(await metric(b, 'recommender_model_publications_total')).toBe(0);
      expect(await metric(a, 'recommender_model_publications_total')).toBeGreaterThan(0);
      expect(await metric(b, 'recommender_trainer')).toBe(0);
      expect(await metric(a, 'recommender_trainer')).toBe(1);
      expect(await metricText(b)).toContain(`recommender_model_info{version="${trained.version}"`);
      const status = await internalModel(b);
      expect(status).toMatchObject({ replica: 'replica-b', trainer: false, version: trained.version });
      expect(await page(b, 'comedy-fan-0')).toEqual(await page(a, 'comedy-fan-0'));

      // A corrupt snapshot behind the pointer is refused: B keeps serving its model.
      const pointer = JSON.parse(await readBlob(ctxB, POINTER_KEY)) as { key: string };
      const bytes = Buffer.from(await readWholeBlob(ctxB.blobs, pointer.key));
      bytes[bytes.length - 1]! ^= 0xff;
      await ctxB.blobs.put('recommender/models/ease-corrupt', bytes);
      await ctxB.blobs.put(
        POINTER_KEY,
        JSON.stringify({
          ...JSON.parse(await readBlob(ctxB, POINTER_KEY)),
          version: 'ease-corrupt',
          key: 'recommender/models/ease-corrupt',
        }),
      );
      await b.retrainNow();
      expect(b.modelStatus().version).toBe(trained.version);
      expect(await metric(b, 'recommender_model_snapshots_rejected_total')).toBe(1);

      // The trainer stops: B takes the lease within its TTL, trains, and publishes over the bad pointer.
      await a.app.close();
      await a.stop();
      await vi.waitFor(() => expect(b.modelStatus().trainer).toBe(true), { timeout: 5_000, interval: 50 });
      await pointerPublishedBy(ctxB, 'replica-b', trained.version);
      // Same facts, same version: the new trainer's model is the one that was served. (It notes what
      // it published once the pointer write returns, a moment after readers can see the pointer.)
      await vi.waitFor(
        () =>
          expect(b.modelStatus()).toMatchObject({
            version: trained.version,
            publishedVersion: trained.version,
          }),
        { timeout: 5_000, interval: 20 },
      );
    },
    60_000,
  );

  it.runIf(run)(
    'a crashed trainer keeps its lease until it lapses; then the other replica trains and publishes',
    async () => {
      const {
        contexts: [ctxA, ctxB],
        cutOffA,
      } = await replicaContexts(kind);
      const users = await startUsersFixture(ctxA.secret);
      cleanups.push(() => users.close());
      // Long enough that the lease is surely still A's just after the crash; short enough for a test.
      const replication = { leaseTtlMs: 1_000, pollMs: 100 };
      const a = await startReplica(ctxA, 'replica-a', users.url, replication);
      const b = await startReplica(ctxB, 'replica-b', users.url, replication);
      await publishFixtureHistory(ctxA.bus);
      const trained = await a.retrainNow();
      await b.retrainNow();
      expect(b.modelStatus()).toMatchObject({ trainer: false, version: trained.version });
      expect(JSON.parse(await readBlob(ctxB, POINTER_KEY))).toMatchObject({ replica: 'replica-a' });

      // A crashes: no release, no renewal. Unlike a clean stop, the lease is still A's until it lapses.
      await cutOffA();
      expect(await ctxB.cache.leases.holders(LEASE_KEY)).toEqual(['replica-a']);
      expect(b.modelStatus().trainer).toBe(false);

      // It lapses after the TTL; B takes it at its next attempt, trains from the store, and publishes.
      await vi.waitFor(() => expect(b.modelStatus().trainer).toBe(true), { timeout: 10_000, interval: 50 });
      expect(await ctxB.cache.leases.holders(LEASE_KEY)).toEqual(['replica-b']);
      await pointerPublishedBy(ctxB, 'replica-b', trained.version);
      // B notes the publication once the pointer write returns, a moment after readers can see it.
      await vi.waitFor(() => expect(b.modelStatus().publishedVersion).toBe(trained.version), {
        timeout: 5_000,
        interval: 20,
      });
      expect(await metric(b, 'recommender_model_publications_total')).toBeGreaterThan(0);
      // A, unable to confirm a renewal for a whole TTL, gave training up: one trainer, not two.
      await vi.waitFor(() => expect(a.modelStatus().trainer).toBe(false), { timeout: 10_000, interval: 50 });
      expect(await metric(a, 'recommender_trainer')).toBe(0);
    },
    60_000,
  );
});

async function page(module: RecommenderModule, profileId: string): Promise<unknown> {
  const res = await module.app.inject({
    method: 'GET',
    url: `/api/profiles/${profileId}/home`,
    headers: { [SERVICE_TOKEN_HEADER]: serviceToken('test-secret-0123456789abcdef0123456789') },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function internalModel(module: RecommenderModule): Promise<unknown> {
  const res = await module.app.inject({
    method: 'GET',
    url: '/internal/model',
    headers: { [SERVICE_TOKEN_HEADER]: serviceToken('test-secret-0123456789abcdef0123456789') },
  });
  return res.json();
}

async function metricText(module: RecommenderModule): Promise<string> {
  const res = await module.app.inject({ method: 'GET', url: '/metrics' });
  return res.body;
}

async function metric(module: RecommenderModule, name: string): Promise<number> {
  const line = (await metricText(module))
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return Number(line?.split(' ').pop());
}

/** Waits until the model pointer names `replica` as the publisher of `version`. */
async function pointerPublishedBy(ctx: ServiceContext, replica: string, version: string): Promise<void> {
  await vi.waitFor(
    async () => expect(JSON.parse(await readBlob(ctx, POINTER_KEY))).toMatchObject({ replica, version }),
    { timeout: 10_000, interval: 50 },
  );
}

async function readBlob(ctx: ServiceContext, key: string): Promise<string> {
  return (await readWholeBlob(ctx.blobs, key)).toString('utf8');
}
