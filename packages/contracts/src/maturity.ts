/**
 * Maturity ratings in increasing order: a profile allowed `PG-13` may watch `G`, `PG` and `PG-13`.
 * Kids profiles are capped at `PG`. The one definition: users (profile rules), streaming
 * (entitlements), the recommender (row filters), the event catalogue and the web app import it.
 *
 * @example
 *   maturityAllows('PG-13', 'R'); // false
 */
export const MATURITY_RATINGS = ['G', 'PG', 'PG-13', 'R', 'NC-17'] as const;
export type Maturity = (typeof MATURITY_RATINGS)[number];

export const KIDS_MAX_MATURITY: Maturity = 'PG';
export const ADULT_DEFAULT_MATURITY: Maturity = 'NC-17';

export function isMaturity(value: unknown): value is Maturity {
  return typeof value === 'string' && (MATURITY_RATINGS as readonly string[]).includes(value);
}

export function maturityRank(rating: Maturity): number {
  return MATURITY_RATINGS.indexOf(rating);
}

/** True when a profile whose ceiling is `profileMax` may see a title rated `titleRating`. */
export function maturityAllows(profileMax: Maturity, titleRating: Maturity): boolean {
  return maturityRank(titleRating) <= maturityRank(profileMax);
}

/** The stricter of two ratings. */
export function minMaturity(a: Maturity, b: Maturity): Maturity {
  return maturityRank(a) <= maturityRank(b) ? a : b;
}

/** The ceiling a profile may watch up to: its own, and never above PG for a kids profile. */
export function profileCeiling(profile: { kids: boolean; maxMaturity: Maturity }): Maturity {
  return profile.kids ? minMaturity(profile.maxMaturity, KIDS_MAX_MATURITY) : profile.maxMaturity;
}
