// The study runner end to end on tiny grids: one child per cell, events, speedups, checksums,
// scaling, custom modules (TS and CJS, source order), failures and abort. Never checks timings.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { UsageError, type StudyEvent } from "@tsprof/core";
import { exportOrder, referenceGrid, runStudy, scaledSeconds, sumGrid } from "@tsprof/diffusion";

const fixture = (name: string) => path.join(__dirname, "..", "..", "fixtures", "diffusion", name);

test("diffusion study: a cell per variant and size, events in order, equal checksums, speedups vs the first", async () => {
  const events: StudyEvent[] = [];
  const variants = ["nested", "fused", "fused-workers", "wasm-simd", "c-reference"];
  const result = await runStudy({ workload: "diffusion", variants, sizes: [12, 17], iterations: 6, cellBudgetSeconds: 0, command: ["test"], slowCauses: "none" }, (e) => events.push(e));
  assert.equal(result.kind, "study");
  assert.deepEqual(result.command, ["test"]);
  assert.equal(result.baseline, "nested");
  assert.deepEqual(result.variants.map((v) => v.name), variants);
  assert.equal(result.results.length, 10);
  for (const cell of result.results) {
    assert.equal(cell.error, undefined, `${cell.variant}@${cell.size}: ${cell.error}`);
    assert.equal(cell.iterations, 6);
    assert.equal(cell.measuredIterations, 6);
    assert.equal(cell.scaled, false);
    assert.ok(cell.seconds! > 0);
    assert.ok(cell.peakRssMiB! > 0, `${cell.variant} peak RSS`);
    const expected = sumGrid(referenceGrid(cell.size, 6));
    assert.ok(Math.abs(cell.checksum! - expected) <= 1e-12, `${cell.variant}@${cell.size} checksum ${cell.checksum} vs ${expected}`);
    const base = result.results.find((c) => c.variant === "nested" && c.size === cell.size)!;
    assert.ok(Math.abs(cell.speedup! - base.seconds! / cell.seconds!) < 1e-12);
    if (cell.variant === "c-reference") {
      assert.equal(cell.gcCount, null);
      assert.equal(cell.peakHeapMiB, null);
      // The binary reports its steps' CPU time and page faults (getrusage), as the Node cells do.
      assert.ok(typeof cell.cpuSeconds === "number" && cell.cpuSeconds >= 0, `c-reference CPU ${cell.cpuSeconds}`);
      assert.ok(typeof cell.coresUsed === "number" && typeof cell.minorFaults === "number" && typeof cell.majorFaults === "number");
    } else {
      assert.ok(Number.isInteger(cell.gcCount) && cell.peakHeapMiB! > 0);
    }
  }
  assert.equal(result.results.find((c) => c.variant === "nested")!.speedup, 1);
  // Sizes outer, variants inner, each cell-start followed (after progress) by its cell-done.
  const lifecycle = events.filter((e) => e.type !== "cell-progress");
  assert.equal(lifecycle.length, 21);
  for (let i = 0; i < 10; i++) {
    const start = lifecycle[2 * i];
    const done = lifecycle[2 * i + 1];
    assert.ok(start.type === "cell-start" && done.type === "cell-done");
    assert.equal(start.variant, variants[i % 5]);
    assert.equal(start.size, i < 5 ? 12 : 17);
    assert.equal(start.index, i);
    assert.equal(start.total, 10);
    assert.equal(done.cell.variant, start.variant);
  }
  assert.equal(lifecycle[20].type, "done");
  assert.ok(result.machine && result.machine.cores >= 1);
});

test("peak RSS is the cell's own, not inherited from a big parent process", async () => {
  // On Linux getrusage's maxRSS survives exec: a child of this (now > 300 MiB) process would
  // report at least 300 MiB if the runner used it.
  const ballast = Buffer.alloc(300 * 1024 * 1024, 1);
  const result = await runStudy({ workload: "diffusion", variants: ["fused", "c-reference"], sizes: [16], iterations: 3, cellBudgetSeconds: 0, slowCauses: "none" });
  assert.ok(ballast[ballast.length - 1] === 1);
  for (const cell of result.results) assert.ok(cell.peakRssMiB! > 0 && cell.peakRssMiB! < 200, `${cell.variant}: ${cell.peakRssMiB} MiB`);
});

test("a slow cell is stopped at the budget, marked scaled, and its time extrapolated", async () => {
  const result = await runStudy({ workload: "diffusion", variants: ["nested", "c-reference"], sizes: [96], iterations: 100000, cellBudgetSeconds: 0.05, slowCauses: "none" });
  for (const cell of result.results) {
    assert.equal(cell.scaled, true, cell.variant);
    assert.ok(cell.measuredIterations >= 1 && cell.measuredIterations < 100000, `${cell.variant}: ${cell.measuredIterations}`);
    assert.equal(cell.iterations, 100000);
    // At least the measured budget, and more than it: the remaining iterations are added.
    assert.ok(cell.seconds! > 0.05, `${cell.variant}: ${cell.seconds}`);
    assert.ok(cell.seconds! > 0.05 * (100000 / cell.measuredIterations) * 0.2, `${cell.variant}: ${cell.seconds} from ${cell.measuredIterations}`);
  }
  // The Node cell runs for over 100 ms (start-up and the budget): the cores left idle meanwhile are recorded.
  const nested = result.results.find((c) => c.variant === "nested")!;
  assert.ok(typeof nested.coresIdle === "number" && nested.coresIdle >= 0 && nested.coresIdle <= os.cpus().length + 0.1, `cores idle ${nested.coresIdle}`);
});

test("scaling uses the steady rate of the budget's second half, not the cold start", () => {
  // 10 steps in 1 s, of which the last 5 took 0.1 s (the first ones were warming up): 0.02 s/step.
  const timing = { done: 10, elapsedMs: 1000, peakHeap: 0, halfDone: 5, halfElapsedMs: 900 };
  assert.ok(Math.abs(scaledSeconds(100, timing) - (1 + 90 * 0.02)) < 1e-12);
  // Without a second-half sample, the plain average.
  assert.ok(Math.abs(scaledSeconds(100, { ...timing, halfDone: 0, halfElapsedMs: 0 }) - 10) < 1e-12);
  assert.ok(Math.abs(scaledSeconds(100, { ...timing, halfDone: 10, halfElapsedMs: 1000 }) - 10) < 1e-12);
});

test("custom TypeScript module: variants in source order, non-variants skipped, first is the baseline", async () => {
  const result = await runStudy({ workload: "custom", customModule: fixture("custom-order.ts"), sizes: [10, 20], iterations: 5, cellBudgetSeconds: 0, slowCauses: "none" });
  assert.deepEqual(result.variants.map((v) => v.name), ["zeta", "alpha"]);
  assert.equal(result.baseline, "zeta");
  const checksum = (variant: string, size: number) => result.results.find((c) => c.variant === variant && c.size === size)!.checksum;
  assert.equal(checksum("zeta", 10), 15);
  assert.equal(checksum("alpha", 10), 20);
  assert.equal(checksum("alpha", 20), 30);
});

test("custom CommonJS module: source order from module.exports, missing checksum is null", async () => {
  const result = await runStudy({ workload: "custom", customModule: fixture("custom-cjs.cjs"), sizes: [3], iterations: 2, cellBudgetSeconds: 0, slowCauses: "none" });
  assert.deepEqual(result.variants.map((v) => v.name), ["second", "first"]);
  assert.equal(result.results[0].checksum, 5);
  assert.equal(result.results[1].checksum, null);
  assert.ok(result.results[1].seconds! > 0);
});

test("a variant that throws fails its cell only; the error is kept", async () => {
  const result = await runStudy({ workload: "custom", customModule: fixture("custom-broken.ts"), sizes: [4, 5], iterations: 3, cellBudgetSeconds: 0, slowCauses: "none" });
  const failed = result.results.filter((c) => c.variant === "throws");
  assert.equal(failed.length, 2);
  for (const cell of failed) {
    assert.equal(cell.seconds, null);
    assert.equal(cell.speedup, null);
    assert.match(cell.error!, /boom in step/);
  }
  assert.ok(result.results.filter((c) => c.variant === "works").every((c) => c.seconds! > 0));
});

test("bad input is a UsageError, a module that cannot load too (exit 2, like every command's bad input)", async () => {
  await assert.rejects(runStudy({ workload: "diffusion", variants: ["nope"], sizes: [8], iterations: 1 }), (e) => e instanceof UsageError && /unknown variant 'nope'/.test(e.message));
  await assert.rejects(runStudy({ workload: "diffusion", sizes: [1], iterations: 1 }), UsageError);
  await assert.rejects(runStudy({ workload: "diffusion", sizes: [8], iterations: 0 }), UsageError);
  await assert.rejects(runStudy({ workload: "custom", sizes: [8], iterations: 1 }), UsageError);
  await assert.rejects(runStudy({ workload: "custom", customModule: fixture("no-such-file.ts"), sizes: [8], iterations: 1 }), (e) => e instanceof UsageError && /no such file/.test(e.message));
  await assert.rejects(
    runStudy({ workload: "custom", customModule: fixture("custom-throws-on-load.ts"), sizes: [8], iterations: 1 }),
    (e) => e instanceof UsageError && /cannot load this module/.test(e.message),
  );
});

test("aborting kills the running cell and resolves with the finished cells", async () => {
  const controller = new AbortController();
  const result = await runStudy(
    { workload: "diffusion", variants: ["fused", "nested"], sizes: [16, 600], iterations: 100000, cellBudgetSeconds: 30, signal: controller.signal },
    (e) => {
      if (e.type === "cell-progress" && e.size === 600) controller.abort();
    },
  );
  assert.equal(result.aborted, true);
  assert.ok(result.results.length < 4);
  assert.ok(result.results.every((c) => c.size === 16 || c.seconds !== null));
});

test("exportOrder reads declarations, export lists and CommonJS assignments in order", () => {
  assert.deepEqual(exportOrder("export const b = 1, a = 2;\nexport function c() {}\nconst d = 1, e = 2;\nexport { e as x, d };"), ["b", "a", "c", "x", "d"]);
  assert.deepEqual(exportOrder("exports.z = 1; module.exports.y = 2;", "m.js"), ["z", "y"]);
  assert.deepEqual(exportOrder("module.exports = { q: 1, p: 2 };", "m.cjs"), ["q", "p"]);
});
