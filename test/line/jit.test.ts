// `tsprof line --jit`: each function's JIT tier and deoptimizations (reason, original line), from
// V8's JIT trace of the run; and the parsers of V8's trace and code log on real output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseV8CodeLog, parseV8JitTrace, validateResult, type FunctionLineProfile, type LineProfileResult } from "@tsprof/core";
import { renderLineProfile } from "@tsprof/line";
import { writeFileSync } from "node:fs";
import { JitTraceReader, OriginalPositions, codeLogNodeArgs, readCodeLogs } from "@tsprof/runner/source-map";
import { tsprof, fixture, tempDir, readJson } from "../helpers/cli";

const DEOPT = fixture("line", "deopt.ts");

function fn(result: LineProfileResult, name: string): FunctionLineProfile {
  const f = result.functions.find((x) => x.name === name);
  assert.ok(f, `function ${name} in ${result.functions.map((x) => x.name).join(", ")}`);
  return f;
}

// One run per mode, shared by the assertions on it (each spawns a profiled process).
const runs = new Map<string, { code: number; stdout: string; stderr: string; result: LineProfileResult }>();
function runJit(mode: "hybrid" | "trace" | "sample") {
  const cached = runs.get(mode);
  if (cached) return cached;
  const out = join(tempDir(), "jit.json");
  const run = tsprof(["line", "--jit", "--mode", mode, "--json", out, DEOPT]);
  assert.equal(run.code, 0, run.stderr);
  const entry = { ...run, result: readJson<LineProfileResult>(out) };
  runs.set(mode, entry);
  return entry;
}

for (const mode of ["hybrid", "trace", "sample"] as const) {
  test(`--jit (${mode}): the deoptimization of a shape check, with its reason and original line`, () => {
    const { result } = runJit(mode);
    assert.equal(result.jit, true);
    const sumX = fn(result, "sumX");
    assert.ok(sumX.jit, "sumX has a JIT state");
    // Thousands of calls on one object shape: V8 optimizes it (TurboFan; Maglev first on newer V8).
    assert.ok(sumX.jit.topTier === "turbofan" || sumX.jit.topTier === "maglev", `top tier ${sumX.jit.topTier}`);
    assert.ok(sumX.jit.optimizations >= 1);
    // An array of objects of a new shape: a map check in the loop fails. Which one V8's optimized
    // code meets first depends on when it was compiled (on a loaded machine, Node 24 deoptimizes at
    // `points.length` on line 12 in about half the runs, else at `points[i].x` on line 13): either
    // is right, at that expression's original line and column.
    const shape = sumX.jit.deopts.find((d) => d.reason === "wrong map");
    assert.ok(shape, `a "wrong map" deoptimization in ${JSON.stringify(sumX.jit.deopts)}`);
    assert.equal(shape.file, DEOPT);
    if (shape.line === 12) assert.ok(shape.column >= 23 && shape.column <= 35, `column ${shape.column} is in \`points.length\``);
    else {
      assert.equal(shape.line, 13);
      assert.ok(shape.column >= 5 && shape.column <= 26, `column ${shape.column} is in \`total += points[i].x\``);
    }
    assert.ok(shape.count >= 1);
  });
}

test("--jit: a function that never ran has no JIT state; the JSON validates and the text shows the view", () => {
  const { result, stdout } = runJit("hybrid");
  if (result.mode === "sample") return;
  assert.equal(fn(result, "neverCalled").jit, null);
  validateResult(JSON.parse(JSON.stringify(result)), "jit.json", "line");
  const text = renderLineProfile(result, { color: false, skipZero: false });
  assert.match(text, /JIT: reached (TurboFan|Maglev) \(optimized \d+×\)/);
  assert.match(text, /\d+× line 1[23]:\d+ {2}wrong map \(deopt-eager\)/);
  assert.match(text, /JIT: not compiled \(it did not run here\)/);
  // V8 prints the end of its "[marking dependent code ... (opt id N) for deoptimization, reason: R]"
  // line with a bare PrintF, to stdout, whatever --redirect-code-traces says (seen on Node 24 here,
  // the same code is in Node 20's V8): that one fragment is V8's, everything else stays out.
  const program = stdout.replace(/^\) \(opt id \d+\) for deoptimization, reason: [^\n]*\]\n/gm, "");
  assert.ok(program.startsWith("done function\n\n"), `V8's traces stay out of the program's output: ${JSON.stringify(stdout.slice(0, 200))}`);
  assert.doesNotMatch(program, /\[bailout|;;; deoptimize|opt id/);
});

test("without --jit: no JIT state in the result or the text", () => {
  const out = join(tempDir(), "plain.json");
  const run = tsprof(["line", "--json", out, DEOPT]);
  assert.equal(run.code, 0, run.stderr);
  const result = readJson<LineProfileResult>(out);
  assert.equal(result.jit, undefined);
  assert.ok(result.functions.every((f) => f.jit === undefined));
  assert.doesNotMatch(renderLineProfile(result, { color: false, skipZero: false }), /JIT:/);
});

test("parseV8JitTrace: tiers, re-optimization and the deoptimization's position from a real trace", () => {
  const traced = parseV8JitTrace(readFileSync(fixture("line", "jit", "deopt.trace.txt"), "utf8"));
  const sumX = traced.filter((f) => f.name === "sumX");
  assert.equal(sumX.length, 1);
  assert.deepEqual(
    { file: sumX[0].file, top: sumX[0].topTier, final: sumX[0].finalTier, optimizations: sumX[0].optimizations },
    { file: "/home/user/project/deopt.js", top: "turbofan", final: "turbofan", optimizations: 2 },
  );
  assert.deepEqual(sumX[0].deopts, [{ kind: "deopt-eager", reason: "wrong map", file: "/home/user/project/deopt.js", line: 13, column: 62 }]);
  // Only Sparkplug compiled the constructor: that trace names no script.
  const point = traced.find((f) => f.name === "Point");
  assert.deepEqual(point && { file: point.file, top: point.topTier, final: point.finalTier }, { file: "", top: "sparkplug", final: "sparkplug" });
  assert.equal(traced.find((f) => f.name === "warm"), undefined, "never left the interpreter: not in the trace");
});

test("parseV8JitTrace on Node 24's trace: Maglev, TURBOFAN_JS, Sparkplug compiled off-thread, the OSR deopt of tiering up", () => {
  const traced = parseV8JitTrace(readFileSync(fixture("line", "jit", "deopt.node24.trace.txt"), "utf8"));
  const sumX = traced.filter((f) => f.name === "sumX");
  assert.equal(sumX.length, 1);
  // Maglev and TurboFan, OSR and whole-function: four optimized codes; after the shape deopt only three calls remain, too few to optimize again.
  assert.deepEqual([sumX[0].topTier, sumX[0].finalTier, sumX[0].optimizations], ["turbofan", "sparkplug", 4]);
  assert.deepEqual(
    sumX[0].deopts.map((d) => [d.reason, d.line, d.column]),
    [
      ["prepare for on stack replacement (OSR)", 13, 3],
      ["wrong map", 13, 62],
    ],
  );
  const point = traced.find((f) => f.name === "Point");
  assert.deepEqual(point && [point.file, point.topTier, point.optimizations], ["/home/user/project/deopt.js", "maglev", 1]);
  const warm = traced.find((f) => f.name === "warm");
  assert.deepEqual(warm && [warm.file, warm.topTier], ["", "sparkplug"], "Sparkplug compiled it off the main thread");
});

test("V8's code log: one file per thread, each function's top and final tier, the deoptimization mapped (the dashboard's JIT view)", () => {
  const dir = tempDir();
  const script = fixture("line", "jit", "deopt.js");
  const run = spawnSync(process.execPath, [...codeLogNodeArgs(dir), script], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, "", "deoptimization traces go to a file, not to the program's stdout");
  // The main thread and the worker it starts write a log each (one shared file would be overwritten).
  assert.ok(readdirSync(dir).filter((f) => f.endsWith("v8.log")).length >= 2, readdirSync(dir).join(", "));
  const log = readCodeLogs(dir, new OriginalPositions());
  assert.ok(log);
  const sumX = log.functions.filter((f) => f.name === "sumX" && f.file === script);
  assert.ok(sumX.length >= 2, "sumX compiled by both threads");
  for (const copy of sumX) {
    assert.equal(copy.line, 11);
    // TurboFan (Node 20); newer V8 may still be in Maglev when the short run ends.
    assert.ok(copy.tier === "turbofan" || copy.tier === "maglev", copy.tier);
  }
  const wrongMap = log.deopts.filter((d) => d.reason === "wrong map" && d.file === script);
  assert.ok(wrongMap.length >= 1);
  assert.ok(wrongMap.every((d) => d.line === 13));
  assert.ok(wrongMap.some((d) => d.owner?.line === 11 && d.function === "sumX"), JSON.stringify(wrongMap));
});

test("JitTraceReader: what was read before another thread's first trace truncated the file is kept", () => {
  const reader = new JitTraceReader(tempDir());
  assert.ok(reader.nodeArgs().includes(`--redirect-code-traces-to=${reader.path}`));
  const main = "[completed compiling 0x1 <JSFunction hotMain </p/w.js> (sfi = 0xa1)> (target TURBOFAN) - took 0.1, 1.2, 0.1 ms]\n";
  writeFileSync(reader.path, main.slice(0, 40));
  reader.follow();
  writeFileSync(reader.path, main, { flag: "w" }); // the rest of the line: same head, longer file
  reader.follow();
  // A worker's first trace truncates the file and writes more than was there.
  const worker = "[completed compiling 0x2 <JSFunction hotWorker </p/w.js> (sfi = 0xb2)> (target TURBOFAN) - took 0.1, 1.2, 0.1 ms]\n".repeat(3);
  writeFileSync(reader.path, worker);
  reader.follow();
  writeFileSync(reader.path, worker + "[bailout (kind: deopt-eager, reason: wrong map): begin. deoptimizing 0x2 <JSFunction hotWorker </p/w.js> (sfi = 0xb2)>, ...]\n");
  const text = reader.finish();
  assert.ok(text);
  const traced = parseV8JitTrace(text);
  assert.deepEqual(
    traced.map((f) => [f.name, f.topTier, f.finalTier, f.deopts.length]),
    [
      ["hotMain", "turbofan", "turbofan", 0],
      ["hotWorker", "turbofan", "interpreter", 1],
    ],
  );
  assert.equal(new JitTraceReader(tempDir()).finish(), null, "no trace file: nothing compiled above the interpreter");
});

test("parseV8CodeLog: V8 12+ marks on-stack-replacement code with a trailing quote; its deopt still has its owner", () => {
  // Lines of Node 24's log of fixtures/line/jit/deopt.js.
  const log = [
    "code-creation,JS,9,214536,0x378b1944e388,42,sumX /p/deopt.js:11:14,0x2a47afd7a818,~",
    "code-creation,JS,11,218976,0x7f0a14003e80,1224,sumX /p/deopt.js:11:14,0x2a47afd7a818,+",
    "code-creation,JS,12,229583,0x7f0a14005900,760,sumX /p/deopt.js:11:14,0x2a47afd7a818,*'",
    "code-deopt,237084,832,0x7f0a14005900,-1,363,deopt-eager,</p/deopt.js:13:62>,wrong map",
  ].join("\n");
  const parsed = parseV8CodeLog(log);
  assert.deepEqual(parsed.functions.map((f) => [f.name, f.tier, f.finalTier, f.optimizations]), [["sumX", "turbofan", "maglev", 1]]);
  assert.deepEqual(parsed.deopts.map((d) => [d.function, d.functionLine, d.line, d.reason]), [["sumX", 11, 13, "wrong map"]]);
});
