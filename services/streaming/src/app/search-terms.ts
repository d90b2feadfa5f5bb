/**
 * Typo-tolerant search by trigram overlap, the technique of PostgreSQL's pg_trgm and SQLite's FTS5
 * trigram tokenizer, kept in one portable posting table (title_terms) so both dialects run the same
 * query and rank identically, with no extension to install. Words are padded like pg_trgm does
 * ("  st", " st", …, "er "), so a prefix typed so far already matches ("stra" → "Stranger").
 *
 * A title matches when the weighted share of the query's trigrams it contains reaches
 * MATCH_THRESHOLD. Trigrams from the name weigh 1, from genres 0.8, from the synopsis 0.55: a
 * misspelt name still matches ("strnger thngs" shares ~70 % of its trigrams with "Stranger Things"),
 * while a synopsis word must be typed nearly whole to count.
 */
export const MATCH_THRESHOLD = 0.45;
export const MAX_QUERY_LENGTH = 64;

const WEIGHTS = { name: 1, genre: 0.8, synopsis: 0.55 } as const;

/** Lower case, accents folded, anything but letters and digits turned into spaces. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The padded trigrams of every word of `text`, without duplicates. */
export function trigramsOf(text: string): string[] {
  const out = new Set<string>();
  for (const word of normalizeText(text).split(' ')) {
    if (word.length === 0) continue;
    const padded = `  ${word} `;
    const chars = Array.from(padded);
    for (let i = 0; i + 3 <= chars.length; i++) out.add(chars.slice(i, i + 3).join(''));
  }
  return [...out];
}

export interface SearchableTitle {
  name: string;
  synopsis: string;
  genres: readonly string[];
}

/** The postings to index for a title: each trigram once, with the weight of its strongest field. */
export function searchTermsOf(title: SearchableTitle): { term: string; weight: number }[] {
  const weights = new Map<string, number>();
  const add = (text: string, weight: number) => {
    for (const term of trigramsOf(text)) weights.set(term, Math.max(weights.get(term) ?? 0, weight));
  };
  add(title.synopsis, WEIGHTS.synopsis);
  add(title.genres.join(' '), WEIGHTS.genre);
  add(title.name, WEIGHTS.name);
  return [...weights].map(([term, weight]) => ({ term, weight }));
}

/** The trigrams of a viewer's query (at most MAX_QUERY_LENGTH characters are considered). */
export function queryTerms(query: string): string[] {
  return trigramsOf(query.slice(0, MAX_QUERY_LENGTH));
}

/** Minimum summed weight a title must reach for a query of `termCount` trigrams. */
export function minimumScore(termCount: number): number {
  return termCount * MATCH_THRESHOLD;
}
