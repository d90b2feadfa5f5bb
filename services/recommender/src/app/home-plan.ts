import { assembleHome, homeItem, type ContinueWatchingEntry, type Home, type HomeRow } from './home-rows.js';
import { maturityAllows, type Maturity } from '@marquee/contracts';
import { topK } from './models/top-k.js';
import { becauseYouWatched, personalScores, type ProfileSignals } from './personal-ranking.js';
import type { ModelSnapshot } from './training.js';

export interface RowLimits {
  /** Items per row. */
  rowLength: number;
  /** "Because you watched" rows (one per recent title). */
  becauseRows: number;
  genreRows: number;
}

export const DEFAULT_ROW_LIMITS: RowLimits = { rowLength: 20, becauseRows: 2, genreRows: 6 };

export interface ProfileView {
  ceiling: Maturity;
  name?: string;
  continueWatching?: readonly ContinueWatchingEntry[];
  myList?: readonly string[];
}

function byNewest(snapshot: ModelSnapshot): number[] {
  const titles = snapshot.catalog.titles;
  return titles
    .map((_, i) => i)
    .sort((a, b) => {
      const pa = titles[a]!.publishedAt;
      const pb = titles[b]!.publishedAt;
      return pa !== pb ? (pa > pb ? -1 : 1) : a - b;
    });
}

/** Genres ordered by how much the profile watched them, then by how many titles have them. */
function genreOrder(snapshot: ModelSnapshot, signals: ProfileSignals | undefined): string[] {
  const affinity = new Map<string, number>();
  const size = new Map<string, number>();
  for (const title of snapshot.catalog.titles)
    for (const genre of title.genres) size.set(genre, (size.get(genre) ?? 0) + 1);
  for (const [item, weight] of signals?.weights ?? [])
    for (const genre of snapshot.catalog.titles[item]!.genres)
      affinity.set(genre, (affinity.get(genre) ?? 0) + weight);
  return [...size.keys()].sort(
    (a, b) =>
      (affinity.get(b) ?? 0) - (affinity.get(a) ?? 0) ||
      size.get(b)! - size.get(a)! ||
      (a < b ? -1 : a > b ? 1 : 0),
  );
}

function genreShelves(
  snapshot: ModelSnapshot,
  genres: readonly string[],
  scores: Float32Array,
  keep: (item: number) => boolean,
  limit: number,
) {
  return genres.map((genre) => ({
    genre,
    items: topK(scores, limit, (j) => keep(j) && snapshot.catalog.titles[j]!.genres.includes(genre)),
  }));
}

/** The personalised home page of one profile: pure, from the snapshot, its signals and the users data. */
export function planHome(
  snapshot: ModelSnapshot,
  signals: ProfileSignals,
  view: ProfileView,
  limits: RowLimits = DEFAULT_ROW_LIMITS,
): Home {
  const titles = snapshot.catalog.titles;
  const playable = (j: number) => maturityAllows(view.ceiling, titles[j]!.maturity);
  const fresh = (j: number) => playable(j) && !signals.seen.has(j) && !signals.excluded.has(j);
  const depth = limits.rowLength * 3;
  const scores = personalScores(snapshot, signals);
  const genres = genreOrder(snapshot, signals).slice(0, limits.genreRows);
  return assembleHome({
    catalog: snapshot.catalog,
    ceiling: view.ceiling,
    profileName: view.name,
    continueWatching: view.continueWatching,
    myList: view.myList,
    topPicks: topK(scores, depth, fresh),
    becauseYouWatched: signals.recent.slice(0, limits.becauseRows).map((anchor) => ({
      anchor,
      items: becauseYouWatched(snapshot, anchor, fresh, depth),
    })),
    trending: topK(snapshot.trending, depth, (j) => playable(j) && snapshot.trending[j]! > 0),
    newest: byNewest(snapshot).filter(playable).slice(0, depth),
    genres: genreShelves(snapshot, genres, scores, (j) => playable(j) && !signals.excluded.has(j), depth),
    excluded: signals.excluded,
    rowLength: limits.rowLength,
  });
}

/**
 * The same page for nobody in particular: "Popular on Marquee" and genre rows by popularity, for the
 * gateway's fallback when personalised rows cannot be had (GET /internal/popular).
 */
export function planPopular(
  snapshot: ModelSnapshot,
  ceiling: Maturity,
  limits: RowLimits = DEFAULT_ROW_LIMITS,
): Home {
  const titles = snapshot.catalog.titles;
  const playable = (j: number) => maturityAllows(ceiling, titles[j]!.maturity);
  // Popularity first, then newest: a catalog nobody has watched yet still fills the row.
  const newest = byNewest(snapshot);
  const recency = new Float32Array(titles.length);
  newest.forEach((j, rank) => (recency[j] = 1 - rank / Math.max(1, newest.length)));
  const max = Math.max(0, ...snapshot.popularity);
  const scores = Float32Array.from(
    snapshot.popularity,
    (p, j) => (max > 0 ? p / max : 0) + 1e-3 * recency[j]!,
  );
  const rows: HomeRow[] = [];
  const toItems = (indices: number[]) => indices.map((j) => homeItem(titles[j]!));
  const popular = toItems(topK(scores, limits.rowLength, playable));
  if (popular.length > 0) rows.push({ id: 'popular', title: 'Popular on Marquee', items: popular });
  for (const { genre, items } of genreShelves(
    snapshot,
    genreOrder(snapshot, undefined).slice(0, limits.genreRows),
    scores,
    playable,
    limits.rowLength,
  )) {
    const shelf = toItems(items);
    if (shelf.length > 0) rows.push({ id: `genre:${genre.toLowerCase()}`, title: genre, items: shelf });
  }
  return { rows };
}
