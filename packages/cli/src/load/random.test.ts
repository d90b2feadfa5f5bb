import { describe, expect, it } from 'vitest';
import { createRandom, zipf } from './random.js';

describe('seeded randomness', () => {
  it('repeats its choices for the same seed and stream, and differs across streams', () => {
    const draw = (seed: number, stream: number) => {
      const r = createRandom(seed, stream);
      return Array.from({ length: 5 }, () => r.int(1000));
    };
    expect(draw(7, 3)).toEqual(draw(7, 3));
    expect(draw(7, 3)).not.toEqual(draw(7, 4));
    expect(draw(7, 3)).not.toEqual(draw(8, 3));
  });

  it('draws exponential and log-normal values around their mean and median', () => {
    const r = createRandom(1);
    const n = 20_000;
    const exp = Array.from({ length: n }, () => r.exponential(3));
    expect(exp.reduce((a, b) => a + b, 0) / n).toBeCloseTo(3, 0);
    const logn = Array.from({ length: n }, () => r.logNormal(10, 1)).sort((a, b) => a - b);
    expect(logn[n / 2]!).toBeGreaterThan(9);
    expect(logn[n / 2]!).toBeLessThan(11);
  });
});

describe('zipf', () => {
  it('makes rank k about (k+1)^-s as likely as rank 0', () => {
    const pick = zipf(100, 1);
    const r = createRandom(42);
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 100_000; i++) counts[pick(r)]!++;
    expect(counts[1]! / counts[0]!).toBeCloseTo(0.5, 1);
    expect(counts[9]! / counts[0]!).toBeCloseTo(0.1, 1);
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });

  it('is uniform with exponent 0 and refuses an empty catalog', () => {
    const pick = zipf(4, 0);
    const r = createRandom(3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[pick(r)]!++;
    for (const c of counts) expect(c / 10_000).toBeCloseTo(1, 1);
    expect(() => zipf(0)).toThrow(/empty/);
  });
});
