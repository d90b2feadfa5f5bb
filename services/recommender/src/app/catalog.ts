import type { Maturity } from '@marquee/contracts';

/** A recommendable title: what a home row item shows. */
export interface CatalogTitle {
  titleId: string;
  name: string;
  year: number;
  maturity: Maturity;
  genres: string[];
  posterUrl: string | null;
  publishedAt: string;
}

export interface CatalogEntry extends CatalogTitle {
  /** Set for an episode: it belongs to that series. */
  seriesId: string | null;
}

/**
 * The titles the models rank: every published title except episodes, sorted by id (the item axis of
 * every model). Episodes are not recommended on their own; a play of an episode counts for its series.
 */
export interface Catalog {
  readonly titles: readonly CatalogTitle[];
  readonly index: ReadonlyMap<string, number>;
  /** The catalog index a played/rated title counts for (its series for an episode), if known. */
  itemOf(titleId: string): number | undefined;
}

export function buildCatalog(entries: readonly CatalogEntry[]): Catalog {
  const titles = entries
    .filter((e) => e.seriesId === null)
    .map(({ seriesId: _seriesId, ...title }) => title)
    .sort((a, b) => (a.titleId < b.titleId ? -1 : a.titleId > b.titleId ? 1 : 0));
  const index = new Map(titles.map((t, i) => [t.titleId, i]));
  const seriesOf = new Map(entries.filter((e) => e.seriesId !== null).map((e) => [e.titleId, e.seriesId!]));
  return {
    titles,
    index,
    itemOf(titleId) {
      return index.get(seriesOf.get(titleId) ?? titleId);
    },
  };
}
