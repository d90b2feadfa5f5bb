import type { Kysely, Migration } from 'kysely';
import { outboxMigrations } from '@marquee/platform';

export const storageMigrations: Record<string, Migration> = {
  ...outboxMigrations,
  '2026_11_21_001_uploads': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('uploads')
        .addColumn('upload_id', 'text', (c) => c.primaryKey())
        .addColumn('asset_id', 'text', (c) => c.notNull())
        .addColumn('title_id', 'text', (c) => c.notNull())
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('language', 'text')
        .addColumn('size', 'bigint')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('blob_key', 'text')
        .addColumn('sha256', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('stored_at', 'text')
        .addColumn('settled_at', 'text')
        .execute();
      await db.schema.createIndex('uploads_asset').on('uploads').column('asset_id').execute();
      await db.schema.createIndex('uploads_state').on('uploads').columns(['state', 'created_at']).execute();
      await db.schema
        .createTable('scrub_mismatches')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('blob_key', 'text', (c) => c.notNull())
        .addColumn('expected', 'text', (c) => c.notNull())
        .addColumn('actual', 'text', (c) => c.notNull())
        .addColumn('found_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};
