import { writeFile } from 'node:fs/promises';
import { assembleGemmKernel, gemmKernelModuleSource } from './gemm-kernel-source.js';

/** Rewrites gemm-kernel-wasm.ts from gemm-kernel.wat. */
const bytes = await assembleGemmKernel();
const target = new URL('./gemm-kernel-wasm.ts', import.meta.url);
await writeFile(target, gemmKernelModuleSource(bytes));
console.log(`gemm-kernel-wasm.ts: ${bytes.length} bytes of WebAssembly`);
