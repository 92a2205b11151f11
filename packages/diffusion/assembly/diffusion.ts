// wasm-simd kernel, in AssemblyScript; compiled by `asc` in packages/diffusion's build script
// (scripts/build-native.js) to dist/native/diffusion.wasm.
//
// The fused stencil dst = src + k * (up + down + left + right - 4 src) on a row-major n x n grid
// in the module's (imported) linear memory, rows [rowStart, rowEnd). Why it is shaped like this
// (each step measured with V8 on this machine):
// - 128-bit SIMD: two cells per f64x2 instruction; the left/right neighbours are unaligned v128
//   loads at -8/+8 bytes, shared between adjacent vectors.
// - Two rows per pass: rows i and i+1 are each other's up/down neighbour, so their loads are
//   reused (8 cells from 14 loads instead of 18) and each source row streams through L1 once per
//   pair; about 10% faster than one row at a time at 1024 x 1024.
// - Two builds from this one source: diffusion-relaxed.wasm (relaxed SIMD: each `c + k (s - 4c)`
//   is two fused multiply-adds, ~15% faster, used when the engine accepts relaxed SIMD) and
//   diffusion.wasm (plain SIMD: multiply then add), the fallback.
// - Pointer bumping instead of recomputed addresses, no bounds checks (wasm accesses are guarded
//   by the engine's address-space reservation), and the periodic wrap handled once per row pair
//   (choice of the up/down rows) and by peeling the first and last columns.

// @ts-ignore: decorator
@inline
function cell(centre: usize, up: usize, down: usize, left: usize, right: usize, k: f64): f64 {
  const c = load<f64>(centre);
  return c + k * (load<f64>(up) + load<f64>(down) + load<f64>(left) + load<f64>(right) - 4.0 * c);
}

/** a * b + c: one fused multiply-add (relaxed SIMD) in the relaxed build, multiply then add otherwise. */
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(f64x2.mul(a, b), c);
}

/** c + k * (s - 4 c), as k * (-4 * c + s) + c: two multiply-adds. */
// @ts-ignore: decorator
@inline
function vcell(c: v128, s: v128, kv: v128, minusFour: v128): v128 {
  return madd(kv, madd(minusFour, c, s), c);
}

/** Peeled first and last columns of row `row` (start address) with neighbour rows `up`/`down`. */
// @ts-ignore: decorator
@inline
function edges(row: usize, up: usize, down: usize, out: usize, lastOff: usize, k: f64): void {
  store<f64>(out, cell(row, up, down, row + lastOff, row + 8, k));
  store<f64>(out + lastOff, cell(row + lastOff, up + lastOff, down + lastOff, row + lastOff - 8, row, k));
}

/** One row (used for an odd row left over from the pairs). */
function stepRow(row: usize, up: usize, down: usize, out: usize, n: i32, k: f64): void {
  const lastOff = <usize>(n - 1) << 3;
  edges(row, up, down, out, lastOff, k);
  const kv = f64x2.splat(k);
  const minusFour = f64x2.splat(-4.0);
  let c = row + 8;
  let u = up + 8;
  let d = down + 8;
  let o = out + 8;
  const vectorEnd = c + ((<usize>(n - 2) >> 1) << 4);
  while (c < vectorEnd) {
    const s = f64x2.add(f64x2.add(v128.load(u), v128.load(d)), f64x2.add(v128.load(c - 8), v128.load(c, 8)));
    v128.store(o, vcell(v128.load(c), s, kv, minusFour));
    c += 16;
    u += 16;
    d += 16;
    o += 16;
  }
  const end = row + lastOff;
  while (c < end) {
    store<f64>(o, cell(c, u, d, c - 8, c + 8, k));
    c += 8;
    u += 8;
    d += 8;
    o += 8;
  }
}

/** Rows [rowStart, rowEnd) of one step from `src` to `dst` (byte addresses); n >= 2. */
export function stepRows(src: usize, dst: usize, n: i32, rowStart: i32, rowEnd: i32, k: f64): void {
  const last = n - 1;
  const rowBytes = <usize>n << 3;
  const lastOff = <usize>last << 3;
  const kv = f64x2.splat(k);
  const minusFour = f64x2.splat(-4.0);
  let i = rowStart;
  for (; i + 1 < rowEnd; i += 2) {
    const a = src + <usize>i * rowBytes; // row i
    const b = a + rowBytes; // row i+1
    const above = src + <usize>(i == 0 ? last : i - 1) * rowBytes;
    const below = src + <usize>(i + 1 == last ? 0 : i + 2) * rowBytes;
    const outA = dst + <usize>i * rowBytes;
    const outB = outA + rowBytes;
    edges(a, above, b, outA, lastOff, k);
    edges(b, a, below, outB, lastOff, k);
    // Columns 1 .. n-2: 4 columns x 2 rows per iteration, then a scalar tail.
    let p = a + 8;
    let up = above + 8;
    let dn = below + 8;
    let o = outA + 8;
    const vectorEnd = p + ((<usize>(n - 2) >> 2) << 5);
    while (p < vectorEnd) {
      const q = p + rowBytes;
      const a0 = v128.load(p);
      const a1 = v128.load(p, 16);
      const aMid = v128.load(p, 8);
      const b0 = v128.load(q);
      const b1 = v128.load(q, 16);
      const bMid = v128.load(q, 8);
      const sa0 = f64x2.add(f64x2.add(v128.load(up), b0), f64x2.add(v128.load(p - 8), aMid));
      const sa1 = f64x2.add(f64x2.add(v128.load(up, 16), b1), f64x2.add(aMid, v128.load(p, 24)));
      const sb0 = f64x2.add(f64x2.add(a0, v128.load(dn)), f64x2.add(v128.load(q - 8), bMid));
      const sb1 = f64x2.add(f64x2.add(a1, v128.load(dn, 16)), f64x2.add(bMid, v128.load(q, 24)));
      v128.store(o, vcell(a0, sa0, kv, minusFour));
      v128.store(o, vcell(a1, sa1, kv, minusFour), 16);
      const oB = o + rowBytes;
      v128.store(oB, vcell(b0, sb0, kv, minusFour));
      v128.store(oB, vcell(b1, sb1, kv, minusFour), 16);
      p += 32;
      up += 32;
      dn += 32;
      o += 32;
    }
    const end = a + lastOff;
    while (p < end) {
      const q = p + rowBytes;
      store<f64>(o, cell(p, up, q, p - 8, p + 8, k));
      store<f64>(o + rowBytes, cell(q, p, dn, q - 8, q + 8, k));
      p += 8;
      up += 8;
      dn += 8;
      o += 8;
    }
  }
  if (i < rowEnd) {
    const row = src + <usize>i * rowBytes;
    const up = src + <usize>(i == 0 ? last : i - 1) * rowBytes;
    const down = src + <usize>(i == last ? 0 : i + 1) * rowBytes;
    stepRow(row, up, down, dst + <usize>i * rowBytes, n, k);
  }
}

/** Sum of `cells` doubles at `grid` (the study checksum, without copying the grid out). */
export function sum(grid: usize, cells: i32): f64 {
  let total = 0.0;
  for (let c = 0; c < cells; c++) total += load<f64>(grid + (<usize>c << 3));
  return total;
}
