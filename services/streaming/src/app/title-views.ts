import type { AssetRow } from '../store/assets-store.js';
import { renditionsOf } from '../store/assets-store.js';
import type { TitleKind } from '../store/tables.js';
import { genresOf, type TitleRow } from '../store/titles-store.js';
import type { AssetState } from './asset-state.js';
import type { Maturity } from '@marquee/contracts';

/** What a viewer sees of a title in lists and rows. */
export interface TitleSummary {
  titleId: string;
  type: TitleKind;
  name: string;
  synopsis: string;
  year: number;
  maturity: Maturity;
  genres: string[];
  posterUrl: string | null;
}

export interface EpisodeView extends TitleSummary {
  seriesId: string;
  season: number;
  number: number;
  durationSeconds: number | null;
}

export interface TitleDetail extends TitleSummary {
  durationSeconds?: number | null;
  seriesId?: string;
  season?: number;
  number?: number;
  seasons?: { season: number; episodes: EpisodeView[] }[];
}

export interface AdminAssetView {
  assetId: string;
  state: AssetState;
  progress: number;
  stage: string | null;
  reason: string | null;
  renditions: { height: number; width: number; bandwidth: number; codecs: string }[];
  durationSeconds: number | null;
  filename: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AdminTitleView extends Omit<TitleDetail, 'posterUrl' | 'seasons'> {
  published: boolean;
  plays: number;
  createdAt: string;
  asset: AdminAssetView | null;
  episodes?: AdminTitleView[];
}

/** Turns a blob key into a URL viewers can load (see MediaUrls.artworkUrl). */
export type PosterUrlOf = (posterKey: string | null) => string | null;

export function titleSummary(row: TitleRow, posterUrlOf: PosterUrlOf): TitleSummary {
  return {
    titleId: row.title_id,
    type: row.kind,
    name: row.name,
    synopsis: row.synopsis,
    year: row.year,
    maturity: row.maturity,
    genres: genresOf(row),
    posterUrl: posterUrlOf(row.poster_key),
  };
}

export function episodeView(
  row: TitleRow,
  durationSeconds: number | null,
  posterUrlOf: PosterUrlOf,
): EpisodeView {
  return {
    ...titleSummary(row, posterUrlOf),
    seriesId: row.series_id ?? '',
    season: row.season ?? 0,
    number: row.episode_number ?? 0,
    durationSeconds,
  };
}

/** Episodes grouped by season, both in order. */
export function seasonsOf(episodes: readonly EpisodeView[]): { season: number; episodes: EpisodeView[] }[] {
  const bySeason = new Map<number, EpisodeView[]>();
  for (const ep of [...episodes].sort((a, b) => a.season - b.season || a.number - b.number)) {
    bySeason.set(ep.season, [...(bySeason.get(ep.season) ?? []), ep]);
  }
  return [...bySeason].map(([season, eps]) => ({ season, episodes: eps }));
}

export function adminAssetView(row: AssetRow | undefined): AdminAssetView | null {
  if (!row) return null;
  return {
    assetId: row.asset_id,
    state: row.state,
    progress: row.progress,
    stage: row.stage,
    reason: row.reason,
    renditions: renditionsOf(row).map((r) => ({
      height: r.height,
      width: r.width,
      bandwidth: r.bandwidth,
      codecs: r.codecs,
    })),
    durationSeconds: row.duration_seconds,
    filename: row.filename,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function adminTitleView(row: TitleRow, asset: AssetRow | undefined): AdminTitleView {
  const { posterUrl: _unused, ...summary } = titleSummary(row, () => null);
  return {
    ...summary,
    ...(row.kind === 'episode'
      ? { seriesId: row.series_id ?? '', season: row.season ?? 0, number: row.episode_number ?? 0 }
      : {}),
    published: row.published_at !== null,
    plays: row.plays,
    createdAt: row.created_at,
    asset: adminAssetView(asset),
  };
}

/** Opaque cursors: base64url JSON, validated on the way back in. */
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
