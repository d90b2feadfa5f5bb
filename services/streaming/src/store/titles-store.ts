import { sql, type Kysely } from 'kysely';
import { jsonColumn } from '@marquee/platform';
import { searchTermsOf } from '../app/search-terms.js';
import type { Maturity } from '@marquee/contracts';
import type { StreamingTables, TitlesTable } from './tables.js';

/** A connection or a transaction: every store function runs on either. */
export type Executor = Kysely<StreamingTables>;
export type TitleRow = TitlesTable;

export function genresOf(row: Pick<TitleRow, 'genres'>): string[] {
  return jsonColumn.decode<string[]>(row.genres);
}

/** Inserts a title with its genre rows and search postings (episodes are found through their series). */
export async function insertTitle(db: Executor, row: TitleRow): Promise<void> {
  await db.insertInto('titles').values(row).execute();
  await indexTitle(db, row);
}

/** Writes a title's genre rows and search postings (after an insert, or after an edit cleared them). */
export async function indexTitle(db: Executor, row: TitleRow): Promise<void> {
  const genres = genresOf(row);
  if (genres.length > 0) {
    await db
      .insertInto('title_genres')
      .values(genres.map((genre) => ({ title_id: row.title_id, genre })))
      .execute();
  }
  if (row.kind !== 'episode') {
    const terms = searchTermsOf({ name: row.name, synopsis: row.synopsis, genres });
    // Chunked: SQLite binds at most 32766 parameters per statement.
    for (let i = 0; i < terms.length; i += 500) {
      await db
        .insertInto('title_terms')
        .values(terms.slice(i, i + 500).map((t) => ({ title_id: row.title_id, ...t })))
        .execute();
    }
  }
}

export function findTitle(db: Executor, titleId: string): Promise<TitleRow | undefined> {
  return db.selectFrom('titles').selectAll().where('title_id', '=', titleId).executeTakeFirst();
}

export function findTitles(db: Executor, titleIds: readonly string[]): Promise<TitleRow[]> {
  if (titleIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('titles').selectAll().where('title_id', 'in', titleIds).execute();
}

export function listEpisodes(db: Executor, seriesId: string, publishedOnly: boolean): Promise<TitleRow[]> {
  let query = db.selectFrom('titles').selectAll().where('series_id', '=', seriesId);
  if (publishedOnly) query = query.where('published_at', 'is not', null);
  return query.orderBy('season').orderBy('episode_number').execute();
}

/** Sets the playable asset (and poster) of a title; the poster of a series is set only once. */
export async function setReadyAsset(
  db: Executor,
  titleId: string,
  assetId: string,
  posterKey: string | null,
  now: string,
): Promise<void> {
  await db
    .updateTable('titles')
    .set({ ready_asset_id: assetId, updated_at: now, ...(posterKey ? { poster_key: posterKey } : {}) })
    .where('title_id', '=', titleId)
    .execute();
}

export async function setSeriesPosterIfMissing(
  db: Executor,
  seriesId: string,
  posterKey: string,
): Promise<void> {
  await db
    .updateTable('titles')
    .set({ poster_key: posterKey })
    .where('title_id', '=', seriesId)
    .where('poster_key', 'is', null)
    .execute();
}

/** Marks a title published; true only for the call that did it (so title.published is emitted once). */
export async function markPublished(db: Executor, titleId: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('titles')
    .set({ published_at: now, updated_at: now })
    .where('title_id', '=', titleId)
    .where('published_at', 'is', null)
    // An operator's unpublish holds until they publish again, whatever finishes encoding meanwhile.
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function countPlays(db: Executor, titleId: string, plays: number): Promise<void> {
  await db
    .updateTable('titles')
    .set({ plays: sql`plays + ${plays}` })
    .where('title_id', '=', titleId)
    .execute();
}

export interface CatalogFilter {
  genre?: string;
  /** Ratings allowed; all when absent. */
  maturities?: readonly Maturity[];
}

/** Published movies and series: the rows viewers may see. */
function visible(db: Executor, filter: CatalogFilter) {
  let query = db
    .selectFrom('titles')
    .selectAll('titles')
    .where('titles.kind', '!=', 'episode')
    .where('titles.published_at', 'is not', null);
  if (filter.maturities) query = query.where('titles.maturity', 'in', filter.maturities);
  if (filter.genre) {
    const genre = filter.genre;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('title_genres')
          .select('title_genres.title_id')
          .whereRef('title_genres.title_id', '=', 'titles.title_id')
          .where('title_genres.genre', '=', genre),
      ),
    );
  }
  return query;
}

/** Browsing by name with a keyset cursor (the name and id of the last row of the previous page). */
export function browseTitles(
  db: Executor,
  filter: CatalogFilter,
  after: { name: string; titleId: string } | undefined,
  limit: number,
): Promise<TitleRow[]> {
  let query = visible(db, filter);
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('titles.name', '>', after.name),
        eb.and([eb('titles.name', '=', after.name), eb('titles.title_id', '>', after.titleId)]),
      ]),
    );
  }
  return query.orderBy('titles.name').orderBy('titles.title_id').limit(limit).execute();
}

/** Titles whose postings reach `minScore` for the query's trigrams, best first. */
export async function searchTitles(
  db: Executor,
  filter: CatalogFilter,
  terms: readonly string[],
  minScore: number,
  offset: number,
  limit: number,
): Promise<TitleRow[]> {
  const scores = db
    .selectFrom('title_terms')
    .select(['title_terms.title_id', (eb) => eb.fn.sum<number>('title_terms.weight').as('score')])
    .where('title_terms.term', 'in', terms)
    .groupBy('title_terms.title_id')
    .having((eb) => eb.fn.sum('title_terms.weight'), '>=', minScore);
  return visible(db, filter)
    .innerJoin(scores.as('s'), 's.title_id', 'titles.title_id')
    .orderBy('s.score', 'desc')
    .orderBy('titles.plays', 'desc')
    .orderBy('titles.title_id')
    .offset(offset)
    .limit(limit)
    .execute();
}

export function popularTitles(db: Executor, filter: CatalogFilter, limit: number): Promise<TitleRow[]> {
  return visible(db, filter)
    .orderBy('titles.plays', 'desc')
    .orderBy('titles.published_at', 'desc')
    .orderBy('titles.title_id')
    .limit(limit)
    .execute();
}

/** Genres of visible titles, most titles first. */
export async function topGenres(db: Executor, filter: CatalogFilter, limit: number): Promise<string[]> {
  let query = db
    .selectFrom('title_genres')
    .innerJoin('titles', 'titles.title_id', 'title_genres.title_id')
    .select(['title_genres.genre', (eb) => eb.fn.countAll<number>().as('n')])
    .where('titles.kind', '!=', 'episode')
    .where('titles.published_at', 'is not', null);
  if (filter.maturities) query = query.where('titles.maturity', 'in', filter.maturities);
  const rows = await query
    .groupBy('title_genres.genre')
    .orderBy('n', 'desc')
    .orderBy('title_genres.genre')
    .limit(limit)
    .execute();
  return rows.map((r) => r.genre);
}

/** Every title for the admin console, newest first, with a keyset cursor on (created_at, id). */
export function adminListTitles(
  db: Executor,
  after: { createdAt: string; titleId: string } | undefined,
  limit: number,
): Promise<TitleRow[]> {
  let query = db.selectFrom('titles').selectAll().where('kind', '!=', 'episode');
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('title_id', '<', after.titleId)]),
      ]),
    );
  }
  return query.orderBy('created_at', 'desc').orderBy('title_id', 'desc').limit(limit).execute();
}
