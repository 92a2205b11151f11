/**
 * horner-threads-T / sincos-threads-T (the seed's exercise 4-5, numexpr's set_num_threads): the
 * one-pass kernel split over T worker threads on SharedArrayBuffers, which claim ranges of points
 * from a shared counter (the main thread only coordinates, so T=1 shows the hand-off cost). The memory-bound Horner polynomial stops scaling
 * once memory bandwidth is the limit; the compute-bound sin^2+cos^2 scales with cores.
 */
import * as path from "node:path";
import { sumGrid } from "../../grid";
import { WorkerTeam, chunkCount } from "../../team";
import type { RunnableVariant } from "../../variant";
import { type PolyKernel, linspace } from "./kernels";

export function createThreaded(kernel: PolyKernel, threads: number): () => RunnableVariant {
  return () => {
    let y: Float64Array = new Float64Array(0);
    let team: WorkerTeam | null = null;
    return {
      async setup(size) {
        const xBuffer = new SharedArrayBuffer(size * 8);
        const yBuffer = new SharedArrayBuffer(size * 8);
        new Float64Array(xBuffer).set(linspace(size));
        y = new Float64Array(yBuffer);
        const data = [];
        for (let t = 0; t < threads; t++) data.push({ x: xBuffer, y: yBuffer, kernel });
        team = await WorkerTeam.start(path.join(__dirname, "threads-worker.js"), data, chunkCount(size, threads));
      },
      step() {
        team!.runGeneration();
      },
      checksum: () => sumGrid(y),
      async dispose() {
        await team?.stop();
        team = null;
      },
    };
  };
}
