/** Worker side of the poly thread variants: evaluates the ranges of points it claims, each generation. */
import { workerData } from "node:worker_threads";
import { bandStart, serveGenerations, type TeamWorkerData } from "../../team";
import { POLY_KERNELS, type PolyKernel } from "./kernels";

interface PolyWorkerData extends TeamWorkerData {
  x: SharedArrayBuffer;
  y: SharedArrayBuffer;
  kernel: PolyKernel;
}

const data = workerData as PolyWorkerData;
const x = new Float64Array(data.x);
const y = new Float64Array(data.y);
const evaluate = POLY_KERNELS[data.kernel];
serveGenerations(data, (chunk) => {
  evaluate(x, y, bandStart(x.length, data.chunks, chunk), bandStart(x.length, data.chunks, chunk + 1));
});
