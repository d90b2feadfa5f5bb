import type { CatalogFilter, Executor, TitleRow } from './titles-store.js';

/** An episode found by its name, with the series it belongs to. */
export type EpisodeHitRow = TitleRow & { series_name: string };

/** Words come from normalizeText (letters and digits only), so none holds a LIKE wildcard. */
function likePattern(word: string): string {
  return `%${word}%`;
}

/**
 * Published episodes of published series whose name contains every word (already normalised to
 * lower case), best first by series popularity. Episodes carry no search postings (title_terms holds
 * movies and series), so this reads the names: a scan of the episodes, fine at catalog sizes of tens
 * of thousands, and run only for a search's first page.
 */
export function searchEpisodesByName(
  db: Executor,
  filter: CatalogFilter,
  words: readonly string[],
  limit: number,
): Promise<EpisodeHitRow[]> {
  if (words.length === 0) return Promise.resolve([]);
  let query = db
    .selectFrom('titles as e')
    .innerJoin('titles as s', 's.title_id', 'e.series_id')
    .selectAll('e')
    .select('s.name as series_name')
    .where('e.kind', '=', 'episode')
    .where('e.published_at', 'is not', null)
    .where('s.published_at', 'is not', null);
  if (filter.maturities) query = query.where('s.maturity', 'in', filter.maturities);
  for (const word of words) {
    query = query.where((eb) => eb(eb.fn('lower', ['e.name']), 'like', likePattern(word)));
  }
  return query
    .orderBy('s.plays', 'desc')
    .orderBy('e.series_id')
    .orderBy('e.season')
    .orderBy('e.episode_number')
    .limit(limit)
    .execute() as Promise<EpisodeHitRow[]>;
}
