/**
 * naive / horner / sincos: one pass over the points with the whole expression per point (numexpr's
 * idea): no temporaries, x read once and y written once. `horner` also replaces the two Math.pow
 * calls of `naive` by three multiply-adds, the seed's point that the Horner form is cheaper;
 * `sincos` is the transcendental, compute-bound case.
 */
import { sumGrid } from "../../grid";
import type { RunnableVariant } from "../../variant";
import { POLY_KERNELS, type PolyKernel, linspace } from "./kernels";

export function createSinglePass(kernel: PolyKernel): () => RunnableVariant {
  return () => {
    const evaluate = POLY_KERNELS[kernel];
    let x: Float64Array = new Float64Array(0);
    let y: Float64Array = new Float64Array(0);
    return {
      setup(size) {
        x = linspace(size);
        y = new Float64Array(size);
      },
      step() {
        evaluate(x, y, 0, x.length);
      },
      checksum: () => sumGrid(y),
    };
  };
}
