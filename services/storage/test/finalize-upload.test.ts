import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '@marquee/core';
import { openDatabase } from '@marquee/platform';
import { createTestContext, type TestContext } from '@marquee/platform/testing';
import { storageMigrations } from '../src/index.js';
import { finalizeUpload } from '../src/app/finalize-upload.js';
import { UploadStore } from '../src/store/uploads.js';
import type { StorageTables } from '../src/store/tables.js';

let ctx: TestContext;
afterEach(() => ctx.cleanup());

it('announces an upload once when two finishers store it (crash recovery meeting the live request)', async () => {
  ctx = await createTestContext();
  const db = await openDatabase<StorageTables>({ service: 'storage', dataDir: ctx.dataDir });
  await db.migrate(storageMigrations);
  const uploads = new UploadStore(db);
  await uploads.create({
    upload_id: 'u1',
    asset_id: 'a1',
    title_id: 't1',
    filename: 'film.mp4',
    kind: 'source',
    language: null,
    size: 5,
    created_at: new Date().toISOString(),
  });
  const row = (await uploads.find('u1'))!;
  const deps = {
    db,
    uploads,
    blobs: ctx.blobs,
    logger: createLogger({ level: 'silent' }),
    readStaged: async () => Readable.from([Buffer.from('bytes')]),
    removeStaged: async () => undefined,
    flushOutbox: () => undefined,
  };
  // Both read the row while it was still 'receiving'.
  await Promise.all([
    finalizeUpload(deps, row, 'sources/a1/source.mp4'),
    finalizeUpload(deps, row, 'sources/a1/source.mp4'),
  ]);

  // The outbox is the platform's table, not in StorageTables.
  const outbox = await (db.read as unknown as Kysely<{ outbox: { id: number } }>)
    .selectFrom('outbox')
    .select('id')
    .execute();
  expect(outbox).toHaveLength(1);
  expect((await uploads.find('u1'))?.state).toBe('stored');
  await db.close();
});
