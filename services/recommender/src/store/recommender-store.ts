import { flagColumn, jsonColumn, type Database } from '@marquee/platform';
import { sql, type Transaction } from 'kysely';
import type { RecommenderChange } from '../app/changes.js';
import type { Maturity } from '@marquee/contracts';
import { recommenderMigrations } from './migrations.js';
import type { RecommenderTables } from './tables.js';

/** A title as the recommender knows it (its copy of title.published). */
export interface StoredTitle {
  titleId: string;
  name: string;
  genres: string[];
  maturity: Maturity;
  year: number;
  posterUrl: string | null;
  seriesId: string | null;
  publishedAt: string;
}

export interface StoredInteraction {
  profileId: string;
  titleId: string;
  played: boolean;
  completion: number;
  lastStartedAt: string | null;
  rating: 'up' | 'down' | null;
  inList: boolean;
  lastEventAt: string;
}

export interface StoredProfile {
  profileId: string;
  kids: boolean;
  maxMaturity: Maturity;
}

type Trx = Transaction<RecommenderTables>;

/** `<column> = excluded.<column>` when the incoming version is newer, else unchanged. */
const newer = <T>(column: string, version: string) =>
  sql.raw<T>(
    `case when interactions.${version} is null or excluded.${version} > interactions.${version} ` +
      `then excluded.${column} else interactions.${column} end`,
  );
const later = <T>(table: string, column: string) =>
  sql.raw<T>(
    `case when ${table}.${column} is null or excluded.${column} > ${table}.${column} ` +
      `then excluded.${column} else ${table}.${column} end`,
  );

/**
 * The recommender's tables. `apply` is the one write path: it records the event id and applies the
 * change in one transaction, so a redelivered event changes nothing. Upserts merge in SQL (the newer
 * version wins, completion only grows), so concurrent consumers on PostgreSQL cannot lose an update
 * and the final rows do not depend on the order events arrived in.
 */
export class RecommenderStore {
  constructor(private readonly db: Database<RecommenderTables>) {}

  migrate(): Promise<void> {
    return this.db.migrate(recommenderMigrations);
  }

  /** Applies `change` unless `eventId` was applied before; true when it was applied now. */
  async apply(eventId: string, eventType: string, change: RecommenderChange): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const inserted = await trx
        .insertInto('processed_events')
        .values({ event_id: eventId, event_type: eventType, processed_at: new Date().toISOString() })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await applyChange(trx, change);
      return true;
    });
  }

  async processedEventCount(): Promise<number> {
    const row = await this.db.read
      .selectFrom('processed_events')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async titles(): Promise<StoredTitle[]> {
    const rows = await this.db.read.selectFrom('titles').selectAll().orderBy('title_id').execute();
    return rows.map((r) => ({
      titleId: r.title_id,
      name: r.name,
      genres: jsonColumn.decode<string[]>(r.genres),
      maturity: r.maturity,
      year: r.year,
      posterUrl: r.poster_url,
      seriesId: r.series_id,
      publishedAt: r.published_at,
    }));
  }

  /**
   * Every interaction, ordered: the training input. Read in pages of `pageSize` rows (keyset on the
   * primary key), so that a large table never holds the event loop for one long synchronous read.
   */
  async interactions(pageSize = 5_000): Promise<StoredInteraction[]> {
    const all: StoredInteraction[] = [];
    let after: [string, string] | undefined;
    for (;;) {
      const rows = await this.db.read
        .selectFrom('interactions')
        .selectAll()
        .$if(after !== undefined, (q) =>
          q.where((eb) => eb(eb.refTuple('profile_id', 'title_id'), '>', eb.tuple(after![0], after![1]))),
        )
        .orderBy('profile_id')
        .orderBy('title_id')
        .limit(pageSize)
        .execute();
      for (const row of rows) all.push(toInteraction(row));
      if (rows.length < pageSize) return all;
      const last = rows[rows.length - 1]!;
      after = [last.profile_id, last.title_id];
    }
  }

  /** One profile's history, from the primary: it must already show the event that invalidated its home. */
  async profileHistory(profileId: string): Promise<StoredInteraction[]> {
    const rows = await this.db.write
      .selectFrom('interactions')
      .selectAll()
      .where('profile_id', '=', profileId)
      .orderBy('title_id')
      .execute();
    return rows.map(toInteraction);
  }

  async profile(profileId: string): Promise<StoredProfile | undefined> {
    const row = await this.db.read
      .selectFrom('profiles')
      .select(['profile_id', 'kids', 'max_maturity'])
      .where('profile_id', '=', profileId)
      .executeTakeFirst();
    return (
      row && { profileId: row.profile_id, kids: flagColumn.decode(row.kids), maxMaturity: row.max_maturity }
    );
  }

  ping(): Promise<boolean> {
    return this.db.ping();
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function toInteraction(r: RecommenderTables['interactions']): StoredInteraction {
  return {
    profileId: r.profile_id,
    titleId: r.title_id,
    played: flagColumn.decode(r.played),
    completion: Number(r.completion),
    lastStartedAt: r.last_started_at,
    rating: r.rating,
    inList: flagColumn.decode(r.in_list),
    lastEventAt: r.last_event_at,
  };
}

async function applyChange(trx: Trx, change: RecommenderChange): Promise<void> {
  switch (change.kind) {
    case 'title':
      await trx
        .insertInto('titles')
        .values({
          title_id: change.titleId,
          name: change.name,
          genres: jsonColumn.encode(change.genres),
          maturity: change.maturity,
          year: change.year,
          poster_url: change.posterUrl,
          series_id: change.seriesId,
          published_at: change.at,
          metadata_version: change.version,
        })
        .onConflict((oc) =>
          oc.column('title_id').doUpdateSet(() => {
            const meta = <T>(column: string) =>
              sql.raw<T>(
                `case when excluded.metadata_version > titles.metadata_version then excluded.${column} else titles.${column} end`,
              );
            return {
              name: meta('name'),
              genres: meta('genres'),
              maturity: meta('maturity'),
              year: meta('year'),
              poster_url: meta('poster_url'),
              series_id: meta('series_id'),
              metadata_version: meta('metadata_version'),
              // First publication: the earliest time wins.
              published_at: sql.raw(
                'case when excluded.published_at < titles.published_at then excluded.published_at else titles.published_at end',
              ),
            };
          }),
        )
        .execute();
      return;
    case 'profile':
      await trx
        .insertInto('profiles')
        .values({
          profile_id: change.profileId,
          account_id: change.accountId,
          kids: flagColumn.encode(change.kids),
          max_maturity: change.maxMaturity,
          created_at: change.at,
        })
        .onConflict((oc) => oc.column('profile_id').doNothing())
        .execute();
      return;
    case 'playback':
      await upsertInteraction(trx, change, {
        played: 1,
        completion: change.completion ?? 0,
        last_started_at: change.started ? change.at : null,
      });
      return;
    case 'rating':
      await upsertInteraction(trx, change, { rating: change.rating, rating_version: change.version });
      return;
    case 'list':
      await upsertInteraction(trx, change, {
        in_list: flagColumn.encode(change.inList),
        list_version: change.version,
      });
      return;
    case 'account_deleted':
      // The model forgets them at its next training, which this change counts towards.
      if (change.profileIds.length > 0) {
        await trx.deleteFrom('interactions').where('profile_id', 'in', change.profileIds).execute();
      }
      await trx.deleteFrom('profiles').where('account_id', '=', change.accountId).execute();
      return;
  }
}

async function upsertInteraction(
  trx: Trx,
  change: { profileId: string; titleId: string; at: string },
  fields: Partial<RecommenderTables['interactions']>,
): Promise<void> {
  await trx
    .insertInto('interactions')
    .values({
      profile_id: change.profileId,
      title_id: change.titleId,
      played: 0,
      completion: 0,
      last_started_at: null,
      rating: null,
      rating_version: null,
      in_list: 0,
      list_version: null,
      last_event_at: change.at,
      ...fields,
    })
    .onConflict((oc) =>
      oc.columns(['profile_id', 'title_id']).doUpdateSet({
        played: sql.raw(
          'case when excluded.played > interactions.played then 1 else interactions.played end',
        ),
        completion: sql.raw(
          'case when excluded.completion > interactions.completion then excluded.completion else interactions.completion end',
        ),
        last_started_at: later('interactions', 'last_started_at'),
        rating: newer('rating', 'rating_version'),
        rating_version: newer('rating_version', 'rating_version'),
        in_list: newer('in_list', 'list_version'),
        list_version: newer('list_version', 'list_version'),
        last_event_at: later('interactions', 'last_event_at'),
      }),
    )
    .execute();
}
