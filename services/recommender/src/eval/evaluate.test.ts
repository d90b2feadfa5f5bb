import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { syntheticRatings } from './synthetic.js';

describe('offline evaluation on a synthetic data set with planted taste clusters', () => {
  const ratings = syntheticRatings({ users: 500, items: 300, clusters: 6, seed: 11 });
  const result = evaluate(ratings, { seed: 42 });

  it('trains and scores every model', () => {
    expect(Object.keys(result.models)).toEqual(['popularity', 'trending', 'itemknn', 'ease']);
    expect(result.testUsers).toBeGreaterThan(400);
    for (const m of Object.values(result.models)) {
      for (const v of [m.recall20, m.ndcg10, m.coverage]) expect(v).toBeGreaterThanOrEqual(0);
      expect(m.recall20).toBeLessThanOrEqual(1);
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

  it('gives identical metrics on a second run (deterministic split and models)', () => {
    const again = evaluate(ratings, { seed: 42, models: ['ease', 'itemknn'] });
    expect(again.models.ease!.recall20).toBe(result.models.ease!.recall20);
    expect(again.models.itemknn!.ndcg10).toBe(result.models.itemknn!.ndcg10);
  });

  it('skips EASE above its item limit and says why', () => {
    const small = evaluate(ratings, { models: ['ease'], easeMaxItems: 10 });
    expect(small.models.ease).toBeUndefined();
    expect(small.skipped.ease).toMatch(/above --ease-max-items 10/);
  });
});
