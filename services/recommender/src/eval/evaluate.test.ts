import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import type { TitleFacts } from './served.js';
import { syntheticRatings } from './synthetic.js';

describe('offline evaluation on a synthetic data set with planted taste clusters', () => {
  const ratings = syntheticRatings({ users: 500, items: 300, clusters: 6, seed: 11 });
  const result = evaluate(ratings, { seeds: [42, 43, 44], threads: 1 });

  it('trains and scores every model, the served Top-picks blend included, over three seeds', () => {
    expect(Object.keys(result.models)).toEqual(['popularity', 'trending', 'itemknn', 'ease', 'served']);
    expect(result.seeds).toEqual([42, 43, 44]);
    expect(result.testUsers).toBeGreaterThan(400);
    for (const m of Object.values(result.models)) {
      for (const v of [m.recall20, m.ndcg10, m.coverage]) expect(v).toBeGreaterThanOrEqual(0);
      expect(m.recall20).toBeLessThanOrEqual(1);
      // Three different splits: a real spread, and a small one.
      expect(m.ndcg10StdErr).toBeGreaterThan(0);
      expect(m.ndcg10StdErr!).toBeLessThan(0.05);
      expect(m.trainSeconds).toBeGreaterThanOrEqual(0);
    }
  });

  it('EASE and item-kNN beat popularity by a clear margin (at least 2× Recall@20 and NDCG@10)', () => {
    const { popularity, itemknn, ease } = result.models;
    for (const model of [ease!, itemknn!]) {
      expect(model.recall20).toBeGreaterThan(2 * popularity!.recall20);
      expect(model.ndcg10).toBeGreaterThan(2 * popularity!.ndcg10);
      expect(model.coverage).toBeGreaterThan(popularity!.coverage);
    }
  });

  it('serves a blend within 3 % of EASE on NDCG@10 when titles have no metadata', () => {
    const { ease, served } = result.models;
    expect(served!.ndcg10).toBeGreaterThan(0.97 * ease!.ndcg10);
  });

  it('gives identical metrics on a second run (deterministic split and models)', () => {
    const again = evaluate(ratings, { seeds: [42, 43, 44], models: ['ease', 'itemknn'], threads: 1 });
    expect(again.models.ease!.recall20).toBe(result.models.ease!.recall20);
    expect(again.models.itemknn!.ndcg10).toBe(result.models.itemknn!.ndcg10);
  });

  it('counts held-out positives on titles that no training profile has', () => {
    // One title rated by one profile only: held out, it cannot be in the training part.
    const lonely = [
      ...ratings,
      { user: '1', item: 'only-once', rating: 5, timestamp: 1 },
      { user: '1', item: 'only-once-too', rating: 5, timestamp: 1 },
    ];
    const base = evaluate(ratings, { seeds: [1, 2, 3, 4, 5], models: ['popularity'] });
    const more = evaluate(lonely, { seeds: [1, 2, 3, 4, 5], models: ['popularity'] });
    expect(more.droppedHeldOut).toBeGreaterThan(base.droppedHeldOut);
  });

  it('runs EASE on the most active titles and item-kNN on the rest when easeMaxItems is below them', () => {
    const capped = evaluate(ratings, {
      seeds: [42],
      models: ['ease', 'popularity'],
      easeMaxItems: 150,
      threads: 1,
    });
    expect(capped.models.ease!.recall20).toBeGreaterThan(2 * capped.models.popularity!.recall20);
    const off = evaluate(ratings, { seeds: [42], models: ['ease'], easeMaxItems: 0 });
    expect(off.skipped.ease).toMatch(/EASE is off/);
  });

  it('splits by time: the latest positives are held out, one seed by default', () => {
    const timed = evaluate(ratings, { order: 'time', models: ['trending', 'popularity'] });
    expect(timed.split).toBe('time');
    expect(timed.seeds).toHaveLength(1);
    expect(timed.models.trending!.recall20).toBeGreaterThan(0);
  });

  it('tunes λ, k, shrinkage and the blend on a validation split, never on the test split', () => {
    const clusterGenres = new Map<string, TitleFacts>(
      Array.from({ length: 300 }, (_, i) => [String(i + 1), { genres: [`g${i % 6}`], year: 2000 }]),
    );
    const tuned = evaluate(ratings, { seeds: [42], tune: true, titles: clusterGenres, threads: 1 });
    expect(tuned.tuned!.validation.lambda.length).toBeGreaterThan(3);
    expect(tuned.tuned!.validation.knn.length).toBeGreaterThan(4);
    expect(tuned.tuned!.validation.blend.length).toBeGreaterThan(2);
    const best = Math.max(...tuned.tuned!.validation.lambda.map((l) => l.ndcg10));
    expect(tuned.tuned!.validation.lambda.find((l) => l.value === tuned.settings.easeLambda)!.ndcg10).toBe(
      best,
    );
    // Planted clusters are genres here, so content similarity is informative and served does well.
    expect(tuned.models.served!.ndcg10).toBeGreaterThan(0.97 * tuned.models.ease!.ndcg10);
  });
});
