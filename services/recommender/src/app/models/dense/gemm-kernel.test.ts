import { describe, expect, it } from 'vitest';
import { gemmKernel, sharedMemory } from './gemm-kernel.js';
import { assembleGemmKernel } from './gemm-kernel-source.js';
import { GEMM_KERNEL_WASM } from './gemm-kernel-wasm.js';

describe('the WebAssembly GEMM kernel', () => {
  it('is committed as exactly the bytes gemm-kernel.wat assembles to', async () => {
    const bytes = await assembleGemmKernel();
    expect(Buffer.from(GEMM_KERNEL_WASM, 'base64').equals(Buffer.from(bytes))).toBe(true);
  });

  it('computes C = C + alpha·A·Bᵀ (and C = alpha·A·Bᵀ) over row panels with leading dimensions', () => {
    const memory = sharedMemory(1 << 16);
    const kernel = gemmKernel(memory);
    const f = new Float32Array(memory.buffer);
    const [m, ncols, k, lda, ldb, ldc] = [4, 8, 12, 16, 20, 10];
    const [a, b, c] = [0, 1024, 4096]; // float offsets
    const value = (i: number) => ((i * 7919) % 23) / 7 - 1.5;
    for (let i = 0; i < m * lda; i++) f[a + i] = value(i);
    for (let i = 0; i < ncols * ldb; i++) f[b + i] = value(i + 5);
    for (let i = 0; i < m * ldc; i++) f[c + i] = value(i + 11);
    const before = f.slice(c, c + m * ldc);
    kernel.gemm_nt(c * 4, ldc, a * 4, lda, b * 4, ldb, m, ncols, k, -0.5, 1);
    for (let r = 0; r < m; r++)
      for (let j = 0; j < ldc; j++) {
        let dot = 0;
        for (let p = 0; p < k; p++) dot += f[a + r * lda + p]! * f[b + j * ldb + p]!;
        // Columns past ncols are left alone.
        const expected = j < ncols ? before[r * ldc + j]! - 0.5 * dot : before[r * ldc + j]!;
        expect(f[c + r * ldc + j]).toBeCloseTo(expected, 4);
      }
    kernel.gemm_nt(c * 4, ldc, a * 4, lda, b * 4, ldb, 2, 4, k, 2, 0);
    let dot00 = 0;
    for (let p = 0; p < k; p++) dot00 += f[a + p]! * f[b + p]!;
    expect(f[c]).toBeCloseTo(2 * dot00, 4);
  });
});
