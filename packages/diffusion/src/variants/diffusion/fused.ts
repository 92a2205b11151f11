/**
 * fused (numexpr's idea): instead of whole-array passes with temporaries, one loop computes the
 * whole stencil per cell (see fused-kernel.ts). Each step reads the grid once and writes it once,
 * so memory traffic drops from ~7 passes (typed-roll-add) to ~1, there are no temporaries, and the
 * wrap is handled outside the inner loop.
 */
import { DIFFUSION_D, DIFFUSION_DT, allocateGridPair, initialGrid, sumGrid } from "../../grid";
import type { RunnableVariant } from "../../variant";
import { fusedRows } from "./fused-kernel";

export function createFused(): RunnableVariant {
  let n = 0;
  let grid: Float64Array = new Float64Array(0);
  let next: Float64Array = new Float64Array(0);
  const k = DIFFUSION_D * DIFFUSION_DT;
  return {
    setup(size) {
      n = size;
      // Both grids in one buffer, offset against 4K aliasing (see allocateGridPair).
      const pair = allocateGridPair(n);
      grid = pair.a;
      next = pair.b;
      grid.set(initialGrid(n));
    },
    step() {
      fusedRows(grid, next, n, 0, n, k);
      const swap = grid;
      grid = next;
      next = swap;
    },
    checksum: () => sumGrid(grid),
    grid: () => grid.slice(),
  };
}
