/**
 * Worker side of `fused-workers`: for each step, claims bands of rows of the shared grids and runs
 * the fused kernel on them (see team.ts for the claiming and the barrier).
 */
import { workerData } from "node:worker_threads";
import { pairBandStart, serveGenerations, type TeamWorkerData } from "../../team";
import { fusedRows } from "./fused-kernel";

interface FusedWorkerData extends TeamWorkerData {
  grids: SharedArrayBuffer;
  n: number;
  k: number;
  /** Bytes between the two grids (ALIAS_SHIFT). */
  shift: number;
}

const data = workerData as FusedWorkerData;
const cells = data.n * data.n;
const gridA = new Float64Array(data.grids, 0, cells);
const gridB = new Float64Array(data.grids, cells * 8 + data.shift, cells);

serveGenerations(data, (chunk, generation) => {
  // Generation g (1-based) reads grid A when g is odd, grid B when even.
  const odd = (generation & 1) === 1;
  const start = pairBandStart(data.n, data.chunks, chunk);
  const end = pairBandStart(data.n, data.chunks, chunk + 1);
  fusedRows(odd ? gridA : gridB, odd ? gridB : gridA, data.n, start, end, data.k);
});
