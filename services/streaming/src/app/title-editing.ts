import { randomUUID } from 'node:crypto';
import { DomainError, NotFoundError, ValidationError } from '@marquee/core';
import { enqueue, jsonColumn, type BlobStore, type Database, type NewEvent } from '@marquee/platform';
import type { TitleChanges } from '@marquee/contracts';
import type { StreamingTables } from '../store/tables.js';
import { findTitle, indexTitle, listEpisodes, type Executor, type TitleRow } from '../store/titles-store.js';
import { publishedEvent } from './asset-events.js';

/** Artwork the console may upload: the formats every browser shows, at most 1 MiB (a gateway JSON body). */
export const POSTER_TYPES: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
};
export const POSTER_MAX_BYTES = 1024 * 1024;

/** Uploaded artwork lives under an asset-like prefix of its own, so edges serve it with artwork tokens. */
export const artworkAssetId = (titleId: string): string => `art-${titleId}`;

const MAGIC: Record<string, (b: Buffer) => boolean> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/webp': (b) =>
    b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};

function normalizeGenres(genres: readonly string[]): string[] {
  return [...new Set(genres.map((g) => g.trim().toLowerCase()).filter((g) => g.length > 0))];
}

/**
 * The operator's edits to titles that exist: metadata, artwork, unpublish/publish and delete. Every
 * change that viewers' rows depend on is told through the outbox (title.published again after an edit,
 * title.deleted so storage removes the media).
 */
export class TitleEditing {
  constructor(
    private readonly db: Database<StreamingTables>,
    private readonly blobs: Pick<BlobStore, 'put'>,
    /** Called for every title whose playable view changed (drops memoised copies). */
    private readonly onChanged: (titleId: string) => void = () => {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  async update(titleId: string, changes: TitleChanges): Promise<void> {
    const at = this.now().toISOString();
    const touched = await this.db.transaction(async (trx) => {
      const title = await findTitle(trx, titleId);
      if (!title) throw new NotFoundError('title', titleId);
      if (title.kind === 'episode' && (changes.maturity || changes.genres)) {
        throw new ValidationError('An episode takes its rating and genres from its series: edit the series');
      }
      const next: TitleRow = {
        ...title,
        ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
        ...(changes.synopsis !== undefined ? { synopsis: changes.synopsis.trim() } : {}),
        ...(changes.year !== undefined ? { year: changes.year } : {}),
        ...(changes.maturity ? { maturity: changes.maturity } : {}),
        ...(changes.genres ? { genres: jsonColumn.encode(normalizeGenres(changes.genres)) } : {}),
        updated_at: at,
      };
      if (next.name.length === 0) throw new ValidationError('A title needs a name');
      await trx
        .updateTable('titles')
        .set({
          name: next.name,
          synopsis: next.synopsis,
          year: next.year,
          maturity: next.maturity,
          genres: next.genres,
          updated_at: at,
        })
        .where('title_id', '=', titleId)
        .execute();
      await trx.deleteFrom('title_genres').where('title_id', '=', titleId).execute();
      await trx.deleteFrom('title_terms').where('title_id', '=', titleId).execute();
      await indexTitle(trx, next);
      const episodes = title.kind === 'series' ? await listEpisodes(trx, titleId, false) : [];
      // Episodes inherit rating and genres (catalog-admin.addEpisode): keep them in step with the series.
      if (title.kind === 'series' && (changes.maturity || changes.genres)) {
        await trx
          .updateTable('titles')
          .set({ maturity: next.maturity, genres: next.genres, updated_at: at })
          .where('series_id', '=', titleId)
          .execute();
      }
      const events: NewEvent[] = [];
      if (changes.published === false) await this.withdraw(trx, title, episodes, at);
      else if (changes.published === true) events.push(...(await this.restore(trx, next, episodes, at)));
      else if (next.published_at !== null)
        events.push(publishedEvent(next, next.ready_asset_id ?? undefined));
      if (events.length > 0) await enqueue(trx, events);
      return [titleId, ...episodes.map((e) => e.title_id)];
    });
    touched.forEach((id) => this.onChanged(id));
  }

  private async withdraw(trx: Executor, title: TitleRow, episodes: TitleRow[], at: string): Promise<void> {
    const ids = [title.title_id, ...episodes.map((e) => e.title_id)];
    await trx
      .updateTable('titles')
      .set({ published_at: null, withdrawn_at: at, updated_at: at })
      .where('title_id', 'in', ids)
      .execute();
  }

  /** Publishes again what has something to play: a movie or episode with a ready asset, a series with one. */
  private async restore(
    trx: Executor,
    title: TitleRow,
    episodes: TitleRow[],
    at: string,
  ): Promise<NewEvent[]> {
    const playable = [title, ...episodes].filter((t) => t.kind !== 'series' && t.ready_asset_id);
    if (playable.length === 0) {
      throw new DomainError(
        'title.not_playable',
        `${title.name} has nothing ready to play yet: upload its video (or an episode's) first`,
      );
    }
    const ids = [title.title_id, ...episodes.map((e) => e.title_id)];
    await trx
      .updateTable('titles')
      .set({ withdrawn_at: null, updated_at: at })
      .where('title_id', 'in', ids)
      .execute();
    await trx
      .updateTable('titles')
      .set({ published_at: at })
      .where('title_id', 'in', [
        ...playable.map((t) => t.title_id),
        ...(title.kind === 'series' ? [title.title_id] : []),
      ])
      .where('published_at', 'is', null)
      .execute();
    return [
      ...playable.map((t) => publishedEvent(t, t.ready_asset_id ?? undefined)),
      ...(title.kind === 'series' ? [publishedEvent(title, undefined)] : []),
    ];
  }

  /**
   * Deletes a title (a series with its episodes) and every asset row; storage deletes the media on
   * title.deleted, which leaves in the same transaction. Sessions already playing keep their tokens
   * until they expire, but the blobs behind them are going: that is what delete means.
   */
  async delete(titleId: string): Promise<void> {
    const ids = await this.db.transaction(async (trx) => {
      const title = await findTitle(trx, titleId);
      if (!title) throw new NotFoundError('title', titleId);
      const episodes = title.kind === 'series' ? await listEpisodes(trx, titleId, false) : [];
      const titleIds = [titleId, ...episodes.map((e) => e.title_id)];
      const assets = await trx
        .selectFrom('assets')
        .select('asset_id')
        .where('title_id', 'in', titleIds)
        .execute();
      await trx.deleteFrom('title_genres').where('title_id', 'in', titleIds).execute();
      await trx.deleteFrom('title_terms').where('title_id', 'in', titleIds).execute();
      await trx.deleteFrom('assets').where('title_id', 'in', titleIds).execute();
      await trx.deleteFrom('titles').where('title_id', 'in', titleIds).execute();
      await enqueue(trx, [
        {
          type: 'title.deleted',
          source: 'streaming',
          subject: titleId,
          data: {
            titleId,
            titleIds,
            assetIds: [...assets.map((a) => a.asset_id), ...titleIds.map(artworkAssetId)],
          },
        },
      ]);
      return titleIds;
    });
    ids.forEach((id) => this.onChanged(id));
  }

  /**
   * Replaces a title's poster. The image gets a new key each time, so edges and browsers that cached
   * the old one never serve it for the new (poster keys are immutable like every media object).
   */
  async replacePoster(titleId: string, contentType: string, body: Buffer): Promise<{ posterKey: string }> {
    const type = contentType.split(';')[0]!.trim().toLowerCase();
    const ext = POSTER_TYPES[type];
    if (!ext || !MAGIC[type]!(body)) {
      throw new ValidationError('The poster must be a JPEG, PNG or WebP image');
    }
    if (!(await findTitle(this.db.write, titleId))) throw new NotFoundError('title', titleId);
    const posterKey = `assets/${artworkAssetId(titleId)}/poster-${randomUUID()}.${ext}`;
    await this.blobs.put(posterKey, body, { contentType: type });
    const at = this.now().toISOString();
    const updated = await this.db.write
      .updateTable('titles')
      .set({ poster_key: posterKey, updated_at: at })
      .where('title_id', '=', titleId)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new NotFoundError('title', titleId);
    this.onChanged(titleId);
    return { posterKey };
  }
}
