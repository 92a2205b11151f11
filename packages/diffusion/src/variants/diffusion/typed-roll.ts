/**
 * typed-roll (Example 6-9, the first numpy version): one contiguous Float64Array, and the laplacian
 * written as whole-array operations, `roll(+1,0) + roll(-1,0) + roll(+1,1) + roll(-1,1) - 4 grid`,
 * where every roll and every arithmetic operation allocates a fresh array like numpy does. Faster
 * than the nested lists because the data is contiguous unboxed doubles and each pass is a simple
 * loop with no modulo; slower than it could be because of ~10 full-grid temporaries per step.
 */
import { DIFFUSION_D, DIFFUSION_DT, initialGrid, sumGrid } from "../../grid";
import type { RunnableVariant } from "../../variant";

/** np.roll for a 2D row-major grid and shift +1/-1: a new array with elements moved along `axis`. */
export function roll(grid: Float64Array, n: number, shift: 1 | -1, axis: 0 | 1): Float64Array {
  const out = new Float64Array(n * n);
  rollInto(grid, n, shift, axis, out);
  return out;
}

/** roll into a caller-supplied array (no allocation). out[i][j] = grid[i - shift][j] (axis 0). */
export function rollInto(grid: Float64Array, n: number, shift: 1 | -1, axis: 0 | 1, out: Float64Array): void {
  if (axis === 0) {
    // Whole rows move: two block copies (two small views, no grid-sized allocation).
    if (shift === 1) {
      out.set(grid.subarray(0, (n - 1) * n), n);
      out.set(grid.subarray((n - 1) * n), 0);
    } else {
      out.set(grid.subarray(n), 0);
      out.set(grid.subarray(0, n), (n - 1) * n);
    }
    return;
  }
  // Within each row: a plain loop (a subarray view per row would allocate n small objects).
  for (let i = 0; i < n; i++) {
    const row = i * n;
    if (shift === 1) {
      out[row] = grid[row + n - 1];
      for (let j = 1; j < n; j++) out[row + j] = grid[row + j - 1];
    } else {
      for (let j = 0; j < n - 1; j++) out[row + j] = grid[row + j + 1];
      out[row + n - 1] = grid[row];
    }
  }
}

export function add(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let k = 0; k < a.length; k++) out[k] = a[k] + b[k];
  return out;
}

export function scale(a: Float64Array, s: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let k = 0; k < a.length; k++) out[k] = a[k] * s;
  return out;
}

export function laplacian(grid: Float64Array, n: number): Float64Array {
  const rolled = add(add(add(roll(grid, n, 1, 0), roll(grid, n, -1, 0)), roll(grid, n, 1, 1)), roll(grid, n, -1, 1));
  return add(rolled, scale(grid, -4));
}

export function evolve(grid: Float64Array, n: number, dt: number, D = DIFFUSION_D): Float64Array {
  return add(grid, scale(laplacian(grid, n), dt * D));
}

export function createTypedRoll(): RunnableVariant {
  let n = 0;
  let grid: Float64Array = new Float64Array(0);
  return {
    setup(size) {
      n = size;
      grid = initialGrid(n);
    },
    step() {
      grid = evolve(grid, n, DIFFUSION_DT);
    },
    checksum: () => sumGrid(grid),
    grid: () => grid.slice(),
  };
}
