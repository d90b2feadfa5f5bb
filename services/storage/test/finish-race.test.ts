import { createHash, randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Cache, type Database, type DeliveredEvent } from '@marquee/platform';
import { backendAvailable, openTestCache, uniqueName, type TestContext } from '@marquee/platform/testing';
import { tickAt } from '../src/app/job-schedule.js';
import type { Finisher, FinishPause } from '../src/jobs/exclusive-finish.js';
import { buildStorage, type StorageModule } from '../src/index.js';
import type { StorageTables } from '../src/store/tables.js';
import { UploadStore } from '../src/store/uploads.js';
import { openStagingBackends, stores, tusUpload, uploadIdOfUrl, type StagingBackends } from './fixtures.js';

/*
 * Two (or three) storage instances sharing one database, one blob store, one staging store and one
 * cache, as pods of one deployment do. The finishing seam (StorageOptions.finishPause) holds one
 * instance at a fixed step so the live request and another instance's crash recovery interleave.
 */

const BUCKET = 'finish-race';
const caches = [
  { cache: 'embedded' as const, run: await backendAvailable('embedded') },
  { cache: 'redis' as const, run: await backendAvailable('redis') },
];

/** Holds the finishers that reach `step` as `by` until released (or fails them, as a crash would). */
function hold(by: Finisher, step: 'start' | 'leased') {
  let reached!: () => void;
  let release!: () => void;
  let fail!: (err: Error) => void;
  const reachedP = new Promise<void>((resolve) => (reached = resolve));
  const releasedP = new Promise<void>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  const pause: FinishPause = async (at) => {
    if (at.by !== by || at.step !== step) return;
    reached();
    await releasedP;
  };
  return { pause, reached: reachedP, release, fail };
}

interface Replica {
  storage: StorageModule;
  lines: { msg: string; uploadId?: string }[];
}

for (const { store, run: storeRuns } of stores) {
  for (const { cache: cacheBackend, run: cacheRuns } of caches) {
    describe.runIf(storeRuns && cacheRuns)(
      `finishing an upload on ${store} staging, ${cacheBackend} cache`,
      () => {
        let backends: StagingBackends;
        let ctx: TestContext;
        let db: Database<StorageTables>;
        let uploads: UploadStore;
        const caches: Cache[] = [];
        const replicas: Replica[] = [];
        const delivered: DeliveredEvent[] = [];
        let cachePrefix = '';

        beforeEach(async () => {
          backends = await openStagingBackends(store, BUCKET);
          ctx = backends.ctx;
          db = await ctx.openDb<StorageTables>('storage');
          uploads = new UploadStore(db);
          cachePrefix = `${uniqueName('finish')}:`;
          delivered.length = 0;
          await ctx.bus.subscribe({
            group: 'test-observer',
            types: ['media.uploaded'],
            handler: async (d) => void delivered.push(d),
          });
        });

        async function stopReplicas(): Promise<void> {
          for (const { storage } of replicas.splice(0)) {
            await storage.app.close();
            await storage.stop();
          }
        }

        afterEach(async () => {
          await stopReplicas();
          await Promise.all(caches.splice(0).map((c) => c.close()));
          await backends.close();
        });

        /** The cache as this replica reaches it: the one in-process cache, or its own Redis connection. */
        async function replicaCache(): Promise<Cache> {
          if (cacheBackend === 'embedded') {
            if (caches.length === 0) caches.push(await openTestCache('embedded'));
            return caches[0]!;
          }
          const cache = await openTestCache('redis', { prefix: cachePrefix });
          caches.push(cache);
          return cache;
        }

        /** A storage instance on the shared backends; started (startup recovery included) unless told not to. */
        async function replica(name: string, pause?: FinishPause, start = true): Promise<Replica> {
          const lines: Replica['lines'] = [];
          const logger = pino(
            { level: 'info' },
            { write: (line: string) => void lines.push(JSON.parse(line)) },
          );
          const storage = await buildStorage(
            { ...ctx, cache: await replicaCache(), logger },
            { replica: name, jobLeaseTtlMs: 2_000, ...(pause ? { finishPause: pause } : {}) },
          );
          const r = { storage, lines };
          replicas.push(r);
          if (start) await storage.start();
          return r;
        }

        /** Uploads `data` in one go to `r`; resolves the upload id once the client has its answer. */
        async function upload(r: Replica, data: Buffer): Promise<string> {
          const base = await r.storage.app.listen({ port: 0, host: '127.0.0.1' });
          return uploadIdOfUrl((await tusUpload(base, data)).url!);
        }

        const stagedObjects = () => backends.stagedObjects();

        async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
          for (let i = 0; i < 200 && !(await condition()); i++) await new Promise((r) => setTimeout(r, 50));
          expect(await condition()).toBe(true);
        }

        /** Makes the upload in progress older than the failed-upload policy keeps one; resolves its id. */
        async function staleUpload(): Promise<string> {
          const [row] = await uploads.inState(['receiving']);
          const hoursAgo = ctx.settings.FAILED_UPLOAD_RETENTION_HOURS + 1;
          await db.write
            .updateTable('uploads')
            .set({ created_at: new Date(Date.now() - hoursAgo * 3_600_000).toISOString() })
            .where('upload_id', '=', row!.upload_id)
            .execute();
          return row!.upload_id;
        }

        const lines = (rs: Replica[], msg: string) => rs.flatMap((r) => r.lines.filter((l) => l.msg === msg));

        /** Stored once, with the bytes' SHA-256, announced once, no staging left. */
        async function expectStoredOnce(data: Buffer, rs: Replica[]): Promise<void> {
          const [row] = await uploads.inState(['stored']);
          expect(row).toBeDefined();
          const sha256 = createHash('sha256').update(data).digest('hex');
          expect(row!.sha256).toBe(sha256);
          expect((await ctx.blobs.head(row!.blob_key!))?.sha256).toBe(sha256);
          const sources: string[] = [];
          for await (const blob of ctx.blobs.list('sources/')) sources.push(blob.key);
          expect(sources).toEqual([row!.blob_key]);
          expect(lines(rs, 'upload stored')).toHaveLength(1);
          expect(await stagedObjects()).toEqual([]);
          // Two relays on one SQLite outbox may deliver a row twice (at least once, same event id): one
          // announcement is one event id.
          await until(() => delivered.length > 0);
          await stopReplicas(); // their relays have drained the outbox
          expect(new Set(delivered.map((d) => d.event.id)).size).toBe(1);
          expect(delivered[0]!.event.data).toMatchObject({ assetId: row!.asset_id, sha256 });
        }

        it('lets the live request finish while another replica starts and runs its crash recovery', async () => {
          const data = randomBytes(1024 * 1024 + 7);
          const copying = hold('request', 'leased');
          const a = await replica('storage-a', copying.pause);
          const answered = upload(a, data);
          await copying.reached; // every byte is staged, A holds the upload and has not copied it yet

          // B starts meanwhile: its recovery finds the upload complete, and held by A.
          const b = await replica('storage-b');
          await b.storage.jobs.lifecycle.runTick(tickAt(Date.now(), 3_600_000) + 1);
          expect(await stagedObjects()).not.toEqual([]);

          copying.release();
          const uploadId = await answered;
          expect(lines([b], 'recovery skips an upload another finisher holds')).toHaveLength(2);
          expect((await uploads.find(uploadId))?.state).toBe('stored');
          await expectStoredOnce(data, [a, b]);
        });

        it('answers the live request with success when another replica recovered the upload first', async () => {
          const data = randomBytes(1024 * 1024 + 7);
          const requestStart = hold('request', 'start');
          const recoveryCopying = hold('recovery', 'leased');
          const a = await replica('storage-a', requestStart.pause);
          const b = await replica('storage-b', recoveryCopying.pause);
          const answered = upload(a, data);
          await requestStart.reached; // every byte is staged; A has not sought the upload's lease

          const tick = b.storage.jobs.lifecycle.runTick(tickAt(Date.now(), 3_600_000) + 1);
          await recoveryCopying.reached; // B's recovery holds the upload
          requestStart.release();
          await until(() => lines([a], 'another finisher holds the upload; waiting').length === 1);
          recoveryCopying.release();

          expect(await tick).toBe('ran');
          const uploadId = await answered;
          expect((await uploads.find(uploadId))?.state).toBe('stored');
          expect(lines([b], 'finishing an upload interrupted before it was stored')).toHaveLength(1);
          await expectStoredOnce(data, [a, b]);
        });

        it('leaves an upload a finish holds to it when its expiry comes due meanwhile', async () => {
          const data = randomBytes(1024 * 1024 + 7);
          const copying = hold('request', 'leased');
          const a = await replica('storage-a', copying.pause);
          const answered = upload(a, data);
          await copying.reached; // every byte is staged, A holds the upload and has not copied it yet
          const uploadId = await staleUpload();
          const staged = await stagedObjects();

          // B's lifecycle finds it receiving past the policy, and held by A: neither expired nor unstaged.
          const b = await replica('storage-b');
          let tick = tickAt(Date.now(), 3_600_000);
          expect(await b.storage.jobs.lifecycle.runTick(++tick)).toBe('ran');
          expect(lines([b], 'expiry skips an upload another finisher holds')).toHaveLength(1);
          expect((await uploads.find(uploadId, 'primary'))?.state).toBe('receiving');
          expect(await stagedObjects()).toEqual(staged);

          copying.release();
          expect(await answered).toBe(uploadId);
          // The next run sees it stored: the policy no longer applies to it.
          expect(await b.storage.jobs.lifecycle.runTick(++tick)).toBe('ran');
          expect((await uploads.find(uploadId, 'primary'))?.state).toBe('stored');
          expect(lines([b], 'lifecycle policy applied')).toEqual([]);
          await expectStoredOnce(data, [a, b]);
        });

        it('does not expire an upload stored between the policy deciding and the expiry taking it', async () => {
          const data = randomBytes(1024 * 1024 + 7);
          const copying = hold('request', 'leased');
          const expiryStart = hold('expiry', 'start');
          const a = await replica('storage-a', copying.pause);
          const b = await replica('storage-b', expiryStart.pause);
          const answered = upload(a, data);
          await copying.reached;
          const uploadId = await staleUpload();

          // B's recovery skips the upload A holds; its policy lists it receiving and means to expire it.
          const tick = b.storage.jobs.lifecycle.runTick(tickAt(Date.now(), 3_600_000) + 1);
          await expiryStart.reached;
          copying.release();
          expect(await answered).toBe(uploadId); // stored by A, lease released
          expiryStart.release();

          expect(await tick).toBe('ran');
          // Under the lease B re-read the row from the primary: stored, so left alone.
          expect(lines([b], 'expiry leaves an upload no longer receiving')).toHaveLength(1);
          expect(lines([b], 'lifecycle policy applied')).toEqual([]);
          expect((await uploads.find(uploadId, 'primary'))?.state).toBe('stored');
          await expectStoredOnce(data, [a, b]);
        });

        it('finishes an interrupted upload once when two replicas start together', async () => {
          const data = randomBytes(1024 * 1024 + 7);
          const crash = hold('request', 'leased');
          const a = await replica('storage-a', crash.pause);
          const answered = upload(a, data);
          await crash.reached;
          crash.fail(new Error('simulated crash before the copy'));
          await expect(answered).rejects.toThrow();
          expect(await uploads.inState(['receiving'])).toHaveLength(1);

          const bStart = hold('recovery', 'start');
          const cStart = hold('recovery', 'start');
          const b = await replica('storage-b', bStart.pause, false);
          const c = await replica('storage-c', cStart.pause, false);
          const started = Promise.all([b.storage.start(), c.storage.start()]);
          await Promise.all([bStart.reached, cStart.reached]); // both startup passes see it receiving
          bStart.release();
          cStart.release();
          await started;

          expect(lines([b, c], 'finishing an upload interrupted before it was stored')).toHaveLength(1);
          await expectStoredOnce(data, [a, b, c]);
        });
      },
    );
  }
}
