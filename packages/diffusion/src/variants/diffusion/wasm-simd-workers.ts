/**
 * wasm-simd-workers: the wasm-simd kernel (assembly/diffusion.ts, unchanged) on worker_threads.
 * Both grids live in one shared WebAssembly.Memory; the compiled module and that memory are posted
 * to each worker, which instantiates the module on it, so every thread runs the same SIMD code on
 * the same grids and nothing is copied. As in fused-workers, the main thread works too (T threads =
 * the main thread + T-1 workers), each step is cut into ~8 bands of row pairs per thread claimed
 * from a shared counter (a descheduled thread's bands move to the others), and the step ends at one
 * Atomics barrier (team.ts).
 *
 * Bands start on even rows, so the kernel pairs rows exactly as the single-threaded call does and
 * every cell goes through the same instructions: the grid equals wasm-simd's bit for bit (the
 * tests check it). What it buys over wasm-simd is cores busy; at small grids a step is tens of
 * microseconds and the barrier's hand-off is a visible share of it.
 */
import * as path from "node:path";
import { DIFFUSION_D, DIFFUSION_DT, initialGrid } from "../../grid";
import { WorkerTeam, chunkCount, pairBandStart } from "../../team";
import type { RunnableVariant, VariantCreateOptions } from "../../variant";
import { defaultThreads } from "./fused-workers";
import { type DiffusionExports, type WasmMemory, loadDiffusionModule, wasm, wasmGridLayout } from "./wasm-simd";

/** What each worker gets (besides the team's control block): see wasm-simd-worker.ts. */
export interface WasmWorkerInput {
  module: object;
  memory: WasmMemory;
  n: number;
  k: number;
  /** Byte addresses of the two grids in the memory. */
  gridA: number;
  gridB: number;
}

export function createWasmSimdWorkers(options: VariantCreateOptions = {}): RunnableVariant {
  const threads = Math.max(1, options.threads ?? defaultThreads());
  const k = DIFFUSION_D * DIFFUSION_DT;
  let n = 0;
  let kernel: DiffusionExports | null = null;
  let memory: WasmMemory | null = null;
  let gridA = 0;
  let gridB = 0;
  let team: WorkerTeam | null = null;
  /** The ending of a team whose step failed (dispose waits for it). */
  let ending: Promise<void> | null = null;
  let generation = 0;
  let chunks = 1;
  // Generation g (1-based) reads grid A when g is odd and writes B; after g steps the grid is B if g is odd.
  const current = () => ((generation & 1) === 1 ? gridB : gridA);
  // The main thread's share, created once (a closure per step would be garbage per step).
  const mainWork = (chunk: number, g: number) => {
    const odd = (g & 1) === 1;
    kernel!.stepRows(odd ? gridA : gridB, odd ? gridB : gridA, n, pairBandStart(n, chunks, chunk), pairBandStart(n, chunks, chunk + 1), k);
  };

  return {
    async setup(size) {
      n = size;
      const layout = wasmGridLayout(n);
      // A shared memory must have a maximum; this one never grows.
      memory = new wasm.Memory({ initial: layout.pages, maximum: layout.pages, shared: true });
      const { module } = loadDiffusionModule(options.wasmFlavor ?? "relaxed", "shared");
      kernel = new wasm.Instance(module, { env: { memory } }).exports as unknown as DiffusionExports;
      gridA = layout.gridA;
      gridB = layout.gridB;
      new Float64Array(memory.buffer, gridA, n * n).set(initialGrid(n));
      generation = 0;
      chunks = chunkCount(Math.ceil(n / 2), threads);
      const workers: WasmWorkerInput[] = [];
      for (let t = 1; t < Math.min(threads, chunks); t++) workers.push({ module, memory, n, k, gridA, gridB });
      team = await WorkerTeam.start(path.join(__dirname, "wasm-simd-worker.js"), workers, chunks);
    },
    step() {
      try {
        generation = team!.runGeneration(mainWork);
      } catch (error) {
        // The grid is half-written and a worker may be gone: end them all now, then report.
        const failed = team;
        team = null;
        ending = failed ? failed.terminate().catch(() => {}) : null;
        throw error;
      }
    },
    checksum: () => kernel!.sum(current(), n * n),
    grid: () => new Float64Array(memory!.buffer, current(), n * n).slice(),
    async dispose() {
      const running = team;
      team = null;
      await running?.stop();
      await ending;
    },
  };
}
