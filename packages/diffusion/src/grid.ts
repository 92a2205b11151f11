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

/**
 * Bytes between the end of the first grid and the start of the second in `allocateGridPair` (and in
 * wasm-simd's memory): 2 KiB + 64, so the same cell of both grids never shares address bits 0-11.
 * The CPU matches loads against earlier stores on those bits only ("4K aliasing"): with
 * power-of-two grids at the same page offset, every store to the output would hold up the next
 * loads from the input. Measured here: 7-10% for the fused TypeScript kernel, 30% for the wasm
 * kernel at 2048 x 2048.
 */
export const ALIAS_SHIFT = 2048 + 64;

/** Two n x n grids in one buffer (shared for worker threads), the second shifted by ALIAS_SHIFT. */
export function allocateGridPair(n: number, shared = false): { a: Float64Array; b: Float64Array; buffer: ArrayBuffer | SharedArrayBuffer } {
  const bytes = n * n * 8;
  const buffer = shared ? new SharedArrayBuffer(2 * bytes + ALIAS_SHIFT) : new ArrayBuffer(2 * bytes + ALIAS_SHIFT);
  return { a: new Float64Array(buffer, 0, n * n), b: new Float64Array(buffer, bytes + ALIAS_SHIFT, n * n), buffer };
}
