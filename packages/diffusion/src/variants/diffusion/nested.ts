/**
 * nested (Example 6-3): the grid is a `number[][]` and every step builds a brand-new grid, with the
 * periodic wrap done by `%` on every neighbour access. The baseline everything else is measured
 * against: each step allocates N arrays (GC pressure), every read is two dependent loads (row
 * pointer, then element), and the modulo sits in the innermost loop.
 */
import { DIFFUSION_D, DIFFUSION_DT, initialGrid } from "../../grid";
import type { RunnableVariant } from "../../variant";

export function toNested(flat: Float64Array, n: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(flat.subarray(i * n, (i + 1) * n)));
  return rows;
}

export function fromNested(rows: number[][], n: number): Float64Array {
  const flat = new Float64Array(n * n);
  for (let i = 0; i < n; i++) flat.set(rows[i], i * n);
  return flat;
}

export function nestedChecksum(rows: number[][]): number {
  let sum = 0;
  for (const row of rows) for (const v of row) sum += v;
  return sum;
}

export function evolve(grid: number[][], n: number, dt: number, D = DIFFUSION_D): number[][] {
  const next: number[][] = [];
  for (let i = 0; i < n; i++) next.push(new Array<number>(n).fill(0.0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const gridXX = grid[(i + 1) % n][j] + grid[(i - 1 + n) % n][j] - 2.0 * grid[i][j];
      const gridYY = grid[i][(j + 1) % n] + grid[i][(j - 1 + n) % n] - 2.0 * grid[i][j];
      next[i][j] = grid[i][j] + D * (gridXX + gridYY) * dt;
    }
  }
  return next;
}

export function createNested(): RunnableVariant {
  let n = 0;
  let grid: number[][] = [];
  return {
    setup(size) {
      n = size;
      grid = toNested(initialGrid(n), n);
    },
    step() {
      grid = evolve(grid, n, DIFFUSION_DT);
    },
    checksum: () => nestedChecksum(grid),
    grid: () => fromNested(grid, n),
  };
}
