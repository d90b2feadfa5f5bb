import type { Catalog } from './catalog.js';
import { interactionWeight, isFinished, MAX_WEIGHT } from './interaction-weight.js';
import { rowFromHistory } from './models/interaction-matrix.js';
import { topK } from './models/top-k.js';
import type { ModelSnapshot } from './training.js';

/** One profile's history as the ranking needs it, folded onto catalog items. */
export interface ProfileSignals {
  /** Positive weight per catalog item. */
  readonly weights: ReadonlyMap<number, number>;
  /** Finished or thumbed down: never recommended again. */
  readonly excluded: ReadonlySet<number>;
  /** Anything the profile played, rated or listed: not a "pick" any more. */
  readonly seen: ReadonlySet<number>;
  /** Played and liked items, most recent first: "Because you watched" anchors. */
  readonly recent: readonly number[];
}

export interface HistoryFacts {
  titleId: string;
  played: boolean;
  completion: number;
  rating: 'up' | 'down' | null;
  inList: boolean;
  lastEventAt: string;
}

export function profileSignals(catalog: Catalog, history: readonly HistoryFacts[]): ProfileSignals {
  const weights = new Map<number, number>();
  const excluded = new Set<number>();
  const seen = new Set<number>();
  const latest = new Map<number, string>();
  for (const h of history) {
    const item = catalog.itemOf(h.titleId);
    if (item === undefined) continue;
    seen.add(item);
    const isEpisode = catalog.titles[item]!.titleId !== h.titleId;
    // One finished episode does not finish a series; a thumbs down on the title itself does exclude it.
    if (h.rating === 'down' || (!isEpisode && isFinished(h))) excluded.add(item);
    const weight = interactionWeight(h);
    if (weight > 0) weights.set(item, Math.min(MAX_WEIGHT, (weights.get(item) ?? 0) + weight));
    if (h.played && weight > 0 && (latest.get(item) ?? '') < h.lastEventAt) latest.set(item, h.lastEventAt);
  }
  const recent = [...latest]
    .sort((a, b) => (a[1] !== b[1] ? (a[1] > b[1] ? -1 : 1) : a[0] - b[0]))
    .map(([item]) => item);
  return { weights, excluded, seen, recent };
}

function normalised(scores: Float32Array): Float32Array {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max > 0) for (let i = 0; i < scores.length; i++) scores[i] = Math.max(0, scores[i]!) / max;
  else scores.fill(0);
  return scores;
}

/** Blend weights of Top picks: collaborative signal first, content for what co-viewing cannot know yet. */
export interface TopPicksBlend {
  cf: number;
  content: number;
  popularity: number;
}

/** Measured with `recs:eval` (the `served` model; see docs/recommendations.md). */
export const DEFAULT_TOP_PICKS_BLEND: TopPicksBlend = { cf: 0.75, content: 0.2, popularity: 0.05 };

/**
 * "Top picks": for every catalog item,
 *
 *   0.75·cf/max(cf) + 0.2·content/max(content) + 0.05·popularity/max(popularity)
 *
 * where cf is the snapshot's personal model (EASE or item-kNN) applied to the profile's CURRENT
 * history (read at request time: a profile's new plays count before the next retraining), and content
 * is content similarity to the same history, which is what ranks titles nobody has watched yet. A
 * profile with no history gets popularity alone.
 */
export function personalScores(
  snapshot: ModelSnapshot,
  signals: ProfileSignals,
  blend: TopPicksBlend = DEFAULT_TOP_PICKS_BLEND,
): Float32Array {
  const n = snapshot.catalog.titles.length;
  const popularity = normalised(Float32Array.from(snapshot.popularity));
  if (signals.weights.size === 0) return popularity;
  const history = [...signals.weights].sort((a, b) => a[0] - b[0]);
  const cf = snapshot.personal
    ? normalised(
        snapshot.personal.score(
          rowFromHistory(
            snapshot.catalog.index,
            history.map(([item, weight]) => ({ item: snapshot.catalog.titles[item]!.titleId, weight })),
          ),
        ),
      )
    : new Float32Array(n);
  const content = normalised(
    snapshot.content.profileScores(history.map(([item, weight]) => ({ item, weight }))),
  );
  const scores = new Float32Array(n);
  for (let j = 0; j < n; j++)
    scores[j] = blend.cf * cf[j]! + blend.content * content[j]! + blend.popularity * popularity[j]!;
  return scores;
}

/**
 * "Because you watched X": X's co-viewing neighbours (item-kNN) blended with its content neighbours
 * that share a genre with X, 0.7·cosine/max + 0.3·content, so a title with few co-viewers (a new one)
 * still gets a sensible row.
 */
export function becauseYouWatched(
  snapshot: ModelSnapshot,
  anchor: number,
  keep: (item: number) => boolean,
  limit: number,
): number[] {
  const coViewed = snapshot.itemKnn.neighboursOf(anchor);
  const maxSim = coViewed[0]?.similarity ?? 0;
  const candidates = new Set<number>(coViewed.map((n) => n.item));
  // Content fills in for a title with few co-viewers, but only with titles of a genre it has.
  for (const { item } of snapshot.content.neighboursOf(anchor, limit * 2, keep))
    if (snapshot.content.sharesGenre(anchor, item)) candidates.add(item);
  const cosine = new Map(coViewed.map((n) => [n.item, maxSim > 0 ? n.similarity / maxSim : 0]));
  const items = [...candidates].filter((item) => item !== anchor && keep(item)).sort((a, b) => a - b);
  const scores = items.map(
    (item) => 0.7 * (cosine.get(item) ?? 0) + 0.3 * snapshot.content.similarity(anchor, item),
  );
  return topK(scores, limit).map((i) => items[i]!);
}
