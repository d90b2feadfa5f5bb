import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was then */

/**
 * The recommender's migrations, portable across SQLite and PostgreSQL: text ids and instants, 0/1
 * integers, `double precision` for fractions (REAL affinity on SQLite). Never edit a published one.
 */
export const recommenderMigrations: Record<string, Migration> = {
  recommender_0001_events_titles_profiles_interactions: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('processed_events')
        .addColumn('event_id', 'text', (c) => c.primaryKey())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('processed_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('titles')
        .addColumn('title_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('genres', 'text', (c) => c.notNull())
        .addColumn('maturity', 'text', (c) => c.notNull())
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('poster_url', 'text')
        .addColumn('series_id', 'text')
        .addColumn('published_at', 'text', (c) => c.notNull())
        .addColumn('metadata_version', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('profiles')
        .addColumn('profile_id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('kids', 'integer', (c) => c.notNull())
        .addColumn('max_maturity', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('interactions')
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('title_id', 'text', (c) => c.notNull())
        .addColumn('played', 'integer', (c) => c.notNull())
        .addColumn('completion', 'double precision', (c) => c.notNull())
        .addColumn('last_started_at', 'text')
        .addColumn('rating', 'text')
        .addColumn('rating_version', 'text')
        .addColumn('in_list', 'integer', (c) => c.notNull())
        .addColumn('list_version', 'text')
        .addColumn('last_event_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('interactions_pk', ['profile_id', 'title_id'])
        .execute();
    },
  },
};
