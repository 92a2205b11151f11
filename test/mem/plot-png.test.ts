import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseRecording, renderRecordingPng, bracketColourOnWhite, bracketNames, buildChartConfig } from "@tsprof/mem";
import { pngSize, colourColumns } from "./helpers";

const fixture = join(__dirname, "..", "..", "fixtures", "mem", "recordings", "alloc-complete.mem.jsonl");

test("the plot is a PNG of the requested size with a shaded bracket per profiled function", async () => {
  const rec = parseRecording(readFileSync(fixture, "utf8"));
  const png = await renderRecordingPng(rec, { width: 900, height: 450 });
  assert.deepEqual(pngSize(png), { width: 900, height: 450 });
  const names = bracketNames(rec);
  assert.deepEqual(names, ["allocate", "churn"]);
  // allocate's span is a tall band of its own colour (churn's calls lie inside it, so only
  // allocate's own colour is checked for area; churn's is blended over it).
  const allocate = await colourColumns(png, bracketColourOnWhite(0));
  assert.ok(allocate.count > 1000, `allocate: ${allocate.count} bracket pixels`);
});

test("the bracket sits where the call was on the time axis", async () => {
  const rec = parseRecording(readFileSync(fixture, "utf8"));
  // One bracket only, in the middle: check its pixel columns against its share of the x axis.
  const only = { ...rec, brackets: [{ name: "solo", startMs: 300, endMs: 500 }] };
  const png = await renderRecordingPng(only, { width: 1000, height: 400 });
  const found = await colourColumns(png, bracketColourOnWhite(0));
  assert.ok(found.count > 1000);
  const width = found.maxX - found.minX;
  // x axis runs 0..~0.9 s over roughly 900 px: 0.2 s is about 200 px (within axis margins).
  assert.ok(width > 120 && width < 260, `bracket width ${width}px`);
});

test("no brackets, no bracket colour; chart config has one dataset per series with data", async () => {
  const rec = parseRecording(readFileSync(fixture, "utf8"));
  const bare = { ...rec, brackets: [] };
  const png = await renderRecordingPng(bare, { width: 600, height: 300 });
  assert.deepEqual(pngSize(png), { width: 600, height: 300 });
  const found = await colourColumns(png, bracketColourOnWhite(0), 1);
  assert.ok(found.count < 50, `${found.count} pixels of bracket colour without brackets`);
  const config = buildChartConfig(rec) as { data: { datasets: Array<{ label: string; data: unknown[] }> } };
  assert.deepEqual(
    config.data.datasets.map((d) => d.label),
    ["RSS", "V8 heap total", "V8 heap used", "external", "array buffers"],
  );
});
