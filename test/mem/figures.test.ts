/**
 * Issue 13, memory plots: the RSS line ends at the last sample of the running program, nested and
 * repeated calls stay apart, and the plot says how much of the baseline is tsprof's own.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  bracketDepths,
  parseRecording,
  plotSubtitle,
  readRecording,
  renderRecordingAscii,
  renderRecordingPng,
  bracketColourOnWhite,
} from "@tsprof/mem";
import { FIXTURES, tsprof, pngSize, colourColumns } from "./helpers";
import { tempDir } from "../helpers/cli";

const header = {
  type: "header",
  kind: "mem-recording",
  schemaVersion: 1,
  command: ["mem", "--plot", "x.ts"],
  startedAt: "2026-12-01T00:00:00.000Z",
  startEpochMs: 1000,
  intervalMs: 10,
  includeChildren: false,
  script: "x.ts",
};
const lines = (...objects: object[]) => objects.map((o) => JSON.stringify(o)).join("\n") + "\n";

test("an RSS of 0 (read from an exited process) and samples after the exit handler are dropped", () => {
  const rec = parseRecording(
    lines(
      header,
      { type: "baseline", t: 1005, rss: 60 * 1048576 },
      { type: "rss", t: 1010, rss: 60 * 1048576 },
      { type: "rss", t: 1020, rss: 80 * 1048576 },
      { type: "exit", t: 1025 },
      { type: "rss", t: 1030, rss: 30 * 1048576 },
      { type: "rss", t: 1040, rss: 0 },
      { type: "reference", rss: 40 * 1048576 },
      { type: "end", t: 1045, exitCode: 0, signal: null },
    ),
  );
  const rss = rec.samples.map((s) => s.rssMiB);
  assert.deepEqual(rss, [60, 80]);
  assert.deepEqual(rec.toolShare, { startRssMiB: 60, plainNodeRssMiB: 40, toolMiB: 20 });
  // Recordings from before the exit line: a trailing 0 is still dropped.
  const old = parseRecording(lines(header, { type: "rss", t: 1010, rss: 50 * 1048576 }, { type: "rss", t: 1040, rss: 0 }));
  assert.deepEqual(
    old.samples.map((s) => s.rssMiB),
    [50],
  );
});

test("nested calls get a depth; the terminal chart indents them and states the merge threshold", () => {
  const rec = parseRecording(
    lines(
      header,
      { type: "rss", t: 1010, rss: 50 * 1048576 },
      { type: "open", t: 1100, id: 1, name: "run" },
      { type: "open", t: 1110, id: 2, name: "render" },
      { type: "close", t: 1200, id: 2 },
      { type: "open", t: 1300, id: 3, name: "render" },
      { type: "close", t: 1400, id: 3 },
      { type: "close", t: 1500, id: 1 },
      { type: "rss", t: 1510, rss: 50 * 1048576 },
    ),
  );
  assert.deepEqual(
    rec.brackets.map((b) => b.name),
    ["run", "render", "render"],
  );
  assert.deepEqual(bracketDepths(rec), [0, 1, 1]);
  const text = renderRecordingAscii(rec);
  assert.match(text, /less than 10 ms apart \(the sampling interval\) share one bracket/);
  assert.match(text, /\n {2}run: [^\n]*\n {4}render: [^\n]*\n {4}render: /);
  assert.match(plotSubtitle(rec).join("\n"), /nested calls are hatched and set lower/);
});

test("a real run: separate nested brackets, the RSS line never drops to 0, the PNG shows the nesting and the tool share", async () => {
  const dir = tempDir();
  const png = join(dir, "nested.png");
  const run = await tsprof(["mem", "--plot", "--output", png, "nested-brackets.ts"], { cwd: FIXTURES });
  assert.equal(run.code, 0, run.stderr);
  const recordingPath = /recording: (\S+)/.exec(run.stdout)?.[1];
  assert.ok(recordingPath, run.stdout);
  const rec = readRecording(join(FIXTURES, recordingPath));
  assert.deepEqual(
    rec.brackets.map((b) => b.name),
    ["run", "render", "render", "render"],
  );
  assert.deepEqual(bracketDepths(rec), [0, 1, 1, 1]);
  const rss = rec.samples.map((s) => s.rssMiB).filter((v): v is number => v !== null);
  assert.ok(rss.length > 5, `${rss.length} RSS samples`);
  assert.ok(Math.min(...rss) > 5, `lowest RSS sample ${Math.min(...rss)} MiB`);
  assert.ok(rec.toolShare, "tool share recorded");
  assert.ok(rec.toolShare!.startRssMiB > 10 && rec.toolShare!.plainNodeRssMiB! > 10, JSON.stringify(rec.toolShare));
  assert.match(plotSubtitle(rec).join("\n"), /MiB is tsprof's own \(plain node starts at \d+\.\d MiB\)/);
  const image = readFileSync(png);
  assert.deepEqual(pngSize(image), { width: 1200, height: 600 });
  // run's span is filled in its colour; render's calls are outlined in theirs (not blended away).
  const runFill = await colourColumns(image, bracketColourOnWhite(0));
  assert.ok(runFill.count > 1000, `run fill: ${runFill.count} px`);
  const renderOutline = await colourColumns(image, [120, 120, 255], 40);
  assert.ok(renderOutline.count > 300, `render outline: ${renderOutline.count} px`);
});

test("a PNG of a recording with brackets differs where a nested call is drawn", async () => {
  const rec = parseRecording(
    lines(
      header,
      { type: "rss", t: 1010, rss: 50 * 1048576 },
      { type: "open", t: 1100, id: 1, name: "run" },
      { type: "open", t: 1300, id: 2, name: "render" },
      { type: "close", t: 1500, id: 2 },
      { type: "close", t: 1800, id: 1 },
      { type: "rss", t: 1900, rss: 50 * 1048576 },
    ),
  );
  const flat = { ...rec, brackets: rec.brackets.slice(0, 1) };
  const withNested = await colourColumns(await renderRecordingPng(rec, { width: 800, height: 400 }), bracketColourOnWhite(0));
  const withoutNested = await colourColumns(await renderRecordingPng(flat, { width: 800, height: 400 }), bracketColourOnWhite(0));
  // The nested call covers part of run's fill with its hatching: fewer pixels of the plain fill.
  assert.ok(withNested.count < withoutNested.count * 0.95, `${withNested.count} vs ${withoutNested.count}`);
});
