/**
 * Maturity ratings in increasing order (DESIGN.md): a profile allowed `PG-13` may watch `G`, `PG`
 * and `PG-13`; kids profiles see `G` and `PG` only. The recommender's own copy of the rule: services
 * share contracts, not code from each other's folders.
 */
export const MATURITY_RATINGS = ['G', 'PG', 'PG-13', 'R', 'NC-17'] as const;
export type Maturity = (typeof MATURITY_RATINGS)[number];

export const KIDS_MAX_MATURITY: Maturity = 'PG';

export function isMaturity(value: unknown): value is Maturity {
  return typeof value === 'string' && (MATURITY_RATINGS as readonly string[]).includes(value);
}

export function maturityRank(rating: Maturity): number {
  return MATURITY_RATINGS.indexOf(rating);
}

/** The ceiling a profile may watch up to: its own, and never above PG for a kids profile. */
export function profileCeiling(profile: { kids: boolean; maxMaturity: Maturity }): Maturity {
  if (profile.kids && maturityRank(profile.maxMaturity) > maturityRank(KIDS_MAX_MATURITY))
    return KIDS_MAX_MATURITY;
  return profile.maxMaturity;
}

export function maturityAllows(ceiling: Maturity, rating: Maturity): boolean {
  return maturityRank(rating) <= maturityRank(ceiling);
}
