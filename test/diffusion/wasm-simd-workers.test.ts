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
import { WorkerTeam, listVariants, loadDiffusionModule, type WasmFlavor } from "@tsprof/diffusion";

const ROOT = path.join(__dirname, "..", "..");
const TEAM_WORKER = path.join(ROOT, "fixtures", "diffusion", "team-worker.cjs");
/** The diffusion package's build: its registry and team modules load without the study runner. */
const DIST = path.join(ROOT, "packages", "diffusion", "dist");

/**
 * Each case's grid from wasm-simd-workers against wasm-simd's, computed by a fixture script in a
 * plain node: under the test loader every worker thread loads the loader too (about a second
 * each on the loaded development VM), in a plain node a fraction of that.
 */
function compareThreaded(cases: Array<{ flavor: WasmFlavor; threads: number; n: number; steps: number }>): void {
  const run = spawnSync(process.execPath, [path.join(ROOT, "fixtures", "diffusion", "compare-threaded.cjs"), JSON.stringify(cases)], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  const results = JSON.parse(run.stdout) as Array<{ flavor: string; threads: number; n: number; steps: number; difference: string | null; checksums: [number, number] }>;
  assert.equal(results.length, cases.length);
  for (const r of results) {
    const where = `${r.flavor} threads=${r.threads} N=${r.n} steps=${r.steps}`;
    assert.equal(r.difference, null, where);
    assert.ok(Object.is(r.checksums[0], r.checksums[1]), `${where}: checksums ${r.checksums.join(" vs ")}`);
  }
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

test("wasm-simd-workers equals wasm-simd exactly for 2, 3 and 4 threads, N not divisible among them, both SIMD builds", () => {
  // Odd and even N, N around the kernel's 4-column vector width, row-pair counts that do not
  // divide among the threads (or the bands), fewer row pairs than threads. Each case starts its
  // workers (a third of a second on the loaded development VM): sizes are spread over the thread
  // counts rather than crossed with them.
  const spread: Array<[WasmFlavor, number, number[]]> = [
    ["relaxed", 2, [3, 5, 13, 34]],
    ["relaxed", 3, [2, 10, 31]],
    ["relaxed", 4, [7, 9]],
    ["plain", 2, [7, 31]],
    ["plain", 3, [13]],
    ["plain", 4, [10]],
  ];
  const cases = spread.flatMap(([flavor, threads, sizes]) => sizes.map((n) => ({ flavor, threads, n, steps: 5 })));
  compareThreaded(cases);
});

test("wasm-simd-workers stays exact over many short steps and on a grid where every band has SIMD work", () => {
  compareThreaded([
    // 400 steps of a tiny grid: a late worker must never claim (or read the wrong parity of) a later step.
    { flavor: "relaxed", threads: 2, n: 12, steps: 400 },
    { flavor: "relaxed", threads: 3, n: 12, steps: 400 },
    // 258 rows = 129 row pairs over 16 bands; an even step count ends on the first grid.
    { flavor: "relaxed", threads: 2, n: 258, steps: 20 },
    { flavor: "relaxed", threads: 2, n: 67, steps: 101 },
  ]);
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
    const { findVariant } = require(${JSON.stringify(path.join(DIST, "registry.js"))});
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
    const { WorkerTeam } = require(${JSON.stringify(path.join(DIST, "team.js"))});
    (async () => {
      const team = await WorkerTeam.start(${JSON.stringify(TEAM_WORKER)}, [{ cells: new SharedArrayBuffer(16), failAt: 1 }], 4);
      team.runGeneration();
    })();`);
  assert.equal(failed.signal, null, "it exited on its own (not killed at the time limit)");
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /worker thread 1 failed in step 1: Error: chunk 0 failed on purpose/);
});
