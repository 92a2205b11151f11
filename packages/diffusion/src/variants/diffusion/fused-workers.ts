/**
 * fused-workers (numexpr's threads): the fused kernel split by rows over worker_threads. Both grids
 * live in one SharedArrayBuffer, so nothing is copied; the main thread computes the first band
 * itself (one fewer hand-off) and T-1 workers the others. A step is one barrier (team.ts):
 * spin-then-wait keeps it at a few microseconds, negligible next to a ~1 ms step at 1024 x 1024.
 * Bands are contiguous rows, so each thread streams its own part of memory and only the two
 * boundary rows of a band are read by a neighbour thread.
 */
import * as os from "node:os";
import * as path from "node:path";
import { DIFFUSION_D, DIFFUSION_DT, initialGrid, sumGrid } from "../../grid";
import { WorkerTeam, band } from "../../team";
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
  let mainBand = { start: 0, end: 0 };
  let generation = 0;
  const current = () => ((generation & 1) === 1 ? gridB : gridA);

  return {
    async setup(size) {
      n = size;
      const cells = n * n;
      const grids = new SharedArrayBuffer(cells * 8 * 2);
      gridA = new Float64Array(grids, 0, cells);
      gridB = new Float64Array(grids, cells * 8, cells);
      gridA.set(initialGrid(n));
      generation = 0;
      // Never more bands than rows (tiny grids in tests).
      const bands = Math.min(threads, n);
      mainBand = band(n, bands, 0);
      const data = [];
      for (let t = 1; t < bands; t++) {
        const { start, end } = band(n, bands, t);
        data.push({ grids, n, rowStart: start, rowEnd: end, k });
      }
      team = await WorkerTeam.start(path.join(__dirname, "fused-worker.js"), data);
    },
    step() {
      generation = team!.runGeneration((g) => {
        const odd = (g & 1) === 1;
        fusedRows(odd ? gridA : gridB, odd ? gridB : gridA, n, mainBand.start, mainBand.end, k);
      });
    },
    checksum: () => sumGrid(current()),
    grid: () => current().slice(),
    async dispose() {
      await team?.stop();
      team = null;
    },
  };
}
