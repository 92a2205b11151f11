/** buildFromMapped / summariseProfile: counts and a mapped profile in, the line result out. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { LineProfileResult, SampledCpuProfile } from "@tsprof/core";
import { buildFromMapped, summariseProfile, originOf, matchSampled, type SampledFunction } from "../../packages/line/src/build-result";

const frame = (functionName: string, url: string, line: number) => ({ functionName, url, lineNumber: line - 1, columnNumber: 0 });

/** root -> main (app.ts:3) -> parse (lib) -> readFileSync (node:fs); 10 samples of 1 ms. */
function profile(): SampledCpuProfile {
  return {
    thread: "main",
    nodes: [
      { id: 1, callFrame: frame("(root)", "", 0), hitCount: 0, children: [2] },
      { id: 2, callFrame: frame("main", "/p/app.ts", 3), hitCount: 2, children: [3], positionTicks: [{ line: 4, ticks: 2 }] },
      { id: 3, callFrame: frame("parse", "/p/node_modules/lib/x.js", 10), hitCount: 6, children: [4], positionTicks: [{ line: 11, ticks: 5 }, { line: 12, ticks: 1 }] },
      { id: 4, callFrame: frame("readFileSync", "node:fs", 400), hitCount: 2, children: [] },
    ],
    startTime: 0,
    endTime: 11_000,
    samples: [2, 2, 3, 3, 3, 3, 3, 3, 4, 4],
    timeDeltas: Array(10).fill(1000),
  };
}

function emptyResult(mode: LineProfileResult["mode"]): LineProfileResult {
  return {
    kind: "line", schemaVersion: 1, command: [], startedAt: "", mode, timerUnit: 1e-6, sampler: "v8-profiler-next",
    samplingIntervalUs: 1000, durationNs: 0, exitCode: 0, signal: null, functions: [], summary: [], notes: [],
  } as unknown as LineProfileResult;
}

test("summariseProfile: self and total time per function, with where its code comes from", () => {
  const fns = summariseProfile(profile());
  const by = (name: string) => fns.find((f) => f.name === name)!;
  assert.deepEqual([by("main").origin, by("parse").origin, by("readFileSync").origin], ["user", "library", "node"]);
  assert.equal(by("main").selfMs, 2);
  assert.equal(by("main").totalMs, 10);
  assert.equal(by("parse").selfMs, 6);
  assert.equal(by("parse").totalMs, 8);
  assert.equal(by("parse").lineMs.get(11), 5);
  assert.ok(!fns.some((f) => f.name === "(root)"));
  assert.equal(originOf(""), "runtime");
});

test("buildFromMapped, sample mode: tables for user and library functions, every function in the summary", () => {
  const result = emptyResult("sample");
  const sources: Record<string, string[]> = { "/p/app.ts": Array(5).fill("x"), "/p/node_modules/lib/x.js": Array(12).fill("y") };
  buildFromMapped(result, [], profile(), { readSource: (f) => sources[f] ?? [] });
  assert.deepEqual(result.functions.map((f) => f.name), ["parse", "main"]);
  const parse = result.functions[0];
  assert.equal(parse.lines.find((l) => l.line === 11)?.samples, 5);
  assert.deepEqual(result.summary.map((r) => r.name), ["main", "parse", "readFileSync"]);
  assert.equal(result.summary[2].file, "node:fs");
});

test("matchSampled: on a minified line shared by several functions, each profiled function gets only its own", () => {
  const fn = (name: string, line: number, selfMs: number): SampledFunction => ({
    key: `${name}:${line}`, name, file: "/p/bundle.js", line, selfMs, totalMs: selfMs, lineMs: new Map([[line, selfMs]]), lineTicks: new Map(), origin: "library",
  });
  const sampled = [fn("provideLexer", 1, 0), fn("lex", 1, 900), fn("parse", 1, 400), fn("other", 2, 5)];
  assert.deepEqual(matchSampled(sampled, "/p/bundle.js", 1, 1, "provideLexer").map((s) => s.name), ["provideLexer"]);
  assert.deepEqual(matchSampled(sampled, "/p/bundle.js", 1, 1, "Lexer.lex").map((s) => s.name), ["lex"]);
  // No name in common (an arrow V8 names after its variable differently): every function there.
  assert.deepEqual(matchSampled(sampled, "/p/bundle.js", 1, 1, "(anonymous)").map((s) => s.name), ["provideLexer", "lex", "parse"]);
  // One function on its lines: it, whatever V8 calls it.
  assert.deepEqual(matchSampled(sampled, "/p/bundle.js", 2, 2, "renamed").map((s) => s.name), ["other"]);
});
