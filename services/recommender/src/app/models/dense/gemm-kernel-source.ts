import { readFile } from 'node:fs/promises';

/**
 * Assembles gemm-kernel.wat with wabt (a development dependency: the service itself loads the
 * committed bytes in gemm-kernel-wasm.ts and needs no assembler). Used by the build script and by the
 * test that checks the committed bytes are those of the source.
 */
export async function assembleGemmKernel(): Promise<Uint8Array> {
  const { default: wabtInit } = await import('wabt');
  const wabt = await wabtInit();
  const path = new URL('./gemm-kernel.wat', import.meta.url);
  const module = wabt.parseWat('gemm-kernel.wat', await readFile(path, 'utf8'), {
    simd: true,
    threads: true,
  });
  try {
    return Uint8Array.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

export function gemmKernelModuleSource(bytes: Uint8Array): string {
  const base64 = Buffer.from(bytes).toString('base64');
  return [
    '// Generated from gemm-kernel.wat by `npm run build:kernel -w @marquee/recommender`; do not edit.',
    `export const GEMM_KERNEL_WASM = '${base64}';`,
    '',
  ].join('\n');
}
