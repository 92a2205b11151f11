/**
 * naive-arrays (the seed's numpy baseline): `.25*x**3 + .75*x**2 - 1.5*x - 2` evaluated one array
 * operation at a time, each allocating a full temporary like numpy does (x**3, .25*_, x**2, ...).
 * Eight passes over memory and eight 80 MB temporaries per evaluation at 10M points: memory-bound
 * and allocation-bound, which is what the one-pass variants remove.
 */
import { sumGrid } from "../../grid";
import type { RunnableVariant } from "../../variant";
import { linspace } from "./kernels";

// One small function per array operation, as numpy has one ufunc per operator.
function power(a: Float64Array, exponent: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ** exponent;
  return out;
}

function scale(a: Float64Array, s: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * s;
  return out;
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

function subtract(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

function subtractScalar(a: Float64Array, s: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - s;
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
      // .25*x**3 + .75*x**2 - 1.5*x - 2, left to right like numpy evaluates it.
      y = subtractScalar(subtract(add(scale(power(x, 3), 0.25), scale(power(x, 2), 0.75)), scale(x, 1.5)), 2);
    },
    checksum: () => sumGrid(y),
  };
}
