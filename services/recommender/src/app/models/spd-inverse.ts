/**
 * Inverse of a dense symmetric positive-definite matrix, in place, in plain JavaScript (no native
 * dependency). Row-major n×n Float64Array; three passes of n³/6 multiply-adds each, every inner loop a
 * dot product of contiguous row segments:
 *
 *   1. Cholesky G = L·Lᵀ           L in the strict lower triangle, its diagonal in a side array
 *   2. U = L⁻ᵀ (upper triangular)  row by row: U[i,j] = −(Σ_{k=i}^{j−1} U[i,k]·L[j,k]) / L[j,j], U[i,i] = 1/L[i,i]
 *   3. G⁻¹ = U·Uᵀ                  P[i,j] = Σ_{k≥j} U[i,k]·U[j,k] (j ≥ i), then mirrored
 *
 * Pass 2 writes only the upper triangle and the diagonal cells, which pass 1 no longer needs; pass 3
 * overwrites a cell of U only once no later product reads it. Peak memory: the matrix plus one row.
 *
 * Speed: each pass works on two rows against two rows at once (a 2×2 register block: four products
 * per four loads instead of one per two), about 3× the plain dot-product loop in V8.
 *
 * The work is a generator that yields after every pair of rows, so a caller can interleave it with
 * other work (see runCooperatively) instead of blocking the event loop for seconds.
 */
export class NotPositiveDefiniteError extends Error {
  constructor(readonly row: number) {
    super(`matrix is not positive definite (pivot ${row}); increase the regularisation`);
    this.name = 'NotPositiveDefiniteError';
  }
}

function dot(m: Float64Array, a: number, b: number, length: number): number {
  let s = 0;
  for (let k = 0; k < length; k++) s += m[a + k]! * m[b + k]!;
  return s;
}

/** The four dot products of rows a0,a1 with rows b0,b1 over `length` cells, into `out`. */
function dot2x2(
  m: Float64Array,
  a0: number,
  a1: number,
  b0: number,
  b1: number,
  length: number,
  out: Float64Array,
): void {
  let s00 = 0;
  let s01 = 0;
  let s10 = 0;
  let s11 = 0;
  for (let k = 0; k < length; k++) {
    const x0 = m[a0 + k]!;
    const x1 = m[a1 + k]!;
    const y0 = m[b0 + k]!;
    const y1 = m[b1 + k]!;
    s00 += x0 * y0;
    s01 += x0 * y1;
    s10 += x1 * y0;
    s11 += x1 * y1;
  }
  out[0] = s00;
  out[1] = s01;
  out[2] = s10;
  out[3] = s11;
}

function pivotRoot(value: number, row: number): number {
  if (!(value > 0)) throw new NotPositiveDefiniteError(row);
  return Math.sqrt(value);
}

/** Pass 1 for rows i and i+1 (i+1 < n): L[i,·], L[i+1,·] and the diagonal d[i], d[i+1]. */
function choleskyRowPair(m: Float64Array, n: number, i: number, d: Float64Array, q: Float64Array): void {
  const a = i * n;
  const b = a + n;
  let j = 0;
  for (; j + 1 < i; j += 2) {
    const c = j * n;
    dot2x2(m, a, b, c, c + n, j, q);
    const lij = (m[a + j]! - q[0]!) / d[j]!;
    const lbj = (m[b + j]! - q[2]!) / d[j]!;
    const below = m[c + n + j]!; // L[j+1, j]: the one term of column j+1 not in the block
    m[a + j] = lij;
    m[b + j] = lbj;
    m[a + j + 1] = (m[a + j + 1]! - q[1]! - lij * below) / d[j + 1]!;
    m[b + j + 1] = (m[b + j + 1]! - q[3]! - lbj * below) / d[j + 1]!;
  }
  if (j < i) {
    const c = j * n;
    m[a + j] = (m[a + j]! - dot(m, a, c, j)) / d[j]!;
    m[b + j] = (m[b + j]! - dot(m, b, c, j)) / d[j]!;
  }
  d[i] = pivotRoot(m[a + i]! - dot(m, a, a, i), i);
  m[b + i] = (m[b + i]! - dot(m, b, a, i)) / d[i];
  d[i + 1] = pivotRoot(m[b + i + 1]! - dot(m, b, b, i + 1), i + 1);
}

function choleskyRow(m: Float64Array, n: number, i: number, d: Float64Array): void {
  const a = i * n;
  for (let j = 0; j < i; j++) m[a + j] = (m[a + j]! - dot(m, a, j * n, j)) / d[j]!;
  d[i] = pivotRoot(m[a + i]! - dot(m, a, a, i), i);
}

/** Pass 2 for rows i and i+1: U[i, i…], U[i+1, i+1…]. */
function inverseRowPair(m: Float64Array, n: number, i: number, d: Float64Array, q: Float64Array): void {
  const a = i * n;
  const b = a + n;
  const uii = 1 / d[i]!;
  m[a + i] = uii;
  m[a + i + 1] = (-uii * m[b + i]!) / d[i + 1]!;
  m[b + i + 1] = 1 / d[i + 1]!;
  let j = i + 2;
  for (; j + 1 < n; j += 2) {
    const c = j * n;
    const e = c + n;
    // Common range k ∈ [i+1, j); row i also has the k = i term (row i+1 starts at i+1).
    dot2x2(m, a + i + 1, b + i + 1, c + i + 1, e + i + 1, j - i - 1, q);
    const uij = -(q[0]! + uii * m[c + i]!) / d[j]!;
    const ubj = -q[2]! / d[j]!;
    const below = m[e + j]!; // L[j+1, j]
    m[a + j] = uij;
    m[b + j] = ubj;
    m[a + j + 1] = -(q[1]! + uii * m[e + i]! + uij * below) / d[j + 1]!;
    m[b + j + 1] = -(q[3]! + ubj * below) / d[j + 1]!;
  }
  if (j < n) {
    const c = j * n;
    m[a + j] = -dot(m, a + i, c + i, j - i) / d[j]!;
    m[b + j] = -dot(m, b + i + 1, c + i + 1, j - i - 1) / d[j]!;
  }
}

function inverseRow(m: Float64Array, n: number, i: number, d: Float64Array): void {
  const a = i * n;
  m[a + i] = 1 / d[i]!;
  for (let j = i + 1; j < n; j++) m[a + j] = -dot(m, a + i, j * n + i, j - i) / d[j]!;
}

/** Pass 3 for rows i and i+1: P[i, i…], P[i+1, i+1…] over U. */
function productRowPair(m: Float64Array, n: number, i: number, q: Float64Array): void {
  const a = i * n;
  const b = a + n;
  const pii = dot(m, a + i, a + i, n - i);
  const pib = dot(m, a + i + 1, b + i + 1, n - i - 1);
  const pbb = dot(m, b + i + 1, b + i + 1, n - i - 1);
  m[a + i] = pii;
  m[a + i + 1] = pib;
  m[b + i + 1] = pbb;
  let j = i + 2;
  for (; j + 1 < n; j += 2) {
    const c = j * n;
    const e = c + n;
    // Common range k ∈ [j+1, n); column j also has the k = j term (U[j+1, j] is zero, not stored).
    dot2x2(m, a + j + 1, b + j + 1, c + j + 1, e + j + 1, n - j - 1, q);
    const ujj = m[c + j]!;
    const pij = q[0]! + m[a + j]! * ujj;
    const pbj = q[2]! + m[b + j]! * ujj;
    m[a + j] = pij;
    m[b + j] = pbj;
    m[a + j + 1] = q[1]!;
    m[b + j + 1] = q[3]!;
  }
  if (j < n) {
    const c = j * n;
    m[a + j] = m[a + j]! * m[c + j]!;
    m[b + j] = m[b + j]! * m[c + j]!;
  }
}

function productRow(m: Float64Array, n: number, i: number): void {
  const a = i * n;
  for (let j = i; j < n; j++) m[a + j] = dot(m, a + j, j * n + j, n - j);
}

/** Steps of invertSpdSteps for an n×n matrix, for progress reporting. */
export function spdInverseStepCount(n: number): number {
  return 3 * Math.ceil(n / 2);
}

export function* invertSpdSteps(m: Float64Array, n: number): Generator<void, void, void> {
  if (m.length !== n * n) throw new RangeError(`expected ${n * n} cells, got ${m.length}`);
  const d = new Float64Array(n);
  const q = new Float64Array(4);
  for (let i = 0; i < n; i += 2) {
    if (i + 1 < n) choleskyRowPair(m, n, i, d, q);
    else choleskyRow(m, n, i, d);
    yield;
  }
  for (let i = 0; i < n; i += 2) {
    if (i + 1 < n) inverseRowPair(m, n, i, d, q);
    else inverseRow(m, n, i, d);
    yield;
  }
  for (let i = 0; i < n; i += 2) {
    if (i + 1 < n) productRowPair(m, n, i, q);
    else productRow(m, n, i);
    yield;
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) m[j * n + i] = m[i * n + j]!;
  }
}

/** Inverts `m` (n×n, symmetric positive definite) in place, synchronously. */
export function invertSpd(m: Float64Array, n: number): void {
  for (const _ of invertSpdSteps(m, n)) {
    /* run to completion */
  }
}
