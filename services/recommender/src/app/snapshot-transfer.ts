import { buildCatalog, type CatalogEntry } from './catalog.js';
import { buildContentIndex } from './models/content-similarity.js';
import { headTailScorer } from './models/active-items.js';
import { easeModel } from './models/ease.js';
import { itemKnnModel } from './models/item-knn.js';
import type { ModelSnapshot } from './training.js';

/**
 * A ModelSnapshot as plain data and typed arrays, to cross from a training worker to the serving
 * thread: the large arrays are transferred (moved, not copied), and the parts that are cheap to
 * rebuild (catalog index, content index) are rebuilt on arrival.
 */
export interface SnapshotParts {
  version: string;
  personalModel: ModelSnapshot['personalModel'];
  profiles: number;
  interactions: number;
  titles: CatalogEntry[];
  itemKnn: { n: number; k: number; items: Int32Array; sims: Float32Array };
  /** EASE's items (catalog indices, ascending) and its weights over them, row-major m×m. */
  ease: { items: Int32Array; weights: Float32Array } | undefined;
  activeItems: number;
  popularity: Float32Array;
  trending: Float32Array;
}

export function snapshotParts(
  snapshot: ModelSnapshot,
  titles: readonly CatalogEntry[],
): { parts: SnapshotParts; transfer: ArrayBuffer[] } {
  const knn = snapshot.itemKnn;
  const ease = snapshot.ease
    ? { items: snapshot.ease.items, weights: snapshot.ease.model.weights }
    : undefined;
  const parts: SnapshotParts = {
    version: snapshot.version,
    personalModel: snapshot.personalModel,
    profiles: snapshot.profiles,
    interactions: snapshot.interactions,
    titles: [...titles],
    itemKnn: { n: knn.itemCount, k: knn.neighbourCount, items: knn.neighbourItems, sims: knn.neighbourSims },
    ease,
    activeItems: snapshot.activeItems,
    popularity: snapshot.popularity,
    trending: snapshot.trending,
  };
  const arrays = [
    knn.neighbourItems,
    knn.neighbourSims,
    snapshot.popularity,
    snapshot.trending,
    ease?.items,
    ease?.weights,
  ];
  // EASE weights live in a SharedArrayBuffer (the training's WebAssembly memory): shared, not moved.
  const transfer = [
    ...new Set(arrays.flatMap((a) => (a && a.buffer instanceof ArrayBuffer ? [a.buffer] : []))),
  ];
  return { parts, transfer };
}

export function snapshotFromParts(parts: SnapshotParts): ModelSnapshot {
  const catalog = buildCatalog(parts.titles);
  const itemKnn = itemKnnModel(parts.itemKnn.n, parts.itemKnn.k, parts.itemKnn.items, parts.itemKnn.sims);
  const n = catalog.titles.length;
  const ease = parts.ease
    ? { items: parts.ease.items, model: easeModel(parts.ease.items.length, parts.ease.weights) }
    : undefined;
  const personal =
    parts.personalModel === 'ease' && ease
      ? headTailScorer(n, ease.model, ease.items, ease.items.length < parts.activeItems ? itemKnn : undefined)
      : parts.personalModel === 'itemknn'
        ? itemKnn
        : undefined;
  return {
    version: parts.version,
    catalog,
    personalModel: parts.personalModel,
    personal,
    ease,
    activeItems: parts.activeItems,
    itemKnn,
    content: buildContentIndex(catalog.titles),
    popularity: parts.popularity,
    trending: parts.trending,
    profiles: parts.profiles,
    interactions: parts.interactions,
  };
}
