import type { CatalogEntry } from '../app/catalog.js';
import { runToEnd } from '../app/cooperative.js';
import type { InteractionMatrix, SparseRow } from '../app/models/interaction-matrix.js';
import type { ItemScorer } from '../app/models/scorer.js';
import { personalScores, profileSignals, type TopPicksBlend } from '../app/personal-ranking.js';
import { trainSnapshotSteps, type ModelSnapshot, type TrainingConfig } from '../app/training.js';
import type { HeldOutSplit } from './split.js';

/** What a ratings file may say about a title (MovieLens movies.csv: genres, and the year in the name). */
export interface TitleFacts {
  genres: string[];
  year: number;
}

/**
 * The service's own training on an offline split: every training positive becomes a finished play
 * (weight 1, as in the matrix the other models see) at its rating time, the catalog is the training
 * items, with genres and year when the data set has them (else content similarity is flat and only
 * the collaborative and popularity parts of the blend rank).
 */
export function trainServiceSnapshot(
  matrix: InteractionMatrix,
  split: HeldOutSplit,
  config: TrainingConfig,
  facts?: ReadonlyMap<string, TitleFacts>,
): ModelSnapshot {
  const titles: CatalogEntry[] = matrix.items.map((titleId) => ({
    titleId,
    name: titleId,
    year: facts?.get(titleId)?.year ?? 2000,
    maturity: 'PG-13',
    genres: facts?.get(titleId)?.genres ?? [],
    posterUrl: null,
    seriesId: null,
    publishedAt: new Date(0).toISOString(),
  }));
  const interactions = split.train.map((t, i) => ({
    profileId: t.user,
    titleId: t.item,
    played: true,
    completion: 1,
    lastStartedAt: new Date(split.trainTimes[i]!.timestamp * 1000).toISOString(),
    rating: null,
    inList: false,
  }));
  return runToEnd(trainSnapshotSteps({ titles, interactions }, config));
}

/**
 * The served "Top picks" ranking as a scorer over the matrix's items: personalScores, the very blend
 * the home page uses, applied to the profile's training history.
 */
export function servedScorer(snapshot: ModelSnapshot, blend: TopPicksBlend): ItemScorer {
  const titles = snapshot.catalog.titles;
  return {
    name: 'served',
    itemCount: titles.length,
    score(history: SparseRow): Float32Array {
      const facts = Array.from(history.indices, (item) => ({
        titleId: titles[item]!.titleId,
        played: true,
        completion: 1,
        rating: null,
        inList: false,
        lastEventAt: '',
      }));
      return personalScores(snapshot, profileSignals(snapshot.catalog, facts), blend);
    },
  };
}
