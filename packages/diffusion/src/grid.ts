/**
 * The diffusion problem every variant solves (the chapter's Examples 6-3/6-4): an N x N grid with
 * periodic boundaries, D = 1, dt = 0.1, and an initial block of 0.005 on rows and columns
 * [floor(0.4 N), floor(0.5 N)). Grids are row-major Float64Arrays of length N*N.
 */

export const DIFFUSION_D = 1;
export const DIFFUSION_DT = 0.1;
export const BLOCK_VALUE = 0.005;

/** Rows/columns [low, high) of the initial block, as the chapter's `int(grid_shape[0] * .4)`. */
export function blockRange(n: number): { low: number; high: number } {
  return { low: Math.trunc(n * 0.4), high: Math.trunc(n * 0.5) };
}

/** The initial condition as a row-major grid. */
export function initialGrid(n: number): Float64Array {
  const grid = new Float64Array(n * n);
  const { low, high } = blockRange(n);
  for (let i = low; i < high; i++) {
    for (let j = low; j < high; j++) grid[i * n + j] = BLOCK_VALUE;
  }
  return grid;
}

/** Sum of all cells: the study's checksum (diffusion conserves it, up to rounding). */
export function sumGrid(grid: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < grid.length; i++) sum += grid[i];
  return sum;
}

/**
 * The reference: one explicit Euler step written for clarity, not speed, used by the tests to check
 * every variant. u' = u + D dt (u[i+1][j] + u[i-1][j] + u[i][j+1] + u[i][j-1] - 4 u[i][j]).
 */
export function referenceStep(src: Float64Array, n: number): Float64Array {
  const dst = new Float64Array(n * n);
  const wrap = (k: number) => ((k % n) + n) % n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const u = src[i * n + j];
      const laplacian =
        src[wrap(i + 1) * n + j] + src[wrap(i - 1) * n + j] + src[i * n + wrap(j + 1)] + src[i * n + wrap(j - 1)] - 4 * u;
      dst[i * n + j] = u + DIFFUSION_D * DIFFUSION_DT * laplacian;
    }
  }
  return dst;
}

/** The reference grid after `steps` steps from the initial condition. */
export function referenceGrid(n: number, steps: number): Float64Array {
  let grid = initialGrid(n);
  for (let s = 0; s < steps; s++) grid = referenceStep(grid, n);
  return grid;
}
