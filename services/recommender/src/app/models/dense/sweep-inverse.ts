import { invertSpd } from '../spd-inverse.js';
import { gemmKernel, sharedMemory, type GemmKernel } from './gemm-kernel.js';

/**
 * The inverse of a symmetric positive-definite matrix in float32, by the blocked symmetric sweep
 * (Gauss–Jordan without pivoting, Goodnight 1979), on a WebAssembly shared memory so that several
 * threads work on it at once. Sweeping block K (columns k0…k0+nb) of M:
 *
 *   D = M[K,K]    W = M[·,K]·D⁻¹    M[i,j] −= W[i,·]·M[j,K]ᵀ  (i, j ∉ K)    M[·,K] = W    M[K,K] = −D⁻¹
 *
 * and after every block has been swept once, M = −A⁻¹. Almost all of the work (n³/2 multiply-adds,
 * like Cholesky + triangular inverse + product) is the rank-nb update, one kind of operation over
 * packed panels: gemm-kernel.wat's register-blocked dot products, k innermost over contiguous memory.
 * Only the lower triangle is kept (symmetry halves the work); cells above the diagonal hold garbage.
 *
 * Accuracy: float32 storage, float32 sums of nb = 128 products per block; D⁻¹ in float64. Against a
 * float64 inverse, EASE weights agree to about 1e-5 of their largest magnitude (sweep-inverse.test.ts).
 *
 * Layout (bytes): M (N×N, row stride N) at 0, then the panels P (N×nb), W (N×nb) and D⁻¹ (nb×nb).
 * N is n rounded up to the block; the padding is the identity, so it inverts to itself.
 */
export const SWEEP_BLOCK = 128;
/** Rows per task: the 32 rows of W a task multiplies (16 KB) stay in L1 across its whole update. */
const GROUP = 32;

export interface SweepLayout {
  readonly n: number;
  readonly size: number;
  readonly block: number;
  readonly panelOffset: number;
  readonly weightsOffset: number;
  readonly inverseOffset: number;
  readonly bytes: number;
}

export function sweepLayout(n: number): SweepLayout {
  // A small matrix takes a small block: less padding, and D⁻¹ (float64, serial) stays cheap.
  const block = n < 1024 ? GROUP : SWEEP_BLOCK;
  const size = Math.max(block, Math.ceil(n / block) * block);
  const panelOffset = size * size * 4;
  const weightsOffset = panelOffset + size * block * 4;
  const inverseOffset = weightsOffset + size * block * 4;
  return {
    n,
    size,
    block,
    panelOffset,
    weightsOffset,
    inverseOffset,
    bytes: inverseOffset + block * block * 4,
  };
}

/** The memory a sweep works in: fill `matrix` (lower triangle, row stride `layout.size`), then sweep. */
export interface SweepWorkspace {
  readonly layout: SweepLayout;
  readonly memory: WebAssembly.Memory;
  /** The whole N×N matrix, row-major with stride N. */
  readonly matrix: Float32Array;
}

export function sweepWorkspace(n: number): SweepWorkspace {
  const layout = sweepLayout(n);
  const memory = sharedMemory(layout.bytes);
  const matrix = new Float32Array(memory.buffer, 0, layout.size * layout.size);
  for (let i = n; i < layout.size; i++) matrix[i * layout.size + i] = 1;
  return { layout, memory, matrix };
}

/** Peak bytes of a sweep of n items (the memory is allocated once, up front). */
export function sweepBytes(n: number): number {
  return sweepLayout(n).bytes;
}

// The control block shared by the coordinator and its helpers (an Int32Array).
const GENERATION = 0;
/** (generation & 0xffff) << 16 | next task: a claim is only ever taken from the current phase. */
const CLAIM = 1;
const DONE = 2;
const PHASE = 3;
const TASKS = 4;
const K0 = 5;
/** Set by a helper whose task threw: the sweep is abandoned. */
const FAILED = 6;
export const CONTROL_WORDS = 8;

export const enum SweepPhase {
  Weights = 1,
  Update = 2,
  Exit = 3,
}

/** What a thread needs to run tasks: the kernel over the shared memory, and the control block. */
export interface SweepThread {
  readonly layout: SweepLayout;
  readonly kernel: GemmKernel;
  readonly cells: Float32Array;
  readonly control: Int32Array;
}

export function sweepThread(
  memory: WebAssembly.Memory,
  layout: SweepLayout,
  control: Int32Array,
): SweepThread {
  return { layout, kernel: gemmKernel(memory), cells: new Float32Array(memory.buffer), control };
}

/** Row group of task t: every group outside block K, the largest (lowest in the matrix) first. */
function groupOf(layout: SweepLayout, k0: number, t: number): number {
  const g = layout.size / GROUP - 1 - t;
  return g < (k0 + layout.block) / GROUP ? g - layout.block / GROUP : g;
}

/** Gathers rows of the panel P = M[·,K] (lower triangle only), and W = P·D⁻¹, for one row group. */
function weightsTask(thread: SweepThread, k0: number, i0: number): void {
  const { size: N, block: nb, panelOffset, weightsOffset, inverseOffset } = thread.layout;
  const m = thread.cells;
  const p = panelOffset / 4;
  for (let i = i0; i < i0 + GROUP; i++) {
    const row = p + i * nb;
    if (i >= k0 + nb) m.copyWithin(row, i * N + k0, i * N + k0 + nb);
    else for (let c = 0; c < nb; c++) m[row + c] = m[(k0 + c) * N + i]!;
  }
  thread.kernel.gemm_nt(
    weightsOffset + i0 * nb * 4,
    nb,
    panelOffset + i0 * nb * 4,
    nb,
    inverseOffset,
    nb,
    GROUP,
    nb,
    nb,
    1,
    0,
  );
}

/** M[i,j] −= W[i,·]·P[j,·] for the group's rows and every column outside K up to the diagonal block. */
function updateTask(thread: SweepThread, k0: number, i0: number): void {
  const { size: N, block: nb, panelOffset, weightsOffset } = thread.layout;
  const end = i0 + GROUP;
  const update = (j0: number, j1: number) => {
    if (j1 <= j0) return;
    thread.kernel.gemm_nt(
      (i0 * N + j0) * 4,
      N,
      weightsOffset + i0 * nb * 4,
      nb,
      panelOffset + j0 * nb * 4,
      nb,
      GROUP,
      j1 - j0,
      nb,
      -1,
      1,
    );
  };
  update(0, Math.min(end, k0));
  update(k0 + nb, end);
  // The new M[·,K] is W: in row i for rows below K, in the rows of K (lower triangle) for rows above.
  const m = thread.cells;
  const w = weightsOffset / 4;
  for (let i = i0; i < end; i++) {
    const row = w + i * nb;
    if (i >= k0 + nb) m.copyWithin(i * N + k0, row, row + nb);
    else for (let c = 0; c < nb; c++) m[(k0 + c) * N + i] = m[row + c]!;
  }
}

function runTask(thread: SweepThread, phase: SweepPhase, k0: number, t: number): void {
  const i0 = groupOf(thread.layout, k0, t) * GROUP;
  if (phase === SweepPhase.Weights) weightsTask(thread, k0, i0);
  else updateTask(thread, k0, i0);
}

/** Claims the next task of the current phase, or −1 when the phase has none left. */
function claim(control: Int32Array, generation: number, tasks: number): number {
  for (;;) {
    const word = Atomics.load(control, CLAIM);
    if (word >>> 16 !== (generation & 0xffff) || (word & 0xffff) >= tasks) return -1;
    if (Atomics.compareExchange(control, CLAIM, word, word + 1) === word) return word & 0xffff;
  }
}

/** Runs tasks of the phase `generation` until none is left; what a helper thread does. */
export function drainPhase(thread: SweepThread, generation: number): boolean {
  const c = thread.control;
  const phase = Atomics.load(c, PHASE) as SweepPhase;
  if (phase === SweepPhase.Exit) return false;
  const tasks = Atomics.load(c, TASKS);
  const k0 = Atomics.load(c, K0);
  try {
    for (let t = claim(c, generation, tasks); t >= 0; t = claim(c, generation, tasks)) {
      runTask(thread, phase, k0, t);
      if (Atomics.add(c, DONE, 1) + 1 === tasks) Atomics.notify(c, DONE);
    }
  } catch (err) {
    Atomics.store(c, FAILED, 1);
    Atomics.notify(c, DONE);
    throw err;
  }
  return true;
}

/** The helper's loop: wait for a phase, help with it, until told to exit. */
export function helpSweeps(thread: SweepThread): void {
  let seen = Atomics.load(thread.control, GENERATION);
  for (;;) {
    Atomics.wait(thread.control, GENERATION, seen);
    seen = Atomics.load(thread.control, GENERATION);
    if (!drainPhase(thread, seen)) return;
  }
}

/** Whoever else works on the sweep (helper threads); started and stopped by the caller. */
export interface SweepHelpers {
  readonly control: Int32Array;
  stop(): void;
}

/**
 * Sweeps the workspace's matrix into −A⁻¹ (lower triangle). Yields after every task when it works
 * alone (to be sliced cooperatively); with helpers it runs each phase to its end before yielding.
 */
export function* sweepSteps(workspace: SweepWorkspace, helpers?: SweepHelpers): Generator<void, void, void> {
  const { layout, memory } = workspace;
  const { size: N, block: nb, inverseOffset } = layout;
  const control = helpers?.control ?? new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  const thread = sweepThread(memory, layout, control);
  const m = workspace.matrix;
  const cells = thread.cells;
  const d = new Float64Array(nb * nb);
  const tasks = (N - nb) / GROUP;
  let generation = Atomics.load(control, GENERATION);

  function* phase(kind: SweepPhase, k0: number): Generator<void, void, void> {
    generation++;
    Atomics.store(control, PHASE, kind);
    Atomics.store(control, TASKS, tasks);
    Atomics.store(control, K0, k0);
    Atomics.store(control, DONE, 0);
    Atomics.store(control, CLAIM, (generation & 0xffff) << 16);
    Atomics.store(control, GENERATION, generation);
    if (helpers) Atomics.notify(control, GENERATION);
    for (let t = claim(control, generation, tasks); t >= 0; t = claim(control, generation, tasks)) {
      runTask(thread, kind, k0, t);
      Atomics.add(control, DONE, 1);
      if (!helpers) yield;
    }
    for (let done = Atomics.load(control, DONE); done < tasks; done = Atomics.load(control, DONE)) {
      if (Atomics.load(control, FAILED) !== 0) throw new Error('a sweep helper thread failed');
      Atomics.wait(control, DONE, done, 5);
    }
  }

  for (let k0 = 0; k0 < N; k0 += nb) {
    // D = M[K,K] from its lower triangle, inverted in float64; M[K,K] becomes −D⁻¹.
    for (let a = 0; a < nb; a++)
      for (let b = 0; b <= a; b++) d[a * nb + b] = d[b * nb + a] = m[(k0 + a) * N + k0 + b]!;
    invertSpd(d, nb);
    const inverse = inverseOffset / 4;
    for (let a = 0; a < nb; a++) {
      for (let b = 0; b < nb; b++) {
        cells[inverse + a * nb + b] = d[a * nb + b]!;
        m[(k0 + a) * N + k0 + b] = -d[a * nb + b]!;
      }
    }
    if (tasks > 0) {
      yield* phase(SweepPhase.Weights, k0);
      yield* phase(SweepPhase.Update, k0);
    }
    yield;
  }
}

/** Tells the helpers to leave their loop (they exit once they see it). */
export function releaseHelpers(control: Int32Array): void {
  Atomics.store(control, PHASE, SweepPhase.Exit);
  Atomics.add(control, GENERATION, 1);
  Atomics.notify(control, GENERATION);
}
