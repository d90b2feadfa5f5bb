import type { Catalog, CatalogTitle } from './catalog.js';
import { maturityAllows, type Maturity } from '@marquee/contracts';

/** One tile of a home row: what the web app shows without another call. */
export interface HomeItem {
  titleId: string;
  name: string;
  year: number;
  maturity: Maturity;
  genres: string[];
  posterUrl?: string;
  /** Continue Watching only: share watched (0…1) and where playback resumes (seconds). */
  progress?: number;
  resumeAt?: number;
}

export interface HomeRow {
  id: string;
  title: string;
  items: HomeItem[];
}

export interface Home {
  rows: HomeRow[];
}

export interface ContinueWatchingEntry {
  titleId: string;
  position: number;
  duration?: number;
}

/** Everything a home page is assembled from; lists are catalog indices, best first, longer than a row. */
export interface HomeInputs {
  catalog: Catalog;
  /** The highest maturity the profile may play. */
  ceiling: Maturity;
  /** For "Top picks for <name>"; "Top picks for you" when the users service could not say. */
  profileName?: string;
  /** Absent when the users service is unavailable: the row is omitted, the others still render. */
  continueWatching?: readonly ContinueWatchingEntry[];
  myList?: readonly string[];
  topPicks: readonly number[];
  becauseYouWatched: readonly { anchor: number; items: readonly number[] }[];
  trending: readonly number[];
  newest: readonly number[];
  genres: readonly { genre: string; items: readonly number[] }[];
  /** Finished or thumbed down: never in a recommendation row. */
  excluded: ReadonlySet<number>;
  rowLength: number;
}

/** A catalog title as a row item. */
export function homeItem(title: CatalogTitle): HomeItem {
  return {
    titleId: title.titleId,
    name: title.name,
    year: title.year,
    maturity: title.maturity,
    genres: title.genres,
    ...(title.posterUrl ? { posterUrl: title.posterUrl } : {}),
  };
}

/**
 * Assembles the rows, in order: Continue Watching, My List, Top picks, Because you watched (per
 * anchor), Trending now, New on Marquee, then genre rows. Rules, all enforced here:
 * - nothing above the profile's maturity ceiling, in any row (also in the viewer's own rows: a
 *   ceiling lowered since is respected);
 * - no finished or thumbed-down title in a recommendation row;
 * - de-duplicated across the top rows: a title appears in the first of Continue Watching … New on
 *   Marquee that has it (My List is the viewer's own list and is kept whole, but what it shows is not
 *   repeated below it); genre rows are browsing shelves and may repeat a title;
 * - empty rows are left out.
 */
export function assembleHome(inputs: HomeInputs): Home {
  const { catalog, ceiling, rowLength } = inputs;
  const playable = (index: number) => maturityAllows(ceiling, catalog.titles[index]!.maturity);
  const shown = new Set<number>();
  const rows: HomeRow[] = [];
  const push = (id: string, title: string, items: HomeItem[]) => {
    if (items.length > 0) rows.push({ id, title, items });
  };
  const recommend = (candidates: readonly number[], dedupe: boolean): number[] => {
    const picked: number[] = [];
    for (const index of candidates) {
      if (picked.length >= rowLength) break;
      if (!playable(index) || inputs.excluded.has(index) || picked.includes(index)) continue;
      if (dedupe && shown.has(index)) continue;
      picked.push(index);
    }
    if (dedupe) for (const index of picked) shown.add(index);
    return picked;
  };

  if (inputs.continueWatching) {
    const items: HomeItem[] = [];
    for (const entry of inputs.continueWatching) {
      const index = catalog.itemOf(entry.titleId);
      if (index === undefined || !playable(index) || shown.has(index) || items.length >= rowLength) continue;
      shown.add(index);
      const duration = entry.duration && entry.duration > 0 ? entry.duration : undefined;
      items.push({
        ...homeItem(catalog.titles[index]!),
        progress: duration ? Math.min(1, Math.max(0, entry.position / duration)) : 0,
        resumeAt: entry.position,
      });
    }
    push('continue-watching', 'Continue Watching', items);
  }
  if (inputs.myList) {
    const indices = inputs.myList
      .map((id) => catalog.itemOf(id))
      .filter((i): i is number => i !== undefined && playable(i));
    const unique = [...new Set(indices)].slice(0, rowLength);
    for (const index of unique) shown.add(index);
    push(
      'my-list',
      'My List',
      unique.map((i) => homeItem(catalog.titles[i]!)),
    );
  }
  const toItems = (indices: number[]) => indices.map((i) => homeItem(catalog.titles[i]!));
  push(
    'top-picks',
    `Top picks for ${inputs.profileName ?? 'you'}`,
    toItems(recommend(inputs.topPicks, true)),
  );
  for (const { anchor, items } of inputs.becauseYouWatched) {
    const title = catalog.titles[anchor]!;
    push(
      `because-you-watched:${title.titleId}`,
      `Because you watched ${title.name}`,
      toItems(recommend(items, true)),
    );
  }
  push('trending', 'Trending now', toItems(recommend(inputs.trending, true)));
  push('new', 'New on Marquee', toItems(recommend(inputs.newest, true)));
  for (const { genre, items } of inputs.genres) {
    push(`genre:${genre.toLowerCase()}`, genre, toItems(recommend(items, false)));
  }
  return { rows };
}
