// Unit tests of the steps parseRecording is built from: reading the lines, the samples, the brackets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { memStatusLine, readRecordingLines, recordingSamples, recordingBrackets } from "@tsprof/mem";

const MiB = 1048576;
const lines = (...objs: unknown[]): string => objs.map((o) => JSON.stringify(o)).join("\n") + "\n";

test("readRecordingLines files each line by type, counts cut and unknown lines, pairs open/close", () => {
  const text =
    lines(
      { type: "header", kind: "mem-recording", schemaVersion: 1, command: [], startedAt: "", startEpochMs: 1000, intervalMs: 10, includeChildren: false, script: "s.ts" },
      { type: "rss", t: 1010, rss: 40 * MiB },
      { type: "rss", t: 1011, rss: 0 },
      { type: "heap", t: 1012, heapUsed: MiB, heapTotal: 2 * MiB, external: 0, arrayBuffers: 0 },
      { type: "open", t: 1013, id: 1, name: "a" },
      { type: "close", t: 1020, id: 1 },
      { type: "close", t: 1021, id: 9 },
      { type: "open", t: 1030, id: 2, name: "b" },
      { type: "baseline", t: 1001, rss: 30 * MiB },
      { type: "reference", rss: 20 * MiB },
      { type: "exit", t: 1040 },
      { type: "mystery" },
      { type: "end", t: 1050, exitCode: 3, signal: null },
    ) + '{"type":"rss","t":10';
  const read = readRecordingLines(text);
  assert.equal(read.header?.startEpochMs, 1000);
  assert.deepEqual(read.rss, [{ type: "rss", t: 1010, rss: 40 * MiB }], "RSS 0 (an exited process) is dropped");
  assert.equal(read.heap.length, 1);
  assert.deepEqual(read.closed, [{ name: "a", start: 1013, end: 1020 }], "a close without its open is ignored");
  assert.deepEqual([...read.opens.entries()], [[2, { t: 1030, name: "b" }]]);
  assert.equal(read.baselineRss, 30 * MiB);
  assert.equal(read.referenceRss, 20 * MiB);
  assert.equal(read.exitT, 1040);
  assert.equal(read.end?.exitCode, 3);
  assert.equal(read.skipped, 2, "the unknown type and the cut last line");
});

test("readRecordingLines of text with no lines is empty, with no header", () => {
  const read = readRecordingLines("\n\n");
  assert.equal(read.header, null);
  assert.equal(read.skipped, 0);
  assert.equal(read.rss.length + read.heap.length + read.closed.length + read.opens.size, 0);
});

test("recordingSamples makes times relative, converts to MiB, sorts, and stops RSS at the exit handler", () => {
  const read = readRecordingLines(
    lines(
      { type: "rss", t: 1030, rss: 4 * MiB },
      { type: "heap", t: 1020, heapUsed: MiB, heapTotal: 2 * MiB, external: 3 * MiB, arrayBuffers: MiB / 2 },
      { type: "rss", t: 1010, rss: 2 * MiB },
      { type: "exit", t: 1035 },
      { type: "rss", t: 1040, rss: 9 * MiB },
    ),
  );
  const samples = recordingSamples(read, 1000);
  assert.deepEqual(
    samples.map((s) => [s.tMs, s.rssMiB, s.heapUsedMiB]),
    [
      [10, 2, null],
      [20, null, 1],
      [30, 4, null],
    ],
  );
  assert.deepEqual(samples[1], { tMs: 20, rssMiB: null, heapUsedMiB: 1, heapTotalMiB: 2, externalMiB: 3, arrayBuffersMiB: 0.5 });
});

test("recordingBrackets: closed ones as recorded, open ones to the last heap sample after they opened, else to lastT", () => {
  const read = readRecordingLines(
    lines(
      { type: "open", t: 1050, id: 1, name: "late" },
      { type: "open", t: 1005, id: 2, name: "early" },
      { type: "open", t: 1002, id: 3, name: "done" },
      { type: "close", t: 1004, id: 3 },
      { type: "heap", t: 1030, heapUsed: MiB, heapTotal: MiB, external: 0, arrayBuffers: 0 },
    ),
  );
  assert.deepEqual(recordingBrackets(read, 1000, 80), [
    { name: "done", startMs: 2, endMs: 4 },
    { name: "early", startMs: 5, endMs: 30, open: true },
    // Opened after the last heap sample: runs to lastT.
    { name: "late", startMs: 50, endMs: 80, open: true },
  ]);
  // With no sample at all after it opened, an open bracket never ends before it starts.
  assert.equal(recordingBrackets(read, 1000, 0).find((b) => b.name === "late")?.endMs, 50);
});

test("memStatusLine shows elapsed seconds, current and peak RSS in MiB", () => {
  assert.equal(memStatusLine(1234, 10 * MiB, 25.25 * MiB), "[tsprof mem] 1.2 s  RSS 10.0 MiB  peak 25.3 MiB");
  assert.equal(memStatusLine(0, 0, 0), "[tsprof mem] 0.0 s  RSS 0.0 MiB  peak 0.0 MiB");
});

test("newFileData: one table per slot, calls per function, maxima below any reading, minima above", async () => {
  const { newFileData } = await import("../../packages/mem/src/line-collector");
  const meta = {
    file: "/x.ts",
    functions: [{}, {}],
    slots: [{}, {}, {}],
  } as unknown as Parameters<typeof newFileData>[0];
  const data = newFileData(meta);
  assert.equal(data.meta, meta);
  assert.equal(data.calls.length, 2);
  for (const key of ["occurrences", "rssIncrement", "heapIncrement", "heapGrowth", "growthCount"] as const) {
    assert.deepEqual([...data[key]], [0, 0, 0], key);
  }
  assert.deepEqual([...data.rssMax], [-1, -1, -1]);
  assert.deepEqual([...data.heapMax], [-1, -1, -1]);
  assert.deepEqual([...data.growthMin], [Infinity, Infinity, Infinity]);
});
