// Every diffusion variant must produce the reference grid (to 1e-12) after k steps, for odd and even
// N, N not divisible by the worker count, and N around the wasm kernel's 4-cell vector width.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chunkCount, ensureCReference, findVariant, loadDiffusionModule, pairBandStart, initialGrid, referenceGrid, referenceStep, sumGrid, variantDefinitions, type RunnableVariant } from "@tsprof/diffusion";

const TOLERANCE = 1e-12;
const SIZES = [2, 3, 5, 6, 7, 8, 9, 10, 13, 16];
const STEPS = [1, 4, 7];

function maxDifference(a: Float64Array, b: Float64Array): number {
  assert.equal(a.length, b.length, "grid sizes differ");
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

async function gridAfter(variant: RunnableVariant, n: number, steps: number): Promise<{ grid: Float64Array; checksum: number }> {
  await variant.setup(n);
  try {
    for (let s = 0; s < steps; s++) await variant.step();
    return { grid: variant.grid!(), checksum: variant.checksum!() };
  } finally {
    await variant.dispose?.();
  }
}

test("reference: the initial block is rows/cols [trunc(0.4N), trunc(0.5N)) and a step conserves the sum", () => {
  const grid = initialGrid(10);
  assert.equal(grid[4 * 10 + 4], 0.005);
  assert.equal(sumGrid(grid), 0.005);
  const big = initialGrid(1024);
  assert.equal(big[409 * 1024 + 409], 0.005);
  assert.equal(big[408 * 1024 + 409], 0);
  assert.equal(big[511 * 1024 + 511], 0.005);
  assert.equal(big[512 * 1024 + 511], 0);
  // One step on a single hot cell spreads 0.1 of it to each of the four (wrapped) neighbours.
  const single = new Float64Array(9);
  single[0] = 1;
  const next = referenceStep(single, 3);
  assert.ok(Math.abs(next[0] - 0.6) < 1e-15);
  for (const neighbour of [1, 2, 3, 6]) assert.ok(Math.abs(next[neighbour] - 0.1) < 1e-15, `cell ${neighbour}`);
  assert.ok(Math.abs(sumGrid(next) - 1) < 1e-15);
});

const inProcess = variantDefinitions("diffusion").filter((d) => d.inProcess && !d.info.unavailable);

test("all in-process diffusion variants are listed and available (the build produced the wasm kernel)", () => {
  assert.deepEqual(
    inProcess.map((d) => d.info.name),
    ["nested", "nested-prealloc", "typed-roll", "typed-inplace", "typed-roll-add", "fused", "fused-workers", "wasm-simd", "wasm-simd-workers"],
  );
});

for (const definition of inProcess) {
  // Starting worker threads costs tens of milliseconds per setup: the threaded variant gets fewer
  // combinations here and their own thread-count tests (below; wasm-simd-workers.test.ts).
  const threaded = definition.info.name === "fused-workers" || definition.info.name === "wasm-simd-workers";
  test(`${definition.info.name} matches the reference grid`, async () => {
    for (const n of threaded ? [2, 7, 16] : SIZES) {
      for (const steps of threaded ? [1, 7] : STEPS) {
        const expected = referenceGrid(n, steps);
        const { grid, checksum } = await gridAfter(definition.create(), n, steps);
        const difference = maxDifference(grid, expected);
        assert.ok(difference <= TOLERANCE, `N=${n} steps=${steps}: max |difference| ${difference}`);
        assert.ok(Math.abs(checksum - sumGrid(expected)) <= TOLERANCE, `N=${n} steps=${steps}: checksum ${checksum}`);
      }
    }
  });
}

test("fused-workers matches the reference for 2, 3 and 4 threads, N not divisible by the thread count", async () => {
  const definition = findVariant("diffusion", "fused-workers")!;
  for (const threads of [2, 3, 4]) {
    for (const n of [5, 9, 10, 14]) {
      const expected = referenceGrid(n, 6);
      const { grid } = await gridAfter(definition.create({ threads }), n, 6);
      const difference = maxDifference(grid, expected);
      assert.ok(difference <= TOLERANCE, `threads=${threads} N=${n}: ${difference}`);
    }
  }
});

test("wasm-simd: both builds (relaxed-SIMD FMA and plain SIMD) match the reference grid", async () => {
  const definition = findVariant("diffusion", "wasm-simd")!;
  assert.equal(loadDiffusionModule("plain").flavor, "plain");
  // Node 20 accepts relaxed SIMD behind a flag the loader sets; if an engine refused it, the
  // variant would fall back to the plain build, which this test also covers.
  for (const wasmFlavor of ["relaxed", "plain"] as const) {
    for (const n of [2, 3, 6, 9, 10, 11, 31]) {
      for (const steps of [1, 5]) {
        const expected = referenceGrid(n, steps);
        const { grid } = await gridAfter(definition.create({ wasmFlavor }), n, steps);
        assert.ok(maxDifference(grid, expected) <= TOLERANCE, `${wasmFlavor} N=${n} steps=${steps}`);
      }
    }
  }
});

test("row-pair bands cover every row exactly once, in even-sized bands but for an odd last row", () => {
  for (let rows = 1; rows <= 41; rows++) {
    for (let threads = 1; threads <= 4; threads++) {
      const chunks = chunkCount(Math.ceil(rows / 2), threads);
      assert.ok(chunks >= 1 && chunks <= Math.ceil(rows / 2));
      assert.equal(pairBandStart(rows, chunks, 0), 0);
      assert.equal(pairBandStart(rows, chunks, chunks), rows);
      for (let c = 0; c < chunks; c++) {
        const size = pairBandStart(rows, chunks, c + 1) - pairBandStart(rows, chunks, c);
        assert.ok(size >= 1, `rows=${rows} chunks=${chunks} band ${c} is empty`);
        if (pairBandStart(rows, chunks, c + 1) < rows) assert.equal(size % 2, 0, `rows=${rows} band ${c} has ${size} rows`);
      }
    }
  }
});

test("fused-workers stays exact over many short steps (late workers never claim a later step's rows)", async () => {
  const definition = findVariant("diffusion", "fused-workers")!;
  for (const threads of [2, 3]) {
    const expected = referenceGrid(12, 400);
    const { grid } = await gridAfter(definition.create({ threads }), 12, 400);
    assert.ok(maxDifference(grid, expected) <= TOLERANCE, `threads=${threads}`);
  }
});

test("c-reference (gcc -O3 -march=native) matches the reference grid", (t) => {
  const binary = ensureCReference();
  if (!binary.path) {
    t.skip(`no C reference: ${binary.reason}`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  try {
    for (const n of [2, 3, 7, 8, 9, 13]) {
      for (const steps of [1, 6]) {
        const dump = path.join(dir, `grid-${n}-${steps}.bin`);
        const stdout = execFileSync(binary.path, [String(n), String(steps), "0", "--dump", dump], { encoding: "utf8" });
        const result = JSON.parse(/^result (.*)$/m.exec(stdout)![1]) as { measuredIterations: number; checksum: number };
        assert.equal(result.measuredIterations, steps);
        const bytes = fs.readFileSync(dump);
        const grid = new Float64Array(bytes.buffer, bytes.byteOffset, n * n);
        const expected = referenceGrid(n, steps);
        assert.ok(maxDifference(grid, expected) <= TOLERANCE, `N=${n} steps=${steps}`);
        assert.ok(Math.abs(result.checksum - sumGrid(expected)) <= TOLERANCE);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("c-reference rejects bad arguments with exit code 2", (t) => {
  const binary = ensureCReference();
  if (!binary.path) {
    t.skip(`no C reference: ${binary.reason}`);
    return;
  }
  assert.throws(() => execFileSync(binary.path!, ["1", "5", "0"], { stdio: "pipe" }), (error: { status?: number }) => error.status === 2);
});
