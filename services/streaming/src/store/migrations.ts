import type { Kysely, Migration } from 'kysely';
import { outboxMigrations } from '@marquee/platform';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was then */

/**
 * The streaming service's migrations, portable across SQLite and PostgreSQL: text ids and instants,
 * 0/1 integers for booleans, `double precision` for fractions (REAL affinity on SQLite), `bigint` for
 * epoch milliseconds. Names sort in order of application; never edit a published migration, add one.
 */
export const streamingMigrations: Record<string, Migration> = {
  ...outboxMigrations,
  streaming_0001_catalog: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('titles')
        .addColumn('title_id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('series_id', 'text', (c) => c.references('titles.title_id').onDelete('cascade'))
        .addColumn('season', 'integer')
        .addColumn('episode_number', 'integer')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('synopsis', 'text', (c) => c.notNull())
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('maturity', 'text', (c) => c.notNull())
        .addColumn('genres', 'text', (c) => c.notNull())
        .addColumn('poster_key', 'text')
        .addColumn('ready_asset_id', 'text')
        .addColumn('published_at', 'text')
        .addColumn('plays', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('titles_by_series').on('titles').columns(['series_id', 'season']).execute();
      await db.schema
        .createIndex('titles_by_name')
        .on('titles')
        .columns(['kind', 'name', 'title_id'])
        .execute();
      await db.schema
        .createIndex('episodes_unique')
        .on('titles')
        .columns(['series_id', 'season', 'episode_number'])
        .unique()
        .execute();
      await db.schema
        .createTable('title_genres')
        .addColumn('title_id', 'text', (c) => c.notNull().references('titles.title_id').onDelete('cascade'))
        .addColumn('genre', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('title_genres_pk', ['title_id', 'genre'])
        .execute();
      await db.schema
        .createIndex('title_genres_by_genre')
        .on('title_genres')
        .columns(['genre', 'title_id'])
        .execute();
      await db.schema
        .createTable('title_terms')
        .addColumn('title_id', 'text', (c) => c.notNull().references('titles.title_id').onDelete('cascade'))
        .addColumn('term', 'text', (c) => c.notNull())
        .addColumn('weight', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('title_terms_pk', ['title_id', 'term'])
        .execute();
      await db.schema
        .createIndex('title_terms_by_term')
        .on('title_terms')
        .columns(['term', 'title_id'])
        .execute();
      await db.schema
        .createTable('assets')
        .addColumn('asset_id', 'text', (c) => c.primaryKey())
        .addColumn('title_id', 'text', (c) => c.notNull().references('titles.title_id').onDelete('cascade'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('progress', 'double precision', (c) => c.notNull().defaultTo(0))
        .addColumn('stage', 'text')
        .addColumn('reason', 'text')
        .addColumn('renditions', 'text')
        .addColumn('duration_seconds', 'double precision')
        .addColumn('poster_key', 'text')
        .addColumn('upload_id', 'text')
        .addColumn('filename', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('assets_by_title')
        .on('assets')
        .columns(['title_id', 'created_at'])
        .execute();
    },
  },
  streaming_0002_playback_and_edges: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('playback_sessions')
        .addColumn('session_id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('title_id', 'text', (c) => c.notNull())
        .addColumn('asset_id', 'text', (c) => c.notNull())
        .addColumn('max_height', 'integer', (c) => c.notNull())
        .addColumn('position', 'double precision', (c) => c.notNull().defaultTo(0))
        .addColumn('duration_seconds', 'double precision')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('stopped_at', 'text')
        .execute();
      await db.schema
        .createIndex('playback_sessions_by_expiry')
        .on('playback_sessions')
        .column('expires_at')
        .execute();
      await db.schema
        .createTable('edges')
        .addColumn('edge_id', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('healthy', 'integer', (c) => c.notNull())
        .addColumn('load', 'double precision', (c) => c.notNull())
        .addColumn('assets', 'text', (c) => c.notNull())
        .addColumn('last_seen', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  streaming_0003_edge_hit_ratio: {
    async up(db: Kysely<any>) {
      // JSON {ram, disk, total} as the edge last reported it; null for edges that never did.
      await db.schema.alterTable('edges').addColumn('hit_ratio', 'text').execute();
    },
  },
  streaming_0004_sessions_by_viewing: {
    async up(db: Kysely<any>) {
      // A new session resumes where the newest one on the same title left off (read-your-writes).
      await db.schema
        .createIndex('playback_sessions_by_viewing')
        .on('playback_sessions')
        .columns(['profile_id', 'title_id', 'created_at'])
        .execute();
    },
  },
  streaming_0005_sessions_by_account: {
    async up(db: Kysely<any>) {
      // A start ends the account's sessions whose stream slot lapsed.
      await db.schema
        .createIndex('playback_sessions_by_account')
        .on('playback_sessions')
        .columns(['account_id', 'stopped_at'])
        .execute();
    },
  },
  streaming_0006_titles_withdrawn: {
    async up(db: Kysely<any>) {
      // Set while the operator has unpublished a title: a new encode must not publish it again.
      await db.schema.alterTable('titles').addColumn('withdrawn_at', 'text').execute();
    },
  },
  streaming_0007_asset_content_keys: {
    async up(db: Kysely<any>) {
      // Encrypted assets' content keys, wrapped by a master key (never in clear): issued to live sessions.
      await db.schema
        .createTable('asset_content_keys')
        .addColumn('asset_id', 'text', (c) => c.primaryKey())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('wrapped', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};
