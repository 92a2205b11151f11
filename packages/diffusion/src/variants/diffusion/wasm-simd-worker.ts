/**
 * Worker side of `wasm-simd-workers`: instantiates the posted (already compiled) kernel on the
 * shared memory, then for each step claims bands of row pairs and runs the kernel on them (see
 * team.ts for the claiming and the barrier).
 */
import { workerData } from "node:worker_threads";
import { pairBandStart, serveGenerations, type TeamWorkerData } from "../../team";
import { type DiffusionExports, wasm } from "./wasm-simd";
import type { WasmWorkerInput } from "./wasm-simd-workers";

const data = workerData as TeamWorkerData & WasmWorkerInput;
const kernel = new wasm.Instance(data.module, { env: { memory: data.memory } }).exports as unknown as DiffusionExports;
const { gridA, gridB, n, k } = data;

serveGenerations(data, (chunk, generation) => {
  // Generation g (1-based) reads grid A when g is odd, grid B when even.
  const odd = (generation & 1) === 1;
  kernel.stepRows(odd ? gridA : gridB, odd ? gridB : gridA, n, pairBandStart(n, data.chunks, chunk), pairBandStart(n, data.chunks, chunk + 1), k);
});
