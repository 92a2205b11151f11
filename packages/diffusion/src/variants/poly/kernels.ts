/**
 * The `poly` workload (seed 000, exercises 1-5): y = .25x^3 + .75x^2 - 1.5x - 2 over `size`
 * points x in [-1, 1], in naive-power and Horner forms, and y = sin(x)^2 + cos(x)^2 (transcendental,
 * compute-bound). One study step evaluates the expression over all points; the checksum is sum(y).
 */

/** x_i = -1 + 2 i / (size - 1), like numpy.linspace(-1, 1, size). */
export function linspace(size: number): Float64Array {
  const x = new Float64Array(size);
  const stepWidth = size > 1 ? 2 / (size - 1) : 0;
  for (let i = 0; i < size; i++) x[i] = -1 + i * stepWidth;
  return x;
}

/** Naive powers, one pass: `x ** 3` and `x ** 2` are Math.pow calls. */
export function polyNaive(x: Float64Array, y: Float64Array, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const v = x[i];
    y[i] = 0.25 * v ** 3 + 0.75 * v ** 2 - 1.5 * v - 2;
  }
}

/** Horner form, one pass: three multiplies and three adds, no pow. */
export function polyHorner(x: Float64Array, y: Float64Array, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const v = x[i];
    y[i] = ((0.25 * v + 0.75) * v - 1.5) * v - 2;
  }
}

/** sin(x)^2 + cos(x)^2: two transcendental calls per point, so compute-bound. */
export function sinCos(x: Float64Array, y: Float64Array, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const s = Math.sin(x[i]);
    const c = Math.cos(x[i]);
    y[i] = s * s + c * c;
  }
}

export const POLY_KERNELS = { naive: polyNaive, horner: polyHorner, sincos: sinCos } as const;
export type PolyKernel = keyof typeof POLY_KERNELS;
