/** Worker side of the poly thread variants: evaluates its slice of the points once per generation. */
import { workerData } from "node:worker_threads";
import { serveGenerations, type TeamWorkerData } from "../../team";
import { POLY_KERNELS, type PolyKernel } from "./kernels";

interface PolyWorkerData extends TeamWorkerData {
  x: SharedArrayBuffer;
  y: SharedArrayBuffer;
  start: number;
  end: number;
  kernel: PolyKernel;
}

const data = workerData as PolyWorkerData;
const x = new Float64Array(data.x);
const y = new Float64Array(data.y);
const evaluate = POLY_KERNELS[data.kernel];
serveGenerations(data, () => evaluate(x, y, data.start, data.end));
