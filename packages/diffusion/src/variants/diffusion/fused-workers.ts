/**
 * fused-workers (numexpr's threads): the fused kernel split by rows over worker_threads. Both grids
 * live in one SharedArrayBuffer, so nothing is copied. The main thread works too (T threads = the
 * main thread + T-1 workers, one fewer hand-off). Each step cuts the grid into ~8 bands of
 * contiguous rows per thread that the threads claim from a shared counter, then meets at one
 * barrier (team.ts): spin-then-wait keeps that at a few microseconds, negligible next to a
 * millisecond step at 1024 x 1024, and dynamic claiming keeps a descheduled thread on a busy
 * machine from stalling the step. Contiguous bands mean each thread streams its own memory.
 */
import * as os from "node:os";
import * as path from "node:path";
import { ALIAS_SHIFT, DIFFUSION_D, DIFFUSION_DT, allocateGridPair, initialGrid, sumGrid } from "../../grid";
import { WorkerTeam, chunkCount, pairBandStart } from "../../team";
import type { RunnableVariant, VariantCreateOptions } from "../../variant";
import { fusedRows } from "./fused-kernel";

export function defaultThreads(): number {
  return Math.max(1, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length);
}

export function createFusedWorkers(options: VariantCreateOptions = {}): RunnableVariant {
  const threads = Math.max(1, options.threads ?? defaultThreads());
  const k = DIFFUSION_D * DIFFUSION_DT;
  let n = 0;
  let gridA: Float64Array = new Float64Array(0);
  let gridB: Float64Array = new Float64Array(0);
  let team: WorkerTeam | null = null;
  let generation = 0;
  const current = () => ((generation & 1) === 1 ? gridB : gridA);
  // The main thread's share, created once (a closure per step would be garbage per step).
  let chunks = 1;
  const mainWork = (chunk: number, g: number) => {
    const odd = (g & 1) === 1;
    fusedRows(odd ? gridA : gridB, odd ? gridB : gridA, n, pairBandStart(n, chunks, chunk), pairBandStart(n, chunks, chunk + 1), k);
  };

  return {
    async setup(size) {
      n = size;
      const pair = allocateGridPair(n, true);
      const grids = pair.buffer;
      gridA = pair.a;
      gridB = pair.b;
      gridA.set(initialGrid(n));
      generation = 0;
      chunks = chunkCount(Math.ceil(n / 2), threads);
      const workers = [];
      for (let t = 1; t < Math.min(threads, chunks); t++) workers.push({ grids, n, k, shift: ALIAS_SHIFT });
      team = await WorkerTeam.start(path.join(__dirname, "fused-worker.js"), workers, chunks);
    },
    step() {
      generation = team!.runGeneration(mainWork);
    },
    checksum: () => sumGrid(current()),
    grid: () => current().slice(),
    async dispose() {
      await team?.stop();
      team = null;
    },
  };
}
