import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseRecording, renderRecordingPng, bracketColourOnWhite, bracketNames, buildChartConfig } from "@tsprof/mem";

const fixture = join(__dirname, "..", "..", "fixtures", "mem", "recordings", "alloc-complete.mem.jsonl");

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
export function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
  assert.equal(png.subarray(12, 16).toString("ascii"), "IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Count pixels within `tolerance` of `rgb`, per x column band. */
export async function colourColumns(png: Buffer, rgb: [number, number, number], tolerance = 3): Promise<{ count: number; minX: number; maxX: number }> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { loadImage, createCanvas } = require("canvas") as typeof import("canvas");
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  let count = 0;
  let minX = Infinity;
  let maxX = -Infinity;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - rgb[0]) <= tolerance && Math.abs(data[i + 1] - rgb[1]) <= tolerance && Math.abs(data[i + 2] - rgb[2]) <= tolerance) {
      count++;
      const x = (i / 4) % image.width;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
    }
  }
  return { count, minX, maxX };
}

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
