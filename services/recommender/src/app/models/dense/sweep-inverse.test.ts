import { describe, expect, it } from 'vitest';
import { invertSpd, NotPositiveDefiniteError } from '../spd-inverse.js';
import { runToEnd } from '../../cooperative.js';
import { sweepSteps, sweepWorkspace } from './sweep-inverse.js';
import { startSweepHelpers } from './sweep-threads.js';

/** A seeded SPD matrix A·Aᵀ/n + I (float64, row-major), well enough conditioned for float32. */
function randomSpd(n: number, seed: number): Float64Array {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5;
  const a = Float64Array.from({ length: n * n }, next);
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * a[j * n + k]!;
      g[i * n + j] = g[j * n + i] = s / n + (i === j ? 1 : 0);
    }
  return g;
}

function sweptInverse(g: Float64Array, n: number, helpers = 0): Float64Array {
  const workspace = sweepWorkspace(n);
  const N = workspace.layout.size;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) workspace.matrix[i * N + j] = g[i * n + j]!;
  const pool = helpers > 0 ? startSweepHelpers(workspace, helpers) : undefined;
  try {
    runToEnd(sweepSteps(workspace, pool));
  } finally {
    pool?.stop();
  }
  // M = −A⁻¹ in the lower triangle.
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) out[i * n + j] = out[j * n + i] = -workspace.matrix[i * N + j]!;
  return out;
}

function maxRelativeError(actual: Float64Array, expected: Float64Array): number {
  let scale = 0;
  let error = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    error = Math.max(error, Math.abs(actual[i]! - expected[i]!));
  }
  return error / scale;
}

describe('blocked symmetric sweep (float32, WebAssembly)', () => {
  it.each([
    [5, 'one padded block'],
    [128, 'exactly one block'],
    [300, 'three blocks, the last padded'],
  ])('inverts an SPD matrix of %i (%s) like the float64 Cholesky inverse', (n, _what) => {
    const g = randomSpd(n, n);
    const expected = g.slice();
    invertSpd(expected, n);
    expect(maxRelativeError(sweptInverse(g, n), expected)).toBeLessThan(1e-5);
  });

  it('inverts a larger matrix with the 128-wide blocks of production sizes', { timeout: 60_000 }, () => {
    const n = 1_100;
    expect(sweepWorkspace(n).layout.block).toBe(128);
    // Symmetric and diagonally dominant, hence positive definite (cheaper to make than A·Aᵀ).
    let state = 9;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5;
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) g[i * n + j] = g[j * n + i] = next();
      g[i * n + i] = n / 2;
    }
    const expected = g.slice();
    invertSpd(expected, n);
    expect(maxRelativeError(sweptInverse(g, n, 1), expected)).toBeLessThan(1e-5);
  });

  it('gives the same inverse with a helper thread taking tasks', { timeout: 30_000 }, () => {
    const n = 520;
    const g = randomSpd(n, 3);
    const alone = sweptInverse(g, n);
    expect(maxRelativeError(sweptInverse(g, n, 1), alone)).toBeLessThan(1e-6);
  });

  it('refuses a matrix that is not positive definite', () => {
    const g = new Float64Array([1, 2, 2, 1]);
    expect(() => sweptInverse(g, 2)).toThrow(NotPositiveDefiniteError);
  });
});
