/**
 * wasm-simd (the compiled-extension row): the fused stencil as a WebAssembly function using 128-bit
 * SIMD (f64x2), written in AssemblyScript (packages/diffusion/assembly/diffusion.ts) and compiled by
 * `asc` in the package build. Two cells per instruction, no bounds checks in the inner loop (wasm
 * memory accesses are guarded by the engine's address-space reservation), unaligned loads for the
 * left/right neighbours, two rows x four columns per loop iteration so neighbouring rows share
 * their loads, and fused multiply-adds (relaxed SIMD) where the engine allows them; the grids live in the module's memory so nothing is copied between steps, and the
 * module is compiled by the optimizing tier up front.
 */
import * as fs from "node:fs";
import * as v8 from "node:v8";
import { ALIAS_SHIFT, DIFFUSION_D, DIFFUSION_DT, initialGrid } from "../../grid";
import { WASM_PATH, WASM_RELAXED_PATH } from "../../native";
import type { RunnableVariant, VariantCreateOptions } from "../../variant";

interface DiffusionExports {
  stepRows(src: number, dst: number, n: number, rowStart: number, rowEnd: number, k: number): void;
  sum(grid: number, cells: number): number;
}

/** The slice of the WebAssembly JS API used here (lib ES2022 has no WebAssembly typings). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
/** First grid byte: past the first page, which AssemblyScript may use for static data. */
const GRID_BASE = PAGE;

export type WasmFlavor = "relaxed" | "plain";

const cachedModules = new Map<WasmFlavor, object>();

function compile(file: string): object {
  // Compile every function with the optimizing tier up front (in setup, untimed), like a compiled
  // extension is compiled ahead of time. By default V8 compiles each function lazily on its first
  // call (inside the timed steps) with its baseline compiler (Liftoff) and tiers up later in a
  // background thread, which on a busy machine can leave hundreds of timed steps unoptimized.
  v8.setFlagsFromString("--no-liftoff");
  v8.setFlagsFromString("--no-wasm-lazy-compilation");
  return new wasm.Module(fs.readFileSync(file));
}

/**
 * The compiled kernel: the relaxed-SIMD build (fused multiply-add) when the engine accepts it
 * (Node 20's V8 needs --experimental-wasm-relaxed-simd; newer engines ship it), else the plain
 * SIMD build. `prefer: "plain"` forces the fallback (tests check both).
 */
export function loadDiffusionModule(prefer: WasmFlavor = "relaxed"): { module: object; flavor: WasmFlavor } {
  if (prefer === "relaxed") {
    let relaxed = cachedModules.get("relaxed");
    if (!relaxed && fs.existsSync(WASM_RELAXED_PATH)) {
      const bytes = fs.readFileSync(WASM_RELAXED_PATH);
      // Only engines that do not ship relaxed SIMD yet need (and know) the flag.
      if (!wasm.validate(bytes)) v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
      if (wasm.validate(bytes)) {
        relaxed = compile(WASM_RELAXED_PATH);
        cachedModules.set("relaxed", relaxed);
      }
      // Otherwise this engine rejects relaxed SIMD: use the plain build.
    }
    if (relaxed) return { module: relaxed, flavor: "relaxed" };
  }
  let plain = cachedModules.get("plain");
  if (!plain) {
    plain = compile(WASM_PATH);
    cachedModules.set("plain", plain);
  }
  return { module: plain, flavor: "plain" };
}

export function createWasmSimd(options: VariantCreateOptions = {}): RunnableVariant {
  const k = DIFFUSION_D * DIFFUSION_DT;
  let n = 0;
  let exports: DiffusionExports | null = null;
  let memory: WasmMemory | null = null;
  let src = 0;
  let dst = 0;
  return {
    setup(size) {
      n = size;
      const bytes = n * n * 8;
      // Grids start 64-byte aligned (cache-line), the second one shifted by ALIAS_SHIFT against 4K
      // aliasing (see grid.ts: 30% for this kernel at 2048 x 2048).
      const aligned = Math.ceil(bytes / 64) * 64 + ALIAS_SHIFT;
      memory = new wasm.Memory({ initial: Math.ceil((GRID_BASE + 2 * aligned) / PAGE) });
      const { module } = loadDiffusionModule(options.wasmFlavor ?? "relaxed");
      const instance = new wasm.Instance(module, { env: { memory } });
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
