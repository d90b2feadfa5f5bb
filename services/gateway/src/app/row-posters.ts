/**
 * Home rows as far as artwork goes: the title ids their items show, and the items with each title's
 * poster URL set. Pure and forgiving: an answer of another shape passes through untouched.
 */

interface RowItem {
  titleId?: unknown;
  posterUrl?: unknown;
}

function itemsOf(body: unknown): RowItem[] {
  const rows = (body as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows)) return [];
  return rows.flatMap((row: unknown) => {
    const items = (row as { items?: unknown } | null)?.items;
    return Array.isArray(items) ? items.filter((i): i is RowItem => typeof i === 'object' && i !== null) : [];
  });
}

/** Distinct title ids of every row item, in first-seen order. */
export function rowTitleIds(body: unknown): string[] {
  const ids = new Set<string>();
  for (const item of itemsOf(body)) if (typeof item.titleId === 'string') ids.add(item.titleId);
  return [...ids];
}

/**
 * Sets `posterUrl` on every item whose title is in `posters` (null: the title has no poster), the
 * same field and value GET /api/titles gives; items of titles not in it keep what they had.
 * Mutates `body` (a freshly parsed answer) and returns it.
 */
export function withPosters<T>(body: T, posters: ReadonlyMap<string, string | null>): T {
  for (const item of itemsOf(body)) {
    if (typeof item.titleId === 'string' && posters.has(item.titleId)) {
      item.posterUrl = posters.get(item.titleId);
    }
  }
  return body;
}
