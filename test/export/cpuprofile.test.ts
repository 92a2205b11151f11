import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { toCpuprofile, NotExportableError, type ChromeCpuProfile } from "@tsprof/export";
import { runLine, lineOf, lineCount, savedBeforeProfiles, JULIA, DECORATED } from "./real-results";
import { tsprof, fixture } from "../helpers/cli";

const fileOf = (url: string) => (url.startsWith("file:") ? fileURLToPath(url) : url);

/** What DevTools' CPU profile model requires to load a profile. */
function assertDevToolsStructure(p: ChromeCpuProfile): void {
  const ids = new Set(p.nodes.map((n) => n.id));
  assert.equal(ids.size, p.nodes.length, "node ids are unique");
  const parents = new Map<number, number>();
  for (const n of p.nodes) {
    assert.equal(typeof n.callFrame.scriptId, "string");
    for (const c of n.children ?? []) {
      assert.ok(ids.has(c), `child ${c} of ${n.id} exists`);
      assert.ok(!parents.has(c), `node ${c} has one parent`);
      parents.set(c, n.id);
    }
  }
  const roots = p.nodes.filter((n) => !parents.has(n.id));
  assert.equal(roots.length, 1, "one root");
  assert.equal(roots[0].callFrame.functionName, "(root)");
  assert.equal(p.timeDeltas.length, p.samples.length, "one time delta per sample");
  for (const s of p.samples) assert.ok(ids.has(s), `sample ${s} is a node`);
  const hits = p.nodes.reduce((a, n) => a + n.hitCount, 0);
  assert.equal(hits, p.samples.length, "hit counts add up to the samples");
  assert.ok(p.endTime >= p.startTime);
}

/** Every frame of the script is in the original .ts; its lines exist there. */
function assertOriginalPositions(p: ChromeCpuProfile, script: string): void {
  const n = lineCount(script);
  for (const node of p.nodes) {
    const cf = node.callFrame;
    if (!cf.url || cf.url.startsWith("node:")) continue;
    const file = fileOf(cf.url);
    assert.equal(file, script, `${cf.functionName} is in the user's file, not tsprof's (${file})`);
    assert.ok(cf.lineNumber >= 0 && cf.lineNumber < n, `${cf.functionName} at line ${cf.lineNumber + 1} of ${n}`);
    for (const t of node.positionTicks ?? []) assert.ok(t.line >= 1 && t.line <= n, `tick line ${t.line} of ${n} (${cf.functionName})`);
    assert.ok(!/^__[a-zA-Z]/.test(cf.functionName), `no compiler helper frame (${cf.functionName})`);
  }
}

const functionLine = (p: ChromeCpuProfile, name: string) => {
  const node = p.nodes.find((x) => x.callFrame.functionName === name);
  assert.ok(node, `${name} was sampled`);
  return node.callFrame.lineNumber + 1;
};

for (const mode of ["hybrid", "trace", "sample"] as const) {
  test(`--cpuprofile (${mode}): functions at their .ts lines, ticks on lines of the .ts, no tsprof frames`, () => {
    const run = runLine(JULIA, ["120", "60"], mode);
    const p = JSON.parse(readFileSync(run.cpuprofile, "utf8")) as ChromeCpuProfile;
    assertDevToolsStructure(p);
    assertOriginalPositions(p, JULIA);
    assert.equal(functionLine(p, "calculateZSerialPurePython"), lineOf(JULIA, "function calculateZSerialPurePython"));
    assert.equal(functionLine(p, "calcPurePython"), lineOf(JULIA, "function calcPurePython"));
    // The marked function's own lines carry some of its time. Which lines exactly depends on what V8
    // inlined when (an inlined callee's ticks go to the callee's lines, Complex's 7, 11, 14 here,
    // as plain `node --cpu-prof` does), so not the loop line itself: some line of its body.
    const fn = p.nodes.filter((x) => x.callFrame.functionName === "calculateZSerialPurePython");
    const ticked = [...new Set(fn.flatMap((x) => (x.positionTicks ?? []).map((t) => t.line)))];
    const [bodyStart, bodyEnd] = [lineOf(JULIA, "function calculateZSerialPurePython"), lineOf(JULIA, "return output;") + 1];
    assert.ok(
      ticked.some((line) => line >= bodyStart && line <= bodyEnd),
      `ticks on lines ${bodyStart}..${bodyEnd} (${ticked.join(",")})`,
    );
    // The saved result exports the same profile.
    assert.deepEqual(JSON.parse(toCpuprofile(run.result)), p);
  });
}

test("--cpuprofile: compiler helpers fold into their callers, their callees stay", () => {
  const run = runLine(DECORATED, ["400000"], "sample");
  const p = JSON.parse(readFileSync(run.cpuprofile, "utf8")) as ChromeCpuProfile;
  assertDevToolsStructure(p);
  assertOriginalPositions(p, DECORATED);
  assert.equal(functionLine(p, "sumNorms"), lineOf(DECORATED, "function sumNorms"));
  // The decorator's initializer, which __runInitializers calls, is still under the constructor's caller.
  const init = p.nodes.find((x) => x.callFrame.functionName === "" && x.callFrame.lineNumber + 1 === lineOf(DECORATED, "addInitializer"));
  if (init) assert.ok(fileOf(init.callFrame.url) === DECORATED);
});

test("a line result saved before the profile was kept: text still renders, the export says why not in one line", () => {
  const run = runLine(JULIA, ["120", "60"], "hybrid"); // the hybrid run above, made once
  const old = savedBeforeProfiles(run);
  const shown = tsprof(["show", old]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /calculateZSerialPurePython/);
  const oldResult = JSON.parse(readFileSync(old, "utf8"));
  assert.throws(() => toCpuprofile(oldResult), (err: Error) => err instanceof NotExportableError && !err.message.includes("\n") && /saved before/.test(err.message));
});

test("--cpuprofile: a function's column is the original's, also after code the instrumenter inserted on its line", () => {
  const script = fixture("line", "columns.ts");
  const line = lineOf(script, "const sq = (x: number)");
  const column = readFileSync(script, "utf8").split("\n")[line - 1].indexOf("(x: number)");
  for (const mode of ["sample", "hybrid", "trace"] as const) {
    const run = runLine(script, ["100000"], mode);
    const p = JSON.parse(readFileSync(run.cpuprofile, "utf8")) as ChromeCpuProfile;
    const sq = p.nodes.find((x) => x.callFrame.functionName === "sq");
    assert.ok(sq, `${mode}: sq was sampled`);
    assert.deepEqual([sq.callFrame.lineNumber + 1, sq.callFrame.columnNumber], [line, column], mode);
  }
});
