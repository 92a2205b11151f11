import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resultFromJSON, type MemProfileResult } from "@tsprof/core";
import { renderMemProfile, renderFunctionMemTable, MEM_TABLE_HEADER } from "@tsprof/mem";
import { FIXTURES } from "./helpers";

const results = join(FIXTURES, "results");
/**
 * A recorded result names files by the absolute path they had where it was recorded; move them to
 * wherever this checkout's fixtures are, so the result renders the same from any clone.
 */
const RECORDED_FIXTURES = "/work/main/fixtures/mem";
const load = (name: string) =>
  resultFromJSON(readFileSync(join(results, `${name}.json`), "utf8").split(RECORDED_FIXTURES).join(FIXTURES)) as unknown as MemProfileResult;

test("a saved result renders again exactly as printed when it was measured", () => {
  for (const name of ["profileme-gc", "garbage"]) {
    const printed = readFileSync(join(results, `${name}.txt`), "utf8");
    const rendered = renderMemProfile(load(name), { cwd: FIXTURES });
    // The .txt also holds the script's own output, printed before the tables.
    assert.ok(printed.endsWith(rendered), `${name}: re-rendered text differs`);
  }
});

test("memory_profiler's layout: header, rule, MiB with 3 decimals, blanks for lines that never ran", () => {
  const result = load("profileme-gc");
  const text = renderFunctionMemTable(result.functions[0], { cwd: FIXTURES });
  const lines = text.split("\n");
  assert.equal(lines[0], "Filename: profileme.ts");
  assert.equal(lines[1], "Function: profileWrapper at line 5 (1 call)");
  assert.equal(lines[3], MEM_TABLE_HEADER);
  assert.equal(lines[4], "=".repeat(MEM_TABLE_HEADER.length));
  // The tag line never runs: number and source only.
  assert.equal(lines[5], "     5                                                                   /** @profile */");
  const row = lines.find((l) => l.includes("x = null"))!;
  // Columns end where the header's column names end.
  const ends = ["RSS usage", "Increment", "Heap used"].map((h) => MEM_TABLE_HEADER.indexOf(h) + h.length);
  const fields = [...row.matchAll(/-?\d+\.\d{3} MiB/g)];
  assert.equal(fields.length, 4);
  for (let i = 0; i < 3; i++) assert.equal(fields[i].index! + fields[i][0].length, ends[i]);
  assert.match(fields[3][0], /^-3[12]\.\d{3} MiB$/);
  const occurrencesEnd = MEM_TABLE_HEADER.indexOf("Occurrences") + "Occurrences".length;
  assert.equal(row.slice(occurrencesEnd - 1, occurrencesEnd), "1");
});

test("header says what heap means and that --gc ran; -0.000 prints as 0.000; skip-zero hides uncalled functions", () => {
  const result = load("profileme-gc");
  const text = renderMemProfile(result);
  assert.match(text, /^Heap = V8 heap used \+ external/);
  assert.match(text, /A full GC ran before each measurement \(--gc\)\./);
  const tweaked: MemProfileResult = {
    ...result,
    functions: [
      { ...result.functions[0], lines: result.functions[0].lines.map((l) => ({ ...l, heapIncrementMiB: l.occurrences ? -0.0001 : 0 })) },
      { ...result.functions[0], name: "neverCalled", calls: 0, lines: [] },
    ],
  };
  const out = renderMemProfile(tweaked, { skipZero: true });
  assert.doesNotMatch(out, /-0\.000/);
  assert.doesNotMatch(out, /neverCalled/);
  assert.match(renderMemProfile(tweaked), /neverCalled/);
});

test("the allocation table: sorted by bytes, percentages, line-level rows marked", () => {
  const result = load("garbage");
  const text = renderMemProfile(result, { cwd: FIXTURES });
  const section = text.slice(text.indexOf("Where the program allocates"));
  const rows = section.split("\n").filter((l) => /^\s+\d+\.\d{3}\s+\d+\.\d\s+\d+\s+\S/.test(l));
  assert.ok(rows.length >= 2);
  const mibs = rows.map((r) => Number(r.trim().split(/\s+/)[0]));
  for (let i = 1; i < mibs.length; i++) assert.ok(mibs[i] <= mibs[i - 1]);
  assert.match(rows[0], /makeGarbage {2}garbage\.ts:9 {2}\(line\)$/);
  assert.match(section, /total sampled/);
});
