/**
 * naive-arrays (the seed's numpy baseline): `.25*x**3 + .75*x**2 - 1.5*x - 2` evaluated one array
 * operation at a time, each allocating a full temporary like numpy does (x**3, .25*_, x**2, ...).
 * Seven passes over memory and seven 80 MB temporaries per evaluation at 10M points: memory-bound
 * and allocation-bound, which is what the one-pass variants remove.
 */
import { sumGrid } from "../../grid";
import type { RunnableVariant } from "../../variant";
import { linspace } from "./kernels";

function map(a: Float64Array, f: (v: number) => number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]);
  return out;
}

function zip(a: Float64Array, b: Float64Array, f: (u: number, v: number) => number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i], b[i]);
  return out;
}

export function createNaiveArrays(): RunnableVariant {
  let x: Float64Array = new Float64Array(0);
  let y: Float64Array = new Float64Array(0);
  return {
    setup(size) {
      x = linspace(size);
    },
    step() {
      const cube = map(x, (v) => v ** 3);
      const term3 = map(cube, (v) => 0.25 * v);
      const square = map(x, (v) => v ** 2);
      const term2 = map(square, (v) => 0.75 * v);
      const term1 = map(x, (v) => 1.5 * v);
      const sum = zip(term3, term2, (a, b) => a + b);
      const diff = zip(sum, term1, (a, b) => a - b);
      y = map(diff, (v) => v - 2);
    },
    checksum: () => sumGrid(y),
  };
}
