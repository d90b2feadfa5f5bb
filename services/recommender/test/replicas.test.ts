import { SERVICE_TOKEN_HEADER, serviceToken } from '@marquee/core';
import {
  backendAvailable,
  createTestContext,
  openBlobStore,
  openCache,
  openDatabase,
  openEventBus,
  startS3rver,
  testUrls,
  uniqueName,
  type RunningS3rver,
  type ServiceContext,
} from '@marquee/platform';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POINTER_KEY } from '../src/jobs/model-publication.js';
import { buildRecommender, type RecommenderModule } from '../src/index.js';
import { drained, titlePublished, watched } from './events.js';
import { fixtureTitles, GENRES } from './fixtures.js';
import { startUsersFixture } from './users-fixture.js';

/**
 * Two recommender replicas sharing one cache, one blob store, one event bus and one database, as two
 * pods do: only the lease holder trains, both serve the version it published, a corrupt snapshot is
 * refused, and stopping the trainer hands training to the other. Embedded adapters always; Redis, NATS,
 * PostgreSQL and s3rver when BACKENDS lists them all.
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

/** Each replica's context: the embedded ports shared in one process, or its own connections to the servers. */
async function replicaContexts(kind: 'embedded' | 'servers'): Promise<[ServiceContext, ServiceContext]> {
  const base = await createTestContext();
  cleanups.push(() => base.cleanup());
  if (kind === 'embedded') return [base, { ...base }];
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
  return [await one(), await one()];
}

describe.each([
  { kind: 'embedded' as const, run: true },
  { kind: 'servers' as const, run: servers },
])('recommender replicas on $kind backends', ({ kind, run }) => {
  it.runIf(run)(
    'train on one replica, serve one model everywhere, refuse a corrupt snapshot, hand training over',
    async () => {
      const [ctxA, ctxB] = await replicaContexts(kind);
      const users = await startUsersFixture(ctxA.secret);
      cleanups.push(() => users.close());
      users.profiles.set('comedy-fan-0', { name: 'Fan', kids: false, maxMaturity: 'NC-17' });
      const build = async (ctx: ServiceContext, replica: string) => {
        const module = await buildRecommender(
          { ...ctx, urls: { ...ctx.urls, users: [users.url] } },
          {
            replica,
            policy: { afterEvents: 10_000, minGapMs: 0 },
            replication: { leaseTtlMs: 600, pollMs: 100 },
          },
        );
        cleanups.push(async () => {
          await module.app.close();
          await module.stop();
        });
        await module.start();
        return module;
      };
      const a = await build(ctxA, 'replica-a');
      const b = await build(ctxB, 'replica-b');
      expect(a.modelStatus().trainer).toBe(true);
      expect(b.modelStatus().trainer).toBe(false);

      const titles = fixtureTitles();
      await ctxA.bus.publish(titles.map(titlePublished));
      await ctxA.bus.publish(
        GENRES.flatMap((genre) =>
          Array.from({ length: 4 }, (_, k) =>
            titles
              .filter((t) => t.genres[0] === genre && (Number(t.titleId.slice(-2)) + k) % 3 !== 0)
              .flatMap((t) => watched(`${genre.toLowerCase()}-fan-${k}`, t.titleId)),
          ).flat(),
        ),
      );
      await drained(ctxA.bus, 'recommender');

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
      const bytes = Buffer.from(await readBlobBytes(ctxB, pointer.key));
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
      await vi.waitFor(
        async () =>
          expect(JSON.parse(await readBlob(ctxB, POINTER_KEY))).toMatchObject({
            replica: 'replica-b',
            version: trained.version,
          }),
        { timeout: 10_000, interval: 50 },
      );
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

async function readBlobBytes(ctx: ServiceContext, key: string): Promise<Buffer> {
  const { body } = await ctx.blobs.get(key);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readBlob(ctx: ServiceContext, key: string): Promise<string> {
  return (await readBlobBytes(ctx, key)).toString('utf8');
}
