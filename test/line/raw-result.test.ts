/**
 * The profiled process writes raw data at its end (the V8 profile unmapped, the source maps it
 * needs, the final counters) and tsprof's parent builds the result (raw-result.ts). These tests
 * build the same data both ways in one process, whose own source maps play the profiled
 * process's: in place, as the child used to, and from the raw write, as the parent now does.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import Module from "node:module";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";
import type { LineProfileResult } from "@tsprof/core";
import { instrumentSource, type CpuProfile } from "@tsprof/runner";
import { appendPlan, profileSourceMaps, writeSnapshot } from "@tsprof/runner/child";
import { mapCpuProfile } from "@tsprof/runner/source-map";
import { buildLineResult } from "../../packages/line/src/build-result";
import { buildFromRaw } from "../../packages/line/src/raw-result";
import { COUNTERS_FILE, emptyResult, fileViews, OWN_DIRS, readSource, snapshotSections, type LineRawBody } from "../../packages/line/src/shared";
import { tempDir } from "../helpers/cli";

// Types and an interface before the function: esbuild drops them, so generated lines differ from the .ts lines.
const SOURCE = [
  "interface Point {",
  "  x: number;",
  "  y: number;",
  "}",
  "type Pair = [number, number];",
  "/** @profile */",
  "function work(n: number): number {",
  "  let s = 0;",
  "  for (let i = 0; i < n; i++) {",
  "    s += i;",
  "  }",
  "  return s;",
  "}",
  "",
].join("\n");

/** app.ts, and app.js compiled from it with an inline source map, loaded here with source maps on. */
function loadCompiled(): { ts: string; js: string; workLine: number } {
  const dir = tempDir();
  const ts = join(dir, "app.ts");
  const js = join(dir, "app.js");
  writeFileSync(ts, SOURCE);
  const out = transformSync(SOURCE, { loader: "ts", format: "cjs", sourcemap: "inline", sourcefile: ts });
  writeFileSync(js, out.code);
  process.setSourceMapsEnabled(true);
  // Node's own compile (not a test loader's hooks): it caches the file's inline source map.
  const m = new Module(js);
  m.filename = js;
  (m as unknown as { _compile(code: string, file: string): void })._compile(out.code, js);
  const workLine = out.code.split("\n").findIndex((l) => l.includes("function work("));
  assert.ok(workLine >= 0 && workLine + 1 < 7, "the generated function starts above its .ts line");
  return { ts, js, workLine };
}

/** A V8 profile of app.js as the sampler returns it (0-based positions): work() ticking on its loop line. */
function rawProfile(js: string, workLine: number): CpuProfile {
  const frame = (functionName: string, url: string, lineNumber: number, columnNumber = 0) => ({ functionName, scriptId: "1", url, lineNumber, columnNumber });
  return {
    nodes: [
      { id: 1, callFrame: frame("(root)", "", -1, -1), hitCount: 0, children: [2, 4] },
      { id: 2, callFrame: frame("", js, 0), hitCount: 1, children: [3] },
      { id: 3, callFrame: frame("work", js, workLine, 16), hitCount: 7, children: [], positionTicks: [{ line: workLine + 4, ticks: 6 }, { line: workLine + 2, ticks: 1 }] },
      { id: 4, callFrame: frame("(garbage collector)", "", -1, -1), hitCount: 2, children: [] },
    ],
    startTime: 1000,
    endTime: 11_000,
    samples: [2, 3, 3, 3, 3, 3, 3, 3, 4, 4],
    timeDeltas: Array(10).fill(1000),
  };
}

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

test("a CPU profile mapped with the source maps the profiled process saved equals the one mapped in that process", () => {
  const { ts, js, workLine } = loadCompiled();
  const profile = rawProfile(js, workLine);
  const inPlace = mapCpuProfile(profile, { ownDirs: OWN_DIRS, thread: "main" });
  const saved = roundTrip(profileSourceMaps(profile.nodes.map((n) => n.callFrame.url)));
  assert.deepEqual(Object.keys(saved), [js]);
  const inParent = mapCpuProfile(roundTrip(profile), { ownDirs: OWN_DIRS, thread: "main", sourceMaps: saved });
  assert.deepEqual(inParent, inPlace);
  const work = inParent.nodes.find((n) => n.callFrame.functionName === "work")!;
  assert.equal(work.callFrame.url, ts);
  assert.equal(work.callFrame.lineNumber + 1, 7, "the .ts line of work()");
  assert.deepEqual(work.positionTicks, [{ line: 8, ticks: 1 }, { line: 10, ticks: 6 }]);
  // Without the saved maps (a parent that had no findSourceMap for the child's scripts), positions stay generated.
  const unmapped = mapCpuProfile(profile, { ownDirs: OWN_DIRS, thread: "main", sourceMaps: {} });
  assert.equal(unmapped.nodes.find((n) => n.callFrame.functionName === "work")?.callFrame.url, js);
});

test("buildFromRaw: the result built from the final raw write equals the one built in place from the live counters", () => {
  const { ts, js, workLine } = loadCompiled();
  const meta = instrumentSource(SOURCE, ts, { style: "counters", all: false })!.meta;
  const dir = tempDir();
  for (const mode of ["hybrid", "trace"] as const) {
    // Counters as a run left them: work() called once with n = 10, a little time on its lines.
    const views = { hits: new Float64Array(64), timeMs: new Float64Array(64), escapes: new Float64Array(64), calls: new Float64Array(8), stack: null };
    const file = fileViews(views, meta, 1, 0);
    meta.slots.forEach((slot, i) => {
      file.hits[i] = slot.line === 10 ? 10 : 1;
      file.timeMs[i] = slot.line === 10 ? 0.5 : 0.01;
    });
    file.calls[0] = 1;
    const profile = rawProfile(js, workLine);
    const inPlace = emptyResult(mode, 1e-6, 5e6, ["a note"]);
    inPlace.sampler = "v8-profiler-next";
    inPlace.samplingIntervalUs = 250;
    // (buildLineResult mutates calls in hybrid mode: give each build its own copy of the counters.)
    const copy = fileViews({ hits: views.hits.slice(), timeMs: views.timeMs.slice(), escapes: views.escapes.slice(), calls: views.calls.slice() }, meta, 1, 0);
    buildLineResult(inPlace, [copy], profile, { readSource, ownDirs: OWN_DIRS }, null);

    const runDir = join(dir, mode);
    mkdirSync(runDir);
    appendPlan(join(runDir, "plan.jsonl"), { meta, base: 1, fnBase: 0 });
    writeSnapshot(join(runDir, COUNTERS_FILE), 12.5, snapshotSections({ control: new Int32Array(4), ...views }, [file]));
    const raw: LineRawBody = {
      raw: "line",
      mode,
      timerUnit: 1e-6,
      durationNs: 5e6,
      notes: ["a note"],
      sampler: "v8-profiler-next",
      samplingIntervalUs: 250,
      profile,
      sourceMaps: profileSourceMaps(profile.nodes.map((n) => n.callFrame.url)),
      countersTakenAtMs: 12.5,
      planFile: "plan.jsonl",
      threads: [],
    };
    const inParent = emptyResult(mode, 1e-6, 0, []);
    assert.equal(buildFromRaw(inParent, roundTrip(raw), runDir), true);
    // The parent labels the main thread's tables (the child used to, through the thread merger).
    const labelled = (r: LineProfileResult) => ({ ...r, functions: r.functions.map((f) => ({ ...f, thread: "main" })), summary: r.summary.map((s) => ({ ...s, thread: "main" })) });
    assert.deepEqual(roundTrip(inParent), roundTrip(labelled(inPlace)), mode);
    const table = inParent.functions.find((f) => f.name === "work")!;
    assert.equal(table.file, ts);
    if (mode === "trace") assert.equal(table.lines.find((l) => l.line === 10)?.hits, 10);
    assert.equal(inParent.measuredIntervalUs, 1000);

    // Counters from another write than this result's (never whole together): not read as final.
    writeSnapshot(join(runDir, COUNTERS_FILE), 99, snapshotSections({ control: new Int32Array(4), ...views }, [file]));
    assert.equal(buildFromRaw(emptyResult(mode, 1e-6, 0, []), roundTrip(raw), runDir), false);
  }
});
