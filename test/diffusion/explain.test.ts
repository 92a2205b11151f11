// Explanations: pure arithmetic on measured readings (explainPair), and the chapter's pairs checked
// against a real study recorded on the 2-core development VM (fixtures/diffusion/
// study-causes-256-512.json: `tsprof dashboard --headless --sizes 256,512`, 500 iterations, causes
// measured per cell, JIT log and callgrind counters over a window of steps once per variant at 256²).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { explainPair, explainStudy, ladderPairs, parseV8CodeLog, readResultFile, type StudyExplanation, type StudyResult } from "@tsprof/core";
import { allocatedBetween, perStepCounts } from "@tsprof/diffusion";

const FIXTURE = path.join(__dirname, "..", "..", "fixtures", "diffusion", "study-causes-256-512.json");
const recorded = () => readResultFile(FIXTURE, "study");

test("explainPair: the quantity whose ratio covers the time ratio comes first; the sentence is built from the numbers", () => {
  const e = explainPair(
    "b",
    "a",
    "at 256²",
    { before: 2.9, after: 1 },
    { instructions: { value: 412e6, simulated: "simulated" }, gcCount: { value: 139 }, allocatedBytes: { value: 8 * 2 ** 20 } },
    { instructions: { value: 142e6, simulated: "simulated" }, gcCount: { value: 0 }, allocatedBytes: { value: 7.5 * 2 ** 20 } },
  );
  // Both cover the whole ratio (share 1): the larger change first.
  assert.equal(e.summary, "b is 2.9× faster than a at 256²: GCs 139 → 0; 2.9× fewer instructions (412 M → 142 M, simulated)");
  assert.deepEqual(e.causes.map((c) => c.metric), ["gcCount", "instructions"]);
  assert.ok(e.causes[1].simulated && Math.abs(e.causes[1].ratio - 412 / 142) < 1e-9);
  // A slower variant gets its causes the same way; what moved against the time is named after "although".
  const slow = explainPair("s", "f", "", { before: 1, after: 3 }, { minorFaults: { value: 300 }, instructions: { value: 2e9 } }, { minorFaults: { value: 40_000 }, instructions: { value: 1e9 } });
  assert.equal(slow.summary, "s is 3.0× slower than f: minor page faults 300 → 40 k; although 2.0× fewer instructions (2 G → 1 G)");
  // Missing on one side: said so, never invented.
  const missing = explainPair("c", "js", "", { before: 2, after: 1 }, { gcCount: { value: 5 } }, { gcCount: { value: null, missing: "not measured for c (no garbage collector)" } });
  assert.deepEqual(missing.missing, ["GCs: not measured for c (no garbage collector)"]);
  assert.match(missing.summary, /Not compared: GCs: not measured for c \(no garbage collector\)$/);
});

test("explainPair: wall time is CPU time / cores busy: a second core covers the time ratio, not what changed while the CPU time did not", () => {
  // fused -> fused-workers on a machine with a free second core: 1.8x faster, the same CPU time on
  // 1.9 cores; a few deopts less (20 -> 3) is a larger change but acts on CPU time, which did not drop.
  const e = explainPair(
    "fused-workers",
    "fused",
    "at 512²",
    { before: 1.8, after: 1 },
    { coresUsed: { value: 1 }, deopts: { value: 20 }, gcCount: { value: 4 } },
    { coresUsed: { value: 1.9 }, deopts: { value: 3 }, gcCount: { value: 4 } },
  );
  assert.deepEqual(e.causes.map((c) => c.metric), ["coresUsed", "deopts"]);
  assert.equal(e.causes[0].share, 1);
  assert.equal(e.causes[1].share, 0, "the CPU time did not drop: nothing left for deopts to cover");
  assert.match(e.summary, /^fused-workers is 1\.8× faster than fused at 512²: 1\.9× more cores busy \(1\.00 → 1\.90\)/);
  // Half the speed-up from the second core, half from less CPU time: each CPU-time cause covers at most its half.
  const mixed = explainPair("m", "f", "", { before: 4, after: 1 }, { coresUsed: { value: 1 }, instructions: { value: 8e9 } }, { coresUsed: { value: 2 }, instructions: { value: 1e9 } });
  const shares = Object.fromEntries(mixed.causes.map((c) => [c.metric, Number(c.share.toFixed(3))]));
  assert.deepEqual(shares, { coresUsed: 0.5, instructions: 0.5 });
  // Cores below 1 on both sides (a loaded machine) are raised to 1: the ratio is all CPU time, as before.
  const loaded = explainPair("w", "f", "", { before: 2, after: 1 }, { coresUsed: { value: 0.4 }, instructions: { value: 4e9 } }, { coresUsed: { value: 0.7 }, instructions: { value: 2e9 } });
  assert.deepEqual(loaded.causes.map((c) => [c.metric, c.share]), [["instructions", 1]]);
});

test("the ladder: each variant against the one before it, or the rung it names (wasm-simd and c-reference against fused, wasm-simd-workers against wasm-simd)", () => {
  const pairs = ladderPairs(recorded().variants).map((p) => `${p.variant}<${p.against}`);
  assert.deepEqual(pairs, [
    "nested-prealloc<nested",
    "typed-roll<nested-prealloc",
    "typed-inplace<typed-roll",
    "typed-roll-add<typed-inplace",
    "fused<typed-roll-add",
    "fused-workers<fused",
    "wasm-simd<fused",
    "wasm-simd-workers<wasm-simd",
    "c-reference<fused",
  ]);
});

function explanation(all: StudyExplanation[], variant: string, size: number): StudyExplanation {
  const found = all.find((e) => e.variant === variant && e.size === size);
  assert.ok(found, `an explanation of ${variant} at ${size}`);
  return found;
}

/** The metrics among the first `n` causes (the ones that account for most of the time ratio). */
function leading(e: StudyExplanation, n = 4): string[] {
  return e.causes.slice(0, n).map((c) => c.metric);
}

const ALLOCATION_OR_GC = ["allocatedBytes", "gcCount", "gcSeconds", "minorFaults"];

test("chapter pairs on the recorded run: allocation/GC for nested-prealloc and typed-roll", () => {
  const all = explainStudy(recorded());
  for (const size of [256, 512]) {
    const prealloc = explanation(all, "nested-prealloc", size);
    assert.ok(prealloc.timeRatio > 1, "nested-prealloc is faster");
    assert.ok(leading(prealloc).some((m) => ALLOCATION_OR_GC.includes(m)), `${size}: ${prealloc.summary}`);
    // typed-roll is slower in JavaScript (the numpy step was 60x faster in Python): allocation and GC say why.
    const roll = explanation(all, "typed-roll", size);
    assert.ok(roll.timeRatio < 1, "typed-roll is slower than nested-prealloc");
    assert.ok(leading(roll).filter((m) => ALLOCATION_OR_GC.includes(m)).length >= 2, `${size}: ${roll.summary}`);
  }
});

test("chapter pairs on the recorded run: instructions and memory traffic for typed-roll-add and fused, instructions for wasm-simd", () => {
  const all = explainStudy(recorded());
  // The chapter's roll_add cut instructions 2.86x; in JavaScript, counted over a window of steps
  // (callgrind, V8 --predictable), typed-inplace -> typed-roll-add is 20.3 M -> 15.8 M per step at
  // 256² (1.3x) while D1 misses drop 1.6x and LL misses 28x: memory traffic more than instructions.
  // (The 2.9x of the first recording came from subtracting two noisy runs.) fused cuts both several times.
  for (const [variant, fewerInstructions] of [["typed-roll-add", 1.1], ["fused", 2]] as const) {
    const e = explanation(all, variant, 256);
    const metrics = e.causes.map((c) => c.metric);
    assert.ok(metrics.includes("instructions"), `${variant}: ${e.summary}`);
    assert.ok(metrics.includes("d1Misses"), `${variant}: ${e.summary}`);
    const instructions = e.causes.find((c) => c.metric === "instructions")!;
    assert.ok(instructions.simulated && instructions.ratio > fewerInstructions, `${variant}: fewer instructions (simulated): ${e.summary}`);
    const d1 = e.causes.find((c) => c.metric === "d1Misses")!;
    assert.ok(d1.ratio > 1.1, `${variant}: less memory traffic: ${e.summary}`);
  }
  for (const size of [256, 512]) {
    const simd = explanation(all, "wasm-simd", size);
    const instructions = simd.causes.find((c) => c.metric === "instructions");
    assert.ok(instructions && instructions.ratio > 4, `wasm-simd at ${size}: ${simd.summary}`);
  }
});

/**
 * Whether the recording gave `variant` a second core at `size`: false when it did, else why not
 * (then the check below is a todo). coresIdle + coresUsed is how many cores the cell could have had.
 */
function noSecondCore(study: StudyResult, variant: string, size: number): string | false {
  const cell = study.results.find((c) => c.variant === variant && c.size === size);
  if (!cell || typeof cell.coresUsed !== "number") return `the recording has no ${variant} cell at ${size} with its cores busy`;
  // Recorded before coresIdle existed (the 2-core VM, load average about 20: CPU/wall 0.23 at 256², 0.12 at 512²).
  if (typeof cell.coresIdle !== "number") return `the recording does not say how many cores were free (${variant}: CPU/wall ${cell.coresUsed.toFixed(2)})`;
  const available = cell.coresIdle + cell.coresUsed;
  return available < 1.5 ? `no free second core at recording (${available.toFixed(2)} cores available to ${variant})` : false;
}

// The chapter's cause for fused-workers is the second core. Where the recording had none, the
// check cannot pass and is a todo, with the recorded figures as its reason; it is kept, not faked.
test("chapter pairs on the recorded run: fused-workers is explained by the second core", { todo: noSecondCore(recorded(), "fused-workers", 512) }, () => {
  const e = explanation(explainStudy(recorded()), "fused-workers", 512);
  assert.ok(e.timeRatio > 1, e.summary);
  assert.equal(e.causes[0]?.metric, "coresUsed", e.summary);
});

test("allocation between GCs: every rise of heap + ArrayBuffer memory from one GC's end to the next GC's start", () => {
  const stats = (used: number, external: number) => ({ heapStatistics: { usedHeapSize: used, externalMemory: external } });
  const gcs = [
    { cost: 100, beforeGC: stats(10, 90), afterGC: stats(5, 0) },
    { cost: 200, beforeGC: stats(8, 50), afterGC: stats(6, 10) },
  ];
  // start 20 -> 100 before the first GC (+80), 5 -> 58 (+53), then 16 -> 30 at the end (+14).
  assert.equal(allocatedBetween(20, gcs, 30), 147);
  assert.equal(allocatedBetween(20, [], 10), 0);
});

test("V8 code log: tiers by marker, deopts with reason and position, owners by code address", () => {
  const log = [
    "code-creation,JS,10,1,0xa1,8,evolve /x/nested.js:28:16,0xs1,~",
    "code-creation,JS,11,2,0xa2,80,evolve /x/nested.js:28:16,0xs1,^",
    "code-creation,JS,13,3,0xa3,800,evolve /x/nested.js:28:16,0xs1,*",
    "code-move,0xa3,0xb3",
    "code-deopt,4,800,0xb3,-1,120,deopt-eager,</x/nested.js:33:39>,wrong map",
    "code-creation,JS,10,5,0xa4,8, /x/nested.js:1:1,0xs2,~",
  ].join("\n");
  const parsed = parseV8CodeLog(log);
  assert.deepEqual(
    parsed.functions.map((f) => [f.name, f.line, f.tier, f.finalTier, f.optimizations]),
    [
      // Its TurboFan code was thrown away by the deopt: Sparkplug's code is what it has at the end.
      ["evolve", 28, "turbofan", "sparkplug", 1],
      ["", 1, "interpreter", "interpreter", 0],
    ],
  );
  assert.deepEqual(parsed.deopts, [
    { function: "evolve", functionFile: "/x/nested.js", functionLine: 28, functionColumn: 16, kind: "deopt-eager", reason: "wrong map", file: "/x/nested.js", line: 33, column: 39 },
  ]);
});

test("simulated counts per step: two cachegrind runs subtracted; a longer run that counted less is noise, not a count", () => {
  // nested at 256², 41 and 82 steps under cachegrind on the development VM (Ir, D1mr+D1mw, ILmr+DLmr+DLmw, Bcm+Bim).
  const short = { instructions: 1_286_669_365, d1Misses: 3_295_088 + 1_947_226, llMisses: 56_929 + 59_891 + 407_972, branchMispredicts: 7_805_123 + 1_410_782 };
  const long = { instructions: 1_756_322_420, d1Misses: 4_414_982 + 2_678_272, llMisses: 56_753 + 59_891 + 481_075, branchMispredicts: 5_711_028 + 1_375_960 };
  const per = perStepCounts(short, 41, long, 82);
  assert.ok(per);
  assert.equal(per.instructions, (long.instructions - short.instructions) / 41);
  assert.equal(per.d1Misses, (long.d1Misses - short.d1Misses) / 41);
  // The JIT's warm-up mispredicted more in the shorter run: below the runs' noise, left out.
  assert.equal(per.branchMispredicts, null);
  // Two identical 41-step runs differed by 52 M instructions here: a longer run can count less.
  assert.equal(perStepCounts(short, 41, { ...long, instructions: short.instructions - 1 }, 82), null);
  // The 4k-step run: (4k - k) / 3k.
  assert.equal(perStepCounts(short, 41, { ...long, instructions: short.instructions + 3 * 41 * 1e7 }, 164)?.instructions, 1e7);
});
