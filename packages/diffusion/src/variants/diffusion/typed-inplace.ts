/**
 * typed-inplace (Example 6-14): the same whole-array formulation as typed-roll, but every operation
 * works in place on arrays allocated once in setup (`out = grid; out *= -4; out += roll(...)`), and
 * each roll lands in a preallocated scratch array. No grid-sized allocation per step, so (after
 * warm-up) no GC and no page faults from fresh memory; still ~7 full passes over the grid per step.
 */
import { DIFFUSION_D, DIFFUSION_DT, initialGrid, sumGrid } from "../../grid";
import type { RunnableVariant } from "../../variant";
import { rollInto } from "./typed-roll";

export function addInPlace(out: Float64Array, a: Float64Array): void {
  for (let k = 0; k < out.length; k++) out[k] += a[k];
}

export function scaleInPlace(out: Float64Array, s: number): void {
  for (let k = 0; k < out.length; k++) out[k] *= s;
}

export function laplacianInto(grid: Float64Array, n: number, out: Float64Array, scratch: Float64Array): void {
  out.set(grid);
  scaleInPlace(out, -4);
  rollInto(grid, n, 1, 0, scratch);
  addInPlace(out, scratch);
  rollInto(grid, n, -1, 0, scratch);
  addInPlace(out, scratch);
  rollInto(grid, n, 1, 1, scratch);
  addInPlace(out, scratch);
  rollInto(grid, n, -1, 1, scratch);
  addInPlace(out, scratch);
}

export function evolveInto(grid: Float64Array, n: number, dt: number, out: Float64Array, scratch: Float64Array, D = DIFFUSION_D): void {
  laplacianInto(grid, n, out, scratch);
  scaleInPlace(out, D * dt);
  addInPlace(out, grid);
}

export function createTypedInplace(): RunnableVariant {
  let n = 0;
  let grid: Float64Array = new Float64Array(0);
  let next: Float64Array = new Float64Array(0);
  let scratch: Float64Array = new Float64Array(0);
  return {
    setup(size) {
      n = size;
      grid = initialGrid(n);
      next = new Float64Array(n * n);
      scratch = new Float64Array(n * n);
    },
    step() {
      evolveInto(grid, n, DIFFUSION_DT, next, scratch);
      const swap = grid;
      grid = next;
      next = swap;
    },
    checksum: () => sumGrid(grid),
    grid: () => grid.slice(),
  };
}
