/**
 * Ranking metrics, in the normalised form of Steck (2019) and Liang et al. (2018):
 *
 *   Recall@k = |top-k ∩ held-out| / min(k, |held-out|)
 *   NDCG@k   = Σ_{r<k, top[r] ∈ held-out} 1/log2(r+2)  /  Σ_{r<min(k,|held-out|)} 1/log2(r+2)
 *
 * Both are 1 for a perfect ranking however many items were held out.
 */
export function recallAt(k: number, ranked: readonly number[], relevant: ReadonlySet<number>): number {
  if (relevant.size === 0) return 0;
  let hits = 0;
  for (const item of ranked.slice(0, k)) if (relevant.has(item)) hits++;
  return hits / Math.min(k, relevant.size);
}

export function ndcgAt(k: number, ranked: readonly number[], relevant: ReadonlySet<number>): number {
  if (relevant.size === 0) return 0;
  let dcg = 0;
  ranked.slice(0, k).forEach((item, r) => {
    if (relevant.has(item)) dcg += 1 / Math.log2(r + 2);
  });
  let ideal = 0;
  for (let r = 0; r < Math.min(k, relevant.size); r++) ideal += 1 / Math.log2(r + 2);
  return dcg / ideal;
}

/** Share of the catalog that appears in at least one recommendation list. */
export function catalogCoverage(lists: Iterable<readonly number[]>, catalogSize: number): number {
  if (catalogSize === 0) return 0;
  const seen = new Set<number>();
  for (const list of lists) for (const item of list) seen.add(item);
  return seen.size / catalogSize;
}
