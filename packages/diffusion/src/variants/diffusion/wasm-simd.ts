/**
 * wasm-simd (the compiled-extension row): the fused stencil as a WebAssembly function using 128-bit
 * SIMD (f64x2), written in AssemblyScript (packages/diffusion/assembly/diffusion.ts) and compiled by
 * `asc` in the package build. Two cells per instruction, no bounds checks in the inner loop (wasm
 * memory accesses are guarded by the engine's address-space reservation), unaligned loads for the
 * left/right neighbours, four cells per loop iteration; the grids live in the module's memory so
 * nothing is copied between steps.
 */
import * as fs from "node:fs";
import { DIFFUSION_D, DIFFUSION_DT, initialGrid } from "../../grid";
import { WASM_PATH } from "../../native";
import type { RunnableVariant } from "../../variant";

interface DiffusionExports {
  stepRows(src: number, dst: number, n: number, rowStart: number, rowEnd: number, k: number): void;
  sum(grid: number, cells: number): number;
}

const PAGE = 65536;
/** First grid byte: past the first page, which AssemblyScript may use for static data. */
const GRID_BASE = PAGE;

let cachedModule: WebAssembly.Module | null = null;
export function loadDiffusionModule(): WebAssembly.Module {
  cachedModule ??= new WebAssembly.Module(fs.readFileSync(WASM_PATH));
  return cachedModule;
}

export function createWasmSimd(): RunnableVariant {
  const k = DIFFUSION_D * DIFFUSION_DT;
  let n = 0;
  let exports: DiffusionExports | null = null;
  let memory: WebAssembly.Memory | null = null;
  let src = 0;
  let dst = 0;
  return {
    setup(size) {
      n = size;
      const bytes = n * n * 8;
      // Grids start 64-byte aligned (cache-line) so vector loads split lines only where they must.
      const aligned = Math.ceil(bytes / 64) * 64;
      memory = new WebAssembly.Memory({ initial: Math.ceil((GRID_BASE + 2 * aligned) / PAGE) });
      const instance = new WebAssembly.Instance(loadDiffusionModule(), { env: { memory } });
      exports = instance.exports as unknown as DiffusionExports;
      src = GRID_BASE;
      dst = GRID_BASE + aligned;
      new Float64Array(memory.buffer, src, n * n).set(initialGrid(n));
    },
    step() {
      exports!.stepRows(src, dst, n, 0, n, k);
      const swap = src;
      src = dst;
      dst = swap;
    },
    checksum: () => exports!.sum(src, n * n),
    grid: () => new Float64Array(memory!.buffer, src, n * n).slice(),
  };
}
