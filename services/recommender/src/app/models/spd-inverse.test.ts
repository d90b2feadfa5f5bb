import { describe, expect, it } from 'vitest';
import { invertSpd, invertSpdSteps, NotPositiveDefiniteError, spdInverseStepCount } from './spd-inverse.js';

/** A random symmetric positive-definite matrix A·Aᵀ + n·I from a fixed seed. */
function randomSpd(n: number, seed: number): Float64Array {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5;
  const a = Float64Array.from({ length: n * n }, next);
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * a[j * n + k]!;
      g[i * n + j] = s;
    }
  return g;
}

function maxErrorFromIdentity(g: Float64Array, inverse: Float64Array, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += g[i * n + k]! * inverse[k * n + j]!;
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  return worst;
}

describe('invertSpd', () => {
  it.each([1, 2, 3, 4, 5, 8, 17, 64, 101])('inverts an SPD matrix of order %i (G·G⁻¹ = I)', (n) => {
    const g = randomSpd(n, n);
    const inverse = g.slice();
    invertSpd(inverse, n);
    expect(maxErrorFromIdentity(g, inverse, n)).toBeLessThan(1e-10);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) expect(inverse[i * n + j]).toBe(inverse[j * n + i]);
  });

  it('matches a hand-computed 2×2 inverse', () => {
    const m = Float64Array.of(4, 2, 2, 3);
    invertSpd(m, 2);
    expect([...m].map((x) => Math.round(x * 1e12) / 1e12)).toEqual([0.375, -0.25, -0.25, 0.5]);
  });

  it('refuses a matrix that is not positive definite, naming the pivot', () => {
    const m = Float64Array.of(1, 2, 2, 1);
    expect(() => invertSpd(m, 2)).toThrow(NotPositiveDefiniteError);
    expect(() => invertSpd(Float64Array.of(1, 0, 0, 0), 2)).toThrow(/pivot 1/);
  });

  it('refuses a buffer of the wrong size', () => {
    expect(() => invertSpd(new Float64Array(5), 2)).toThrow(RangeError);
  });

  it('yields the announced number of steps, so progress can be reported', () => {
    for (const n of [6, 7]) {
      let steps = 0;
      for (const _ of invertSpdSteps(randomSpd(n, 3), n)) steps++;
      expect(steps).toBe(spdInverseStepCount(n));
    }
  });
});
