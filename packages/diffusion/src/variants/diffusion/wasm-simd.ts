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
import { WASM_PATH, WASM_RELAXED_PATH, WASM_SHARED_PATH, WASM_SHARED_RELAXED_PATH } from "../../native";
import type { RunnableVariant, VariantCreateOptions } from "../../variant";

export interface DiffusionExports {
  stepRows(src: number, dst: number, n: number, rowStart: number, rowEnd: number, k: number): void;
  sum(grid: number, cells: number): number;
}

/** The slice of the WebAssembly JS API used here (lib ES2022 has no WebAssembly typings). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
/** First grid byte: past the first page, which AssemblyScript may use for static data. */
const GRID_BASE = PAGE;

/**
 * Where the two grids of side n live in the module's memory, and how many pages it needs. Grids
 * start 64-byte aligned (cache-line), the second one shifted by ALIAS_SHIFT against 4K aliasing
 * (see grid.ts: 30% for this kernel at 2048 x 2048).
 */
export function wasmGridLayout(n: number): { pages: number; gridA: number; gridB: number } {
  const aligned = Math.ceil((n * n * 8) / 64) * 64 + ALIAS_SHIFT;
  return { pages: Math.ceil((GRID_BASE + 2 * aligned) / PAGE), gridA: GRID_BASE, gridB: GRID_BASE + aligned };
}

export type WasmFlavor = "relaxed" | "plain";
/** "private": the module's own memory (wasm-simd); "shared": a shared memory for a team of threads. */
export type WasmMemoryKind = "private" | "shared";

const BUILDS: Record<WasmMemoryKind, Record<WasmFlavor, string>> = {
  private: { plain: WASM_PATH, relaxed: WASM_RELAXED_PATH },
  shared: { plain: WASM_SHARED_PATH, relaxed: WASM_SHARED_RELAXED_PATH },
};

const cachedModules = new Map<string, object>();

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
 * SIMD build. `prefer: "plain"` forces the fallback (tests check both). `memory: "shared"` gives
 * the build that imports a shared memory (a compiled module can be posted to worker threads).
 */
export function loadDiffusionModule(prefer: WasmFlavor = "relaxed", memory: WasmMemoryKind = "private"): { module: object; flavor: WasmFlavor } {
  const builds = BUILDS[memory];
  if (prefer === "relaxed") {
    let relaxed = cachedModules.get(`${memory}:relaxed`);
    if (!relaxed && fs.existsSync(builds.relaxed)) {
      const bytes = fs.readFileSync(builds.relaxed);
      // Only engines that do not ship relaxed SIMD yet need (and know) the flag.
      if (!wasm.validate(bytes)) v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
      if (wasm.validate(bytes)) {
        relaxed = compile(builds.relaxed);
        cachedModules.set(`${memory}:relaxed`, relaxed);
      }
      // Otherwise this engine rejects relaxed SIMD: use the plain build.
    }
    if (relaxed) return { module: relaxed, flavor: "relaxed" };
  }
  let plain = cachedModules.get(`${memory}:plain`);
  if (!plain) {
    plain = compile(builds.plain);
    cachedModules.set(`${memory}:plain`, plain);
  }
  return { module: plain, flavor: "plain" };
}

export function createWasmSimd(options: VariantCreateOptions = {}): RunnableVariant {
  const k = DIFFUSION_D * DIFFUSION_DT;
  let n = 0;
  let kernel: DiffusionExports | null = null;
  let memory: WasmMemory | null = null;
  let src = 0;
  let dst = 0;
  return {
    setup(size) {
      n = size;
      const layout = wasmGridLayout(n);
      memory = new wasm.Memory({ initial: layout.pages });
      const { module } = loadDiffusionModule(options.wasmFlavor ?? "relaxed");
      const instance = new wasm.Instance(module, { env: { memory } });
      kernel = instance.exports as unknown as DiffusionExports;
      src = layout.gridA;
      dst = layout.gridB;
      new Float64Array(memory.buffer, src, n * n).set(initialGrid(n));
    },
    step() {
      kernel!.stepRows(src, dst, n, 0, n, k);
      const swap = src;
      src = dst;
      dst = swap;
    },
    checksum: () => kernel!.sum(src, n * n),
    grid: () => new Float64Array(memory!.buffer, src, n * n).slice(),
  };
}
