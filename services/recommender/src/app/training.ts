import { createHash } from 'node:crypto';
import { buildCatalog, type Catalog, type CatalogEntry } from './catalog.js';
import { interactionWeight, MAX_WEIGHT } from './interaction-weight.js';
import { buildContentIndex, type ContentIndex } from './models/content-similarity.js';
import { headTailScorer, mostActiveItems, restrictToItems } from './models/active-items.js';
import { DEFAULT_EASE_LAMBDA, trainEaseSteps, type EaseModel } from './models/ease.js';
import { buildInteractionMatrix, type InteractionMatrix } from './models/interaction-matrix.js';
import {
  DEFAULT_KNN_NEIGHBOURS,
  DEFAULT_KNN_SHRINK,
  trainItemKnnSteps,
  type ItemKnnModel,
} from './models/item-knn.js';
import { popularityScores } from './models/popularity.js';
import type { ItemScorer } from './models/scorer.js';
import { DAY_MS, trendingScores, type PlayStart } from './models/trending.js';

/** The facts training reads (the store's rows, in any order). */
export interface TrainingInput {
  titles: readonly CatalogEntry[];
  interactions: readonly {
    profileId: string;
    titleId: string;
    played: boolean;
    completion: number;
    lastStartedAt: string | null;
    rating: 'up' | 'down' | null;
    inList: boolean;
  }[];
}

export interface TrainingConfig {
  /**
   * EASE on at most this many ACTIVE items (titles with an interaction), the most watched first;
   * item-kNN ranks the active items beyond them. 0 means item-kNN only. EASE is n³ time, 4·n² bytes.
   */
  easeMaxItems: number;
  easeLambda: number;
  /** Item-kNN: neighbours kept per item, and the shrinkage added to the cosine's denominator. */
  neighbours: number;
  shrink: number;
  trendingHalfLifeMs: number;
  /** Threads for EASE's inverse (this one included); equal results for any count. */
  threads: number;
}

export const DEFAULT_TRAINING_CONFIG: TrainingConfig = {
  easeMaxItems: 10_000,
  easeLambda: DEFAULT_EASE_LAMBDA,
  neighbours: DEFAULT_KNN_NEIGHBOURS,
  shrink: DEFAULT_KNN_SHRINK,
  trendingHalfLifeMs: DAY_MS,
  threads: 1,
};

/** EASE over the most active items: their catalog indices (ascending) and the model over them. */
export interface EaseHead {
  readonly items: Int32Array;
  readonly model: EaseModel;
}

/** Everything a home page is ranked from, trained at once and swapped in atomically. */
export interface ModelSnapshot {
  /** A digest of the training input and configuration: equal inputs give equal versions. */
  readonly version: string;
  readonly catalog: Catalog;
  /**
   * Which model ranks "Top picks": EASE (on the most active items, item-kNN for any active items
   * beyond `easeMaxItems`), item-kNN when EASE is off, none before any interaction.
   */
  readonly personalModel: 'ease' | 'itemknn' | 'none';
  /** Scores every catalog item (0 for items without interactions) from a catalog-axis history. */
  readonly personal: ItemScorer | undefined;
  readonly ease: EaseHead | undefined;
  /** Items with at least one interaction. */
  readonly activeItems: number;
  readonly itemKnn: ItemKnnModel;
  readonly content: ContentIndex;
  readonly popularity: Float32Array;
  readonly trending: Float32Array;
  readonly profiles: number;
  readonly interactions: number;
}

/** Folds each profile's interactions onto catalog items (episodes onto their series), weights capped. */
function foldInteractions(catalog: Catalog, input: TrainingInput) {
  const weights = new Map<string, number>();
  const starts = new Map<string, PlayStart>();
  // Sorted, so sums over a series' episodes are added in one order (float addition is not associative).
  const rows = [...input.interactions].sort((a, b) =>
    a.profileId !== b.profileId
      ? a.profileId < b.profileId
        ? -1
        : 1
      : a.titleId < b.titleId
        ? -1
        : a.titleId > b.titleId
          ? 1
          : 0,
  );
  for (const row of rows) {
    const item = catalog.itemOf(row.titleId);
    if (item === undefined) continue;
    const key = `${row.profileId}\u0000${item}`;
    const weight = interactionWeight(row);
    if (weight > 0) weights.set(key, Math.min(MAX_WEIGHT, (weights.get(key) ?? 0) + weight));
    if (row.lastStartedAt) {
      const atMs = Date.parse(row.lastStartedAt);
      if (atMs > (starts.get(key)?.atMs ?? -Infinity)) starts.set(key, { item, atMs });
    }
  }
  const interactions = [...weights].map(([key, weight]) => {
    const [user, item] = key.split('\u0000') as [string, string];
    return { user, item: catalog.titles[Number(item)]!.titleId, weight };
  });
  return { interactions, starts: [...starts.values()] };
}

function digest(
  catalog: Catalog,
  matrix: InteractionMatrix,
  starts: readonly PlayStart[],
  config: TrainingConfig,
) {
  const hash = createHash('sha256');
  // The thread count changes where the work runs, never its result.
  hash.update(JSON.stringify({ ...config, threads: undefined }));
  hash.update(JSON.stringify(catalog.titles));
  hash.update(matrix.users.join('\n'));
  for (const array of [matrix.rowStart, matrix.columns, matrix.values])
    hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  const sortedStarts = [...starts].sort((a, b) => a.item - b.item || a.atMs - b.atMs);
  hash.update(sortedStarts.map((s) => `${s.item}:${s.atMs}`).join(','));
  return hash.digest('base64url').slice(0, 16);
}

/**
 * Trains every model from the store's facts. Deterministic: the catalog and the matrix are built in
 * sorted id order and every model is deterministic, so equal facts give equal models (and an equal
 * version), whatever order the events that produced them arrived in. Yields as it goes (see
 * runCooperatively).
 */
export function* trainSnapshotSteps(
  input: TrainingInput,
  config: TrainingConfig = DEFAULT_TRAINING_CONFIG,
): Generator<void, ModelSnapshot, void> {
  const catalog = buildCatalog(input.titles);
  yield;
  const folded = foldInteractions(catalog, input);
  yield;
  const matrix = buildInteractionMatrix(folded.interactions, {
    items: catalog.titles.map((t) => t.titleId),
  });
  yield;
  const itemKnn = yield* trainItemKnnSteps(matrix, { neighbours: config.neighbours, shrink: config.shrink });
  const n = catalog.titles.length;
  const active = mostActiveItems(matrix, n);
  let personalModel: ModelSnapshot['personalModel'] = 'none';
  let personal: ItemScorer | undefined;
  let ease: EaseHead | undefined;
  if (active.length > 0) {
    if (config.easeMaxItems > 0) {
      const items =
        active.length > config.easeMaxItems ? mostActiveItems(matrix, config.easeMaxItems) : active;
      const model = yield* trainEaseSteps(restrictToItems(matrix, items), {
        lambda: config.easeLambda,
        threads: config.threads,
      });
      ease = { items, model };
      personal = headTailScorer(n, model, items, items.length < active.length ? itemKnn : undefined);
      personalModel = 'ease';
    } else {
      personal = itemKnn;
      personalModel = 'itemknn';
    }
  }
  const referenceMs = folded.starts.reduce((max, s) => Math.max(max, s.atMs), 0);
  return {
    version: `${personalModel}-${digest(catalog, matrix, folded.starts, config)}`,
    catalog,
    personalModel,
    personal,
    ease,
    activeItems: active.length,
    itemKnn,
    content: buildContentIndex(catalog.titles),
    popularity: popularityScores(matrix),
    trending: trendingScores(n, folded.starts, { halfLifeMs: config.trendingHalfLifeMs, referenceMs }),
    profiles: matrix.users.length,
    interactions: matrix.columns.length,
  };
}
