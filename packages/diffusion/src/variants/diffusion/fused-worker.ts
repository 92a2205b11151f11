/**
 * Worker side of `fused-workers`: owns a fixed band of rows of the shared grids and runs the fused
 * kernel on it once per generation (see team.ts for the barrier).
 */
import { workerData } from "node:worker_threads";
import { serveGenerations, type TeamWorkerData } from "../../team";
import { fusedRows } from "./fused-kernel";

interface FusedWorkerData extends TeamWorkerData {
  grids: SharedArrayBuffer;
  n: number;
  rowStart: number;
  rowEnd: number;
  k: number;
}

const data = workerData as FusedWorkerData;
const cells = data.n * data.n;
const gridA = new Float64Array(data.grids, 0, cells);
const gridB = new Float64Array(data.grids, cells * 8, cells);

serveGenerations(data, (generation) => {
  // Generation g (1-based) reads grid A when g is odd, grid B when even.
  const odd = (generation & 1) === 1;
  fusedRows(odd ? gridA : gridB, odd ? gridB : gridA, data.n, data.rowStart, data.rowEnd, data.k);
});
