// Renderers are pure: recorded study results in, the Table 6-1/6-2 layout out.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { formatQuantity, resultFromJSON } from "@tsprof/core";
import { formatSeconds, formatSpeedup, largestGridFittingCache, renderStudyMarkdown, renderStudyText, sizeLabel } from "@tsprof/diffusion";

const dir = path.join(__dirname, "..", "..", "fixtures", "diffusion");
const load = (name: string) => resultFromJSON(fs.readFileSync(path.join(dir, name), "utf8"), name, "study");
const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");

for (const name of ["study-small", "study-poly"]) {
  test(`${name}: text and Markdown match the recorded renderings`, () => {
    const result = load(`${name}.json`);
    assert.equal(renderStudyText(result), read(`${name}.txt`));
    assert.equal(renderStudyMarkdown(result), read(`${name}.md`));
  });
}

test("text tables: one row per variant, one column per size, scaled cells starred and explained", () => {
  const result = load("study-small.json");
  const text = renderStudyText(result);
  const runtime = text.split("\n\n").find((block) => block.startsWith("Table 1."))!.split("\n");
  assert.match(runtime[1], /^Method\s+32 × 32\s+96 × 96$/);
  assert.equal(runtime.length, 2 + result.variants.length);
  const nested = result.results.find((c) => c.variant === "nested" && c.size === 96)!;
  assert.ok(runtime.find((l) => l.startsWith("nested "))!.endsWith(`${nested.scaled ? "*" : ""}${formatSeconds(nested.seconds!)}`));
  assert.match(text, /\* scaled: the cell was timed on fewer than 50 iterations/);
  assert.match(text, /Table 2\. Speedup compared to nested/);
});

test("unavailable and failed cells are shown as n/a and failed, with notes", () => {
  const result = load("study-small.json");
  result.variants = result.variants.map((v) => (v.name === "c-reference" ? { ...v, unavailable: "no C compiler (gcc/cc/clang) on PATH: skipped" } : v));
  result.results = result.results.map((c) => {
    if (c.variant === "c-reference") return { ...c, status: "unavailable" as const, seconds: null, speedup: null, error: "unavailable: no C compiler" };
    if (c.variant === "fused" && c.size === 96) return { ...c, status: "failed" as const, seconds: null, speedup: null, error: "Error: boom" };
    return c;
  });
  const text = renderStudyText(result);
  assert.match(text, /^c-reference\s+n\/a\s+n\/a$/m);
  assert.match(text, /^fused\s+\S+\s+failed$/m);
  assert.match(text, /c-reference: unavailable: no C compiler/);
  assert.match(text, /fused @ 96 × 96: failed: Error: boom/);
  const markdown = renderStudyMarkdown(result);
  assert.match(markdown, /^\| c-reference \| n\/a \| n\/a \|$/m);
});

test("a partial (live or aborted) result renders missing cells as '-'", () => {
  const result = load("study-small.json");
  result.results = result.results.filter((c) => c.size === 32);
  result.aborted = true;
  const text = renderStudyText(result);
  assert.match(text, /\(aborted\)/);
  assert.match(text, /^wasm-simd\s+\S+\s+-$/m);
});

test("formatting helpers", () => {
  assert.equal(formatSeconds(39), "39.00s");
  assert.equal(formatSeconds(1.6149), "1.61s");
  assert.equal(formatSeconds(0.0532), "0.0532s");
  assert.equal(formatSeconds(0.0000853), "0.0853ms");
  assert.equal(formatSpeedup(32.333), "32.33x");
  assert.equal(formatSpeedup(0.0412), "0.041x");
  assert.equal(sizeLabel("diffusion", 1024), "1024 × 1024");
  assert.equal(sizeLabel("poly", 10_000_000), "10M points");
  assert.equal(sizeLabel("custom", 7), "size 7");
  // The chapter's example: 20,480 KB (the chapter counts 1 KB = 1000 bytes) holds two 1,131 x 1,131 grids.
  assert.equal(largestGridFittingCache(20_480_000), 1131);
});

test("Figure 6-4 as a PNG: speedup lines over runtime bars, from a recorded study", async () => {
  const { renderStudyPng, studySeries } = await import("@tsprof/diffusion");
  const result = load("study-causes-256-512.json");
  // One line per variant that has a time; c-reference included, values in size order.
  const series = studySeries(result, "speedup");
  assert.equal(series.length, 10, "one line per recorded variant, wasm-simd-workers included");
  assert.deepEqual(series[0], { variant: "nested", values: [1, 1] });
  const png = await renderStudyPng(result, { width: 800, height: 600 });
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [800, 600]);
});

test("a recorded study with causes: Tables 4 and 5, then one sentence per pair and size", () => {
  const result = load("study-causes-256-512.json");
  const text = renderStudyText(result);
  assert.match(text, /Table 4\. Allocated \/ GC time \/ minor page faults \/ cores busy/);
  assert.match(text, /Table 5\. Per step at 256²/);
  // The row carries the recorded per-step figures (the first recording: 546 k, 17.8 k, 132, 35.7).
  const simd = result.counters.find((c) => c.variant === "wasm-simd" && c.size === 256)!.perStep!;
  const figures = [simd.instructions, simd.d1Misses!, simd.llMisses!, simd.branchMispredicts!].map((v) => formatQuantity(v).replace(/\./g, "\\."));
  assert.match(text, new RegExp(`^wasm-simd\\s+${figures.join("\\s+")}\\s+`, "m"));
  const why = text.slice(text.indexOf("Why each variant"));
  // One sentence per variant after the first, at each of the two sizes.
  assert.equal(why.split("\n").filter((l) => l.startsWith("- ") && / at (256|512)²: /.test(l)).length, 2 * (result.variants.length - 1));
  assert.ok(!why.includes("measured on one side only"));
});
