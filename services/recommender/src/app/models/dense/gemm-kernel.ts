import { GEMM_KERNEL_WASM } from './gemm-kernel-wasm.js';

/** The exports of gemm-kernel.wat, bound to one shared memory. */
export interface GemmKernel {
  /**
   * C[r, j] = (accumulate ? C[r, j] : 0) + alpha · dot(A[r, 0:k], B[j, 0:k]) for r < m, j < ncols.
   * Pointers are byte offsets into the memory, leading dimensions in floats; m % 2 = 0,
   * ncols % 4 = 0, k % 4 = 0.
   */
  gemm_nt(
    c: number,
    ldc: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    m: number,
    ncols: number,
    k: number,
    alpha: number,
    accumulate: number,
  ): void;
}

let compiled: WebAssembly.Module | undefined;

/** Compiled once per thread (synchronously: the module is under 1 KB), instantiated per memory. */
export function gemmKernel(memory: WebAssembly.Memory): GemmKernel {
  compiled ??= new WebAssembly.Module(Buffer.from(GEMM_KERNEL_WASM, 'base64'));
  const instance = new WebAssembly.Instance(compiled, { env: { memory } });
  return instance.exports as unknown as GemmKernel;
}

/** A shared memory of at least `bytes` (wasm32 memories end at 4 GiB). */
export function sharedMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.ceil(bytes / 65_536);
  if (pages > 65_536) throw new RangeError(`${bytes} bytes is above WebAssembly's 4 GiB memory`);
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}
