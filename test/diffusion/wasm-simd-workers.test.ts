// wasm-simd-workers: the wasm-simd kernel on worker threads over a shared WebAssembly.Memory. Its
// grid must equal wasm-simd's bit for bit (bands start on even rows, so the kernel pairs rows as
// the single-threaded call does and every cell goes through the same instructions), for any
// thread count and for sizes that do not divide among the threads. The team under it must never
// hang or keep a process alive, also when a worker fails. (Its grid against the reference grid is
// checked with every variant's in variants.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { explainStudy, ladderPairs, readResultFile, type StudyCell } from "@tsprof/core";
import { WorkerTeam, findVariant, listVariants, loadDiffusionModule, type RunnableVariant, type WasmFlavor } from "@tsprof/diffusion";

const ROOT = path.join(__dirname, "..", "..");
const TEAM_WORKER = path.join(ROOT, "fixtures", "diffusion", "team-worker.cjs");

async function gridAfter(variant: RunnableVariant, n: number, steps: number): Promise<{ grid: Float64Array; checksum: number }> {
  await variant.setup(n);
  try {
    for (let s = 0; s < steps; s++) await variant.step();
    return { grid: variant.grid!(), checksum: variant.checksum!() };
  } finally {
    await variant.dispose?.();
  }
}

/** Where two grids first differ (exactly), or null when they are identical. */
function firstDifference(actual: Float64Array, expected: Float64Array): string | null {
  if (actual.length !== expected.length) return `${actual.length} cells, expected ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) return `cell ${i}: ${actual[i]} instead of ${expected[i]}`;
  }
  return null;
}

async function assertSameAsWasmSimd(n: number, steps: number, threads: number, wasmFlavor: WasmFlavor = "relaxed"): Promise<void> {
  const single = await gridAfter(findVariant("diffusion", "wasm-simd")!.create({ wasmFlavor }), n, steps);
  const threaded = await gridAfter(findVariant("diffusion", "wasm-simd-workers")!.create({ threads, wasmFlavor }), n, steps);
  const where = `${wasmFlavor} threads=${threads} N=${n} steps=${steps}`;
  assert.equal(firstDifference(threaded.grid, single.grid), null, where);
  assert.ok(Object.is(threaded.checksum, single.checksum), `${where}: checksum ${threaded.checksum} vs ${single.checksum}`);
}

test("wasm-simd-workers is listed right after wasm-simd, available, and explained against it", () => {
  const variants = listVariants("diffusion");
  const names = variants.map((v) => v.name);
  assert.equal(names.indexOf("wasm-simd-workers"), names.indexOf("wasm-simd") + 1);
  const info = variants.find((v) => v.name === "wasm-simd-workers")!;
  assert.equal(info.unavailable, undefined, "the build produced the shared-memory kernel");
  assert.equal(info.against, "wasm-simd");
  assert.ok(ladderPairs(variants).some((p) => p.variant === "wasm-simd-workers" && p.against === "wasm-simd"));
});

test("explained against wasm-simd by cores busy when the second core does the work", () => {
  // The recorded study (fixtures/diffusion), its wasm-simd cell at 512² given a core of its own
  // (CPU time = wall time), and a wasm-simd-workers cell constructed from it: the same CPU time on
  // 1.9 cores, so 1.9x less wall time; every other reading the same.
  const study = readResultFile(path.join(ROOT, "fixtures", "diffusion", "study-causes-256-512.json"), "study");
  const info = listVariants("diffusion").find((v) => v.name === "wasm-simd-workers")!;
  const recorded = study.results.find((c) => c.variant === "wasm-simd" && c.size === 512)!;
  const cpuSeconds = recorded.cpuSeconds!;
  const single: StudyCell = { ...recorded, seconds: cpuSeconds, coresUsed: 1 };
  const threaded: StudyCell = { ...recorded, variant: info.name, seconds: cpuSeconds / 1.9, cpuSeconds, coresUsed: 1.9 };
  const results = [...study.results.filter((c) => c !== recorded), single, threaded];
  const explained = explainStudy({ ...study, variants: [...study.variants, info], results });
  const pair = explained.find((e) => e.variant === "wasm-simd-workers" && e.size === 512)!;
  assert.equal(pair.against, "wasm-simd");
  assert.equal(pair.causes[0]?.metric, "coresUsed", pair.summary);
  assert.match(pair.summary, /^wasm-simd-workers is [\d.]+× faster than wasm-simd at 512²: [\d.]+× more cores busy/);
});

test("the shared-memory build is chosen like the private one (same SIMD flavour, so the same arithmetic)", () => {
  assert.equal(loadDiffusionModule("relaxed", "shared").flavor, loadDiffusionModule("relaxed").flavor);
  assert.equal(loadDiffusionModule("plain", "shared").flavor, "plain");
});

// Each setup starts worker threads (about 1 s each under the test loader on a loaded machine), so
// the sizes are spread over the thread counts rather than crossed with them.
const EXACT_CASES: Array<{ flavor: WasmFlavor; threads: number; sizes: number[] }> = [
  // Odd and even N, N around the kernel's 4-column vector width, row-pair counts that do not
  // divide among the threads (or the bands), fewer row pairs than threads.
  { flavor: "relaxed", threads: 2, sizes: [3, 5, 13, 34] },
  { flavor: "relaxed", threads: 3, sizes: [2, 10, 31] },
  { flavor: "relaxed", threads: 4, sizes: [7] },
  { flavor: "plain", threads: 2, sizes: [7, 31] },
  { flavor: "plain", threads: 3, sizes: [13] },
];

test("wasm-simd-workers equals wasm-simd exactly for 2, 3 and 4 threads, N not divisible among them, both SIMD builds", async () => {
  for (const { flavor, threads, sizes } of EXACT_CASES) {
    for (const n of sizes) await assertSameAsWasmSimd(n, 5, threads, flavor);
  }
});

test("wasm-simd-workers stays exact over many short steps and on a grid where every band has SIMD work", async () => {
  // 400 steps of a tiny grid: a late worker must never claim (or read the wrong parity of) a later step.
  for (const threads of [2, 3]) await assertSameAsWasmSimd(12, 400, threads);
  // 258 rows = 129 row pairs over 16 bands; an even step count ends on the first grid.
  await assertSameAsWasmSimd(258, 20, 2);
  await assertSameAsWasmSimd(67, 101, 2);
});

test("team: a worker whose chunk throws ends the step; runGeneration throws its message; the team terminates", async () => {
  const cells = new SharedArrayBuffer(4 * 4);
  // The main thread only coordinates here, so the failing worker's unclaimed chunks must be
  // released by the worker itself or the step would never end.
  const team = await WorkerTeam.start(TEAM_WORKER, [{ cells, failAt: 3 }], 4);
  try {
    team.runGeneration();
    team.runGeneration();
    assert.deepEqual(Array.from(new Int32Array(cells)), [2, 2, 2, 2]);
    assert.throws(() => team.runGeneration(), /^Error: worker thread 1 failed in step 3: Error: chunk 0 failed on purpose$/);
  } finally {
    await team.terminate();
  }
  // With the main thread working too and a second, healthy worker: the step still ends and throws.
  const eight = new SharedArrayBuffer(8 * 4);
  const mixed = await WorkerTeam.start(TEAM_WORKER, [{ cells: eight, failAt: 1 }, { cells: eight }], 8);
  try {
    assert.throws(
      () => {
        // Slow main-thread chunks leave the workers time to claim some (the failing one fails in
        // any step it takes part in).
        for (let tries = 0; tries < 200; tries++) {
          mixed.runGeneration(() => {
            const until = Date.now() + 5;
            while (Date.now() < until);
          });
        }
      },
      /^Error: worker thread 1 failed in step \d+: Error: chunk \d failed on purpose$/,
    );
  } finally {
    await mixed.terminate();
  }
});

test("team: a worker that fails before it is ready rejects start, and no worker is left", async () => {
  const cells = new SharedArrayBuffer(16);
  await assert.rejects(WorkerTeam.start(TEAM_WORKER, [{ cells }, { cells, failAt: "start" }], 2), /worker failed before it was ready/);
});

/** Runs a CommonJS snippet in a fresh node with a time limit: it must exit on its own. */
function runAlone(source: string): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["-e", source], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

test("a process exits when its wasm-simd-workers were never disposed, and when a worker failed", () => {
  const undisposed = runAlone(`
    const { findVariant } = require("@tsprof/diffusion");
    (async () => {
      const variant = findVariant("diffusion", "wasm-simd-workers").create({ threads: 3 });
      await variant.setup(64);
      for (let s = 0; s < 10; s++) variant.step();
      console.log("stepped", variant.checksum() > 0);
    })();`);
  assert.equal(undisposed.signal, null, "it exited on its own (not killed at the time limit)");
  assert.equal(undisposed.status, 0, undisposed.stderr);
  assert.equal(undisposed.stdout.trim(), "stepped true");

  const failed = runAlone(`
    const { WorkerTeam } = require("@tsprof/diffusion");
    (async () => {
      const team = await WorkerTeam.start(${JSON.stringify(TEAM_WORKER)}, [{ cells: new SharedArrayBuffer(16), failAt: 1 }], 4);
      team.runGeneration();
    })();`);
  assert.equal(failed.signal, null, "it exited on its own (not killed at the time limit)");
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /worker thread 1 failed in step 1: Error: chunk 0 failed on purpose/);
});
