import { NotFoundError, ValidationError } from '@marquee/core';
import type { Database } from '@marquee/platform';
import { latestAssetOf } from '../store/assets-store.js';
import type { StreamingTables } from '../store/tables.js';
import {
  browseTitles,
  findTitle,
  findTitles,
  listEpisodes,
  popularTitles,
  searchTitles,
  topGenres,
  type CatalogFilter,
  type TitleRow,
} from '../store/titles-store.js';
import type { Page } from './catalog-admin.js';

import { MATURITY_RATINGS, maturityRank, type EpisodeHit, type Maturity } from '@marquee/contracts';
import { minimumScore, normalizeText, queryTerms } from './search-terms.js';
import { searchEpisodesByName } from '../store/episode-search-store.js';
import {
  decodeCursor,
  encodeCursor,
  episodeView,
  seasonsOf,
  titleSummary,
  type PosterUrlOf,
  type TitleDetail,
  type TitleSummary,
} from './title-views.js';

const SEARCH_MAX_OFFSET = 500;

/** Ratings up to and including `max`. */
export function ratingsUpTo(max: Maturity): Maturity[] {
  return MATURITY_RATINGS.filter((r) => maturityRank(r) <= maturityRank(max));
}

/** What viewers (and the gateway, recommender and edges) read: published titles only. */
export class Catalog {
  constructor(
    private readonly db: Database<StreamingTables>,
    private readonly posterUrls: () => Promise<PosterUrlOf>,
  ) {}

  /** Viewer listing: search by `q` (typo tolerant) or browse by name; published titles only. */
  async listTitles(
    query: { q?: string; genre?: string; cursor?: string; limit: number },
    filter: CatalogFilter,
  ): Promise<Page<TitleSummary>> {
    const posterUrlOf = await this.posterUrls();
    const genre = query.genre?.trim().toLowerCase() || undefined;
    const scoped = { ...filter, genre };
    const cursor = decodeCursor(query.cursor);
    if (query.cursor && !cursor) throw new ValidationError('cursor is not one this API gave out');
    const terms = query.q ? queryTerms(query.q) : [];
    if (terms.length > 0) {
      const offset = typeof cursor?.o === 'number' ? Math.min(Math.max(0, cursor.o), SEARCH_MAX_OFFSET) : 0;
      const rows = await searchTitles(
        this.db.read,
        scoped,
        terms,
        minimumScore(terms.length),
        offset,
        query.limit + 1,
      );
      return {
        items: rows.slice(0, query.limit).map((r) => titleSummary(r, posterUrlOf)),
        nextCursor:
          rows.length > query.limit && offset + query.limit <= SEARCH_MAX_OFFSET
            ? encodeCursor({ o: offset + query.limit })
            : null,
      };
    }
    const after =
      cursor && typeof cursor.n === 'string' && typeof cursor.i === 'string'
        ? { name: cursor.n, titleId: cursor.i }
        : undefined;
    const rows = await browseTitles(this.db.read, scoped, after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => titleSummary(r, posterUrlOf)),
      nextCursor: rows.length > query.limit && last ? encodeCursor({ n: last.name, i: last.title_id }) : null,
    };
  }

  /** Episodes whose name holds every word of `q`, within the filter's ratings (at most `limit`). */
  async searchEpisodes(q: string, filter: CatalogFilter, limit = 10): Promise<EpisodeHit[]> {
    const words = normalizeText(q).split(' ').filter(Boolean).slice(0, 8);
    const rows = await searchEpisodesByName(this.db.read, filter, words, limit);
    const posterUrlOf = await this.posterUrls();
    return rows.map((r) => ({
      titleId: r.title_id,
      name: r.name,
      seriesId: r.series_id ?? '',
      seriesName: r.series_name,
      season: r.season ?? 0,
      number: r.episode_number ?? 0,
      posterUrl: posterUrlOf(r.poster_key),
    }));
  }

  /** A published title; a series with its published episodes by season. Hidden ratings are not found. */
  async titleDetail(titleId: string, filter: CatalogFilter): Promise<TitleDetail> {
    const title = await findTitle(this.db.read, titleId);
    if (
      !title ||
      title.published_at === null ||
      (filter.maturities && !filter.maturities.includes(title.maturity))
    ) {
      throw new NotFoundError('title', titleId);
    }
    const posterUrlOf = await this.posterUrls();
    const summary = titleSummary(title, posterUrlOf);
    if (title.kind === 'series') {
      const episodes = await listEpisodes(this.db.read, titleId, true);
      const durations = await this.durations(episodes);
      return {
        ...summary,
        seasons: seasonsOf(
          episodes.map((e) => episodeView(e, durations.get(e.title_id) ?? null, posterUrlOf)),
        ),
      };
    }
    const durationSeconds = (await this.durations([title])).get(titleId) ?? null;
    if (title.kind === 'episode') {
      const { posterUrl: _p, ...episode } = episodeView(title, durationSeconds, posterUrlOf);
      return { ...episode, posterUrl: summary.posterUrl };
    }
    return { ...summary, durationSeconds };
  }

  /** Summaries of published titles by id, in the order asked (unknown or hidden ids are skipped). */
  async summaries(titleIds: readonly string[], filter: CatalogFilter): Promise<TitleSummary[]> {
    const posterUrlOf = await this.posterUrls();
    const rows = new Map((await findTitles(this.db.read, titleIds)).map((r) => [r.title_id, r] as const));
    return titleIds
      .map((id) => rows.get(id))
      .filter((r): r is TitleRow => !!r && r.published_at !== null)
      .filter((r) => !filter.maturities || filter.maturities.includes(r.maturity))
      .map((r) => titleSummary(r, posterUrlOf));
  }

  /** Rows for the gateway's home page when the recommender is down: popular, then the top genres. */
  async homeFallback(maxMaturity: Maturity | undefined, rowSize = 20) {
    const filter: CatalogFilter = maxMaturity ? { maturities: ratingsUpTo(maxMaturity) } : {};
    const posterUrlOf = await this.posterUrls();
    const rows = [
      {
        id: 'popular',
        title: 'Popular on Marquee',
        items: (await popularTitles(this.db.read, filter, rowSize)).map((r) => titleSummary(r, posterUrlOf)),
      },
    ];
    for (const genre of await topGenres(this.db.read, filter, 6)) {
      const items = await popularTitles(this.db.read, { ...filter, genre }, rowSize);
      rows.push({
        id: `genre:${genre}`,
        title: genre.charAt(0).toUpperCase() + genre.slice(1),
        items: items.map((r) => titleSummary(r, posterUrlOf)),
      });
    }
    return { rows: rows.filter((r) => r.items.length > 0) };
  }

  /** Playable assets of the most played titles (for edges' proactive fill). */
  async popularAssets(limit: number): Promise<{ assetId: string; titleId: string }[]> {
    const rows = await this.db.read
      .selectFrom('titles')
      .select(['title_id', 'ready_asset_id'])
      .where('ready_asset_id', 'is not', null)
      .orderBy('plays', 'desc')
      .orderBy('published_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ assetId: r.ready_asset_id!, titleId: r.title_id }));
  }

  async internalTitle(titleId: string) {
    const title = await findTitle(this.db.read, titleId);
    if (!title) throw new NotFoundError('title', titleId);
    return {
      titleId,
      type: title.kind,
      name: title.name,
      maturity: title.maturity,
      published: title.published_at !== null,
      readyAssetId: title.ready_asset_id,
      // A newer video on its way to ready: the encoder's subtitle adder waits for it (jobs/add-subtitle.ts).
      encoding: await this.isEncoding(titleId, title.ready_asset_id),
    };
  }

  private async isEncoding(titleId: string, readyAssetId: string | null): Promise<boolean> {
    const newest = await latestAssetOf(this.db.read, titleId);
    return (
      newest !== undefined &&
      newest.asset_id !== readyAssetId &&
      (newest.state === 'queued' || newest.state === 'encoding')
    );
  }

  private async durations(titles: readonly TitleRow[]): Promise<Map<string, number | null>> {
    const assetIds = titles.map((t) => t.ready_asset_id).filter((id): id is string => id !== null);
    if (assetIds.length === 0) return new Map();
    const rows = await this.db.read
      .selectFrom('assets')
      .select(['title_id', 'duration_seconds'])
      .where('asset_id', 'in', assetIds)
      .execute();
    return new Map(rows.map((r) => [r.title_id, r.duration_seconds] as const));
  }
}
