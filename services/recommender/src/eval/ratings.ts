/** One explicit rating in the MovieLens sense (ids kept as strings: they are only identifiers). */
export interface Rating {
  user: string;
  item: string;
  rating: number;
  /** Seconds since the epoch, as MovieLens stores it. */
  timestamp: number;
}

/** MovieLens convention for implicit feedback: a rating of 4 or more is a positive. */
export const POSITIVE_RATING = 4;
