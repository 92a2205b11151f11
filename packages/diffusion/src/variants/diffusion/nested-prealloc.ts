/**
 * nested-prealloc (Example 6-6): still `number[][]` with `%` wrap, but the output grid is allocated
 * once and swapped with the input after each step. Removes the per-step allocation of N rows and
 * the garbage collections it causes; the double indirection and the modulo remain.
 */
import { DIFFUSION_D, DIFFUSION_DT, initialGrid } from "../../grid";
import type { RunnableVariant } from "../../variant";
import { fromNested, nestedChecksum, toNested } from "./nested";

export function evolveInto(grid: number[][], out: number[][], n: number, dt: number, D = DIFFUSION_D): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const gridXX = grid[(i + 1) % n][j] + grid[(i - 1 + n) % n][j] - 2.0 * grid[i][j];
      const gridYY = grid[i][(j + 1) % n] + grid[i][(j - 1 + n) % n] - 2.0 * grid[i][j];
      out[i][j] = grid[i][j] + D * (gridXX + gridYY) * dt;
    }
  }
}

export function createNestedPrealloc(): RunnableVariant {
  let n = 0;
  let grid: number[][] = [];
  let next: number[][] = [];
  return {
    setup(size) {
      n = size;
      grid = toNested(initialGrid(n), n);
      next = toNested(new Float64Array(n * n), n);
    },
    step() {
      evolveInto(grid, next, n, DIFFUSION_DT);
      const swap = grid;
      grid = next;
      next = swap;
    },
    checksum: () => nestedChecksum(grid),
    grid: () => fromNested(grid, n),
  };
}
