import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  parseRecording,
  readRecording,
  recordingFileName,
  listRecordings,
  recordingPeak,
  recordingDurationMs,
  RecordingError,
  renderMemRecording,
} from "@tsprof/mem";

const fixtures = join(__dirname, "..", "..", "fixtures", "mem", "recordings");
const completeText = readFileSync(join(fixtures, "alloc-complete.mem.jsonl"), "utf8");

test("a complete recording parses into samples, brackets and the exit", () => {
  const rec = parseRecording(completeText);
  assert.equal(rec.kind, "mem-recording");
  assert.equal(rec.complete, true);
  assert.equal(rec.exitCode, 0);
  assert.equal(rec.signal, null);
  assert.equal(rec.intervalMs, 10);
  const rssLines = completeText.split("\n").filter((l) => l.includes('"type":"rss"')).length;
  const heapLines = completeText.split("\n").filter((l) => l.includes('"type":"heap"')).length;
  assert.equal(rec.samples.filter((s) => s.rssMiB !== null).length, rssLines);
  assert.equal(rec.samples.filter((s) => s.heapUsedMiB !== null).length, heapLines);
  // Sorted by time, relative to the header's start.
  for (let i = 1; i < rec.samples.length; i++) assert.ok(rec.samples[i].tMs >= rec.samples[i - 1].tMs);
  assert.ok(rec.samples[0].tMs >= 0);
  assert.deepEqual(
    rec.brackets.map((b) => b.name),
    ["allocate", "churn", "churn"],
  );
  for (const b of rec.brackets) {
    assert.ok(b.endMs > b.startMs);
    assert.equal(b.open, undefined);
  }
});

test("a recording cut by a crash: truncated last line skipped, open brackets run to the last heap sample", () => {
  const lines = completeText.split("\n").filter(Boolean);
  const closeOfAllocate = lines.findIndex((l) => l.includes('"type":"close"') && l.includes('"id":1}'));
  assert.ok(closeOfAllocate > 0);
  // Keep everything before allocate's close, then half a line, no end line.
  const cut = lines.slice(0, closeOfAllocate).join("\n") + "\n" + lines[closeOfAllocate + 1].slice(0, 20);
  const rec = parseRecording(cut);
  assert.equal(rec.complete, false);
  assert.equal(rec.exitCode, null);
  assert.equal(rec.skippedLines, 1);
  const open = rec.brackets.filter((b) => b.open);
  // allocate (id 1) and the second churn (id 3) were still open where the file was cut.
  assert.deepEqual(
    open.map((b) => b.name),
    ["allocate", "churn"],
  );
  // Open brackets end at the child's last heap sample (its last sign of life).
  const heapSamples = rec.samples.filter((s) => s.heapUsedMiB !== null);
  const lastHeap = heapSamples[heapSamples.length - 1].tMs;
  for (const b of open) assert.equal(b.endMs, lastHeap);
  assert.deepEqual(
    rec.brackets.filter((b) => !b.open).map((b) => b.name),
    ["churn"],
  );
});

test("not a recording: one-line errors", () => {
  assert.throws(() => parseRecording("hello\nworld\n", "x.jsonl"), (e: unknown) => e instanceof RecordingError && /x\.jsonl: not a tsprof memory recording/.test((e as Error).message));
  assert.throws(() => parseRecording('{"type":"header","kind":"mem-recording","schemaVersion":99}\n', "y"), /schema version 99/);
  assert.throws(() => readRecording("/nonexistent/r.mem.jsonl"), /cannot read \/nonexistent\/r\.mem\.jsonl: ENOENT/);
});

test("a finalised single-document recording (from --json) reads back the same", () => {
  const rec = parseRecording(completeText);
  const again = parseRecording(JSON.stringify(rec, null, 2));
  assert.deepEqual(again, rec);
});

test("recording names sort by start time and the folder lists oldest first", () => {
  const a = recordingFileName(new Date("2026-01-02T03:04:05.006Z"));
  const b = recordingFileName(new Date("2026-01-02T03:04:05.060Z"));
  const c = recordingFileName(new Date("2026-01-02T10:00:00.000Z"));
  assert.equal(a, "mem-2026-01-02T03-04-05-006.mem.jsonl");
  assert.deepEqual([c, a, b].sort(), [a, b, c]);
  const dir = mkdtempSync(join(tmpdir(), "tsprof-"));
  try {
    for (const name of [c, a, b, "other.txt"]) writeFileSync(join(dir, name), completeText);
    mkdirSync(join(dir, "sub"));
    assert.deepEqual(
      listRecordings(dir).map((e) => e.name),
      [a, b, c],
    );
    assert.deepEqual(listRecordings(join(dir, "missing")), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("peak and duration come from the samples", () => {
  const rec = parseRecording(completeText);
  const peak = recordingPeak(rec)!;
  const maxRss = Math.max(...rec.samples.filter((s) => s.rssMiB !== null).map((s) => s.rssMiB!));
  assert.equal(peak.label, "RSS");
  assert.equal(peak.mib, maxRss);
  assert.ok(recordingDurationMs(rec) >= rec.samples[rec.samples.length - 1].tMs);
  const text = renderMemRecording(rec, { width: 60, height: 10 });
  assert.match(text, new RegExp(`peak RSS ${maxRss.toFixed(1)} MiB`));
  assert.match(text, /allocate: \d+\.\d{3} s - \d+\.\d{3} s/);
});
