import { randomUUID } from 'node:crypto';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '@marquee/core';
import { jsonColumn, type Database } from '@marquee/platform';
import {
  applyAssetChange,
  findAsset,
  insertAsset,
  latestAssetOf,
  latestAssetsOf,
  snapshotOf,
} from '../store/assets-store.js';
import type { StreamingTables } from '../store/tables.js';
import {
  adminListTitles,
  findTitle,
  insertTitle,
  listEpisodes,
  type TitleRow,
} from '../store/titles-store.js';
import type { NewTitle } from '@marquee/contracts';
import { adminTitleView, decodeCursor, encodeCursor, type AdminTitleView } from './title-views.js';

export const UPLOAD_CANCELLED = 'The upload was deleted before it finished; upload the video again';

export interface NewEpisode {
  season: number;
  number: number;
  name: string;
  synopsis?: string;
  year?: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

function normalizeGenres(genres: readonly string[] = []): string[] {
  return [...new Set(genres.map((g) => g.trim().toLowerCase()).filter((g) => g.length > 0))];
}

/** The operator's side of the catalog: titles, episodes, uploads and their encoding state. */
export class CatalogAdmin {
  constructor(
    private readonly db: Database<StreamingTables>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createTitle(input: NewTitle): Promise<{ titleId: string }> {
    const at = this.now().toISOString();
    const row: TitleRow = {
      title_id: randomUUID(),
      kind: input.type,
      series_id: null,
      season: null,
      episode_number: null,
      name: input.name.trim(),
      synopsis: (input.synopsis ?? '').trim(),
      year: input.year,
      maturity: input.maturity,
      genres: jsonColumn.encode(normalizeGenres(input.genres)),
      poster_key: null,
      ready_asset_id: null,
      published_at: null,
      withdrawn_at: null,
      plays: 0,
      created_at: at,
      updated_at: at,
    };
    await this.db.transaction((trx) => insertTitle(trx, row));
    return { titleId: row.title_id };
  }

  /** An episode inherits its series' rating, genres and (unless given) year. */
  async addEpisode(seriesId: string, input: NewEpisode): Promise<{ titleId: string }> {
    const at = this.now().toISOString();
    return this.db.transaction(async (trx) => {
      const series = await findTitle(trx, seriesId);
      if (!series) throw new NotFoundError('series', seriesId);
      if (series.kind !== 'series')
        throw new DomainError('title.not_a_series', `${series.name} is not a series`);
      const taken = await trx
        .selectFrom('titles')
        .select('title_id')
        .where('series_id', '=', seriesId)
        .where('season', '=', input.season)
        .where('episode_number', '=', input.number)
        .executeTakeFirst();
      if (taken) {
        throw new ConflictError(
          'title.episode_conflict',
          `Season ${input.season} episode ${input.number} of ${series.name} already exists`,
          { titleId: taken.title_id },
        );
      }
      const row: TitleRow = {
        ...series,
        title_id: randomUUID(),
        kind: 'episode',
        series_id: seriesId,
        season: input.season,
        episode_number: input.number,
        name: input.name.trim(),
        synopsis: (input.synopsis ?? '').trim(),
        year: input.year ?? series.year,
        poster_key: null,
        ready_asset_id: null,
        published_at: null,
        withdrawn_at: null,
        plays: 0,
        created_at: at,
        updated_at: at,
      };
      await insertTitle(trx, row);
      return { titleId: row.title_id };
    });
  }

  /**
   * Storage registers a source upload before taking its bytes; a retried create gets the same asset.
   * Admin paths read the PRIMARY: the title was usually created a moment ago, and a replica that lags
   * would answer 404 (or miss the retried upload and make a second asset).
   */
  async registerUpload(
    titleId: string,
    input: { uploadId?: string; filename?: string },
  ): Promise<{ assetId: string }> {
    const title = await findTitle(this.db.write, titleId);
    if (!title) throw new NotFoundError('title', titleId);
    if (title.kind === 'series') {
      throw new ValidationError('A series has no video of its own: upload to one of its episodes');
    }
    if (input.uploadId) {
      const existing = await this.db.write
        .selectFrom('assets')
        .select('asset_id')
        .where('upload_id', '=', input.uploadId)
        .executeTakeFirst();
      if (existing) return { assetId: existing.asset_id };
    }
    const at = this.now().toISOString();
    const assetId = randomUUID();
    await insertAsset(this.db.write, {
      asset_id: assetId,
      title_id: titleId,
      state: 'uploading',
      progress: 0,
      stage: null,
      reason: null,
      renditions: null,
      duration_seconds: null,
      poster_key: null,
      upload_id: input.uploadId ?? null,
      filename: input.filename ?? null,
      created_at: at,
      updated_at: at,
    });
    return { assetId };
  }

  /**
   * Storage says an upload was deleted before it finished: its asset fails with a reason instead of
   * staying "uploading" for good. An asset already past uploading (queued, encoding, done) is kept.
   */
  async abandonUpload(assetId: string): Promise<void> {
    const asset = await findAsset(this.db.write, assetId);
    if (!asset) throw new NotFoundError('asset', assetId);
    if (asset.state !== 'uploading') return;
    const change = { state: 'failed', reason: UPLOAD_CANCELLED } as const;
    if (
      !(await applyAssetChange(this.db.write, assetId, snapshotOf(asset), change, this.now().toISOString()))
    ) {
      // It moved on meanwhile (the last byte landed): re-read and decide again.
      return this.abandonUpload(assetId);
    }
  }

  async adminTitle(titleId: string): Promise<AdminTitleView> {
    const title = await findTitle(this.db.write, titleId);
    if (!title) throw new NotFoundError('title', titleId);
    const view = adminTitleView(title, await latestAssetOf(this.db.write, titleId));
    if (title.kind !== 'series') return view;
    const episodes = await listEpisodes(this.db.write, titleId, false);
    const assets = newestByTitle(
      await latestAssetsOf(
        this.db.write,
        episodes.map((e) => e.title_id),
      ),
    );
    return { ...view, episodes: episodes.map((e) => adminTitleView(e, assets.get(e.title_id))) };
  }

  async adminList(cursor: string | undefined, limit: number): Promise<Page<AdminTitleView>> {
    const after = decodeCursor(cursor);
    const rows = await adminListTitles(
      this.db.write,
      after && typeof after.c === 'string' && typeof after.i === 'string'
        ? { createdAt: after.c, titleId: after.i }
        : undefined,
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const assets = newestByTitle(
      await latestAssetsOf(
        this.db.write,
        page.map((r) => r.title_id),
      ),
    );
    const last = page.at(-1);
    return {
      items: page.map((r) => adminTitleView(r, assets.get(r.title_id))),
      nextCursor: rows.length > limit && last ? encodeCursor({ c: last.created_at, i: last.title_id }) : null,
    };
  }
}

function newestByTitle<T extends { title_id: string; created_at: string }>(
  rows: readonly T[],
): Map<string, T> {
  const out = new Map<string, T>();
  for (const row of rows) {
    const seen = out.get(row.title_id);
    if (!seen || row.created_at > seen.created_at) out.set(row.title_id, row);
  }
  return out;
}
