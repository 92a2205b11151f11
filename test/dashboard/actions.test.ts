import { test } from "node:test";
import assert from "node:assert/strict";
import type { LineProfileResult } from "@tsprof/core";
import { findPngPath, firstLine, lineProfileLines, profileRun, variantTarget, VARIANT_ENTRY, type StudyRunner } from "@tsprof/dashboard";
import { lineResult } from "./helpers";

const result: LineProfileResult = lineResult({
  functions: [
    {
      name: "small",
      file: "/x/a.ts",
      line: 1,
      calls: 1,
      totalNs: 1e6,
      lines: [{ line: 2, hits: 1, timeNs: 1e6, source: "  return 1;" }],
    },
    {
      name: "evolve",
      file: "/x/a.ts",
      line: 10,
      calls: 5,
      totalNs: 4e6,
      lines: [
        { line: 11, hits: 5, timeNs: 1e6, source: "    const next = [];" },
        { line: 12, hits: 0, timeNs: 0, source: "    // comment" },
        { line: 13, hits: 500, timeNs: 3e6, source: "      next[i] = grid[i] * 2;" },
      ],
    },
  ],
  summary: [],
  notes: ["sampled with node:inspector"],
});

test("line-profile pane lines: hottest function first, its lines by time, idle lines left out", () => {
  const lines = lineProfileLines(result, 50);
  assert.equal(lines[0], "evolve (a.ts:10)  4.0 ms, 5 calls");
  assert.match(lines[2], /^\s+13\s+500\s+75\.0\s+next\[i\] = grid\[i\] \* 2;$/);
  assert.match(lines[3], /^\s+11\s+5\s+25\.0\s+const next = \[\];$/);
  assert.equal(lines[4], "small (a.ts:1)  1.0 ms, 1 calls");
  assert.ok(!lines.some((l) => l.includes("// comment")));
  assert.equal(lines.at(-1), "sampled with node:inspector");
  assert.equal(lineProfileLines(result, 3).length, 3);
});

test("line-profile pane lines: with no sampled time at all, the most executed function comes first", () => {
  const untimed: LineProfileResult = {
    ...result,
    functions: result.functions.map((f) => ({ ...f, totalNs: 0, lines: f.lines.map((l) => ({ ...l, timeNs: 0 })) })),
  };
  const lines = lineProfileLines(untimed, 50);
  assert.equal(lines[0], "evolve (a.ts:10)  0.0 ms, 5 calls");
  assert.match(lines[2], /^\s+13\s+500\s+0\.0\s+next\[i\]/);
});

test("findPngPath and firstLine pick the plot path and the message", () => {
  assert.equal(findPngPath("recording saved\nplot written to /tmp/tsprof-x/mem.png\n"), "/tmp/tsprof-x/mem.png");
  assert.equal(findPngPath("no plot"), null);
  assert.equal(firstLine("\n  tsprof: 'line' is not available yet\nmore"), "tsprof: 'line' is not available yet");
});

test("p and m profile the smallest grid with few iterations", () => {
  assert.deepEqual(profileRun([1024, 256, 512], 500), { size: 256, iterations: 50 });
  assert.deepEqual(profileRun([32, 64], 5), { size: 32, iterations: 5 });
});

test("a user module's variant runs through variant-entry with the module profiled", () => {
  const runner = {} as StudyRunner;
  const target = variantTarget({ cliPath: "bin.js", runner, workload: "custom", customModule: "/m/mine.ts", sizes: [64, 32], iterations: 5 }, "fast");
  assert.deepEqual(target, { script: VARIANT_ENTRY, args: ["/m/mine.ts", "fast", "32", "5"], modules: ["/m/mine.ts"] });
});
