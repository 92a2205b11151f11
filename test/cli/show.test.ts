import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tsprof, fixture, tempDir } from "../helpers/cli";

const STUDY = fixture("diffusion", "study-small.json");

test("show renders a study result as text, the same as the saved text", () => {
  const r = tsprof(["show", STUDY]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(fixture("diffusion", "study-small.txt"), "utf8"));
});

test("show --format markdown -o writes the study's Markdown", () => {
  const out = join(tempDir(), "study.md");
  const r = tsprof(["show", STUDY, "--format", "markdown", "-o", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(readFileSync(out, "utf8"), readFileSync(fixture("diffusion", "study-small.md"), "utf8"));
});

test("show -o picks the format from the file name", () => {
  const out = join(tempDir(), "again.json");
  const r = tsprof(["show", STUDY, "-o", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(readFileSync(out, "utf8")).results.length, JSON.parse(readFileSync(STUDY, "utf8")).results.length);
});

test("a format the kind does not have: one line listing the available ones, exit 2", () => {
  const r = tsprof(["show", STUDY, "--format", "speedscope"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "tsprof: 'study' results have no 'speedscope' format (available: text, markdown, png, json)\n");
});

test("an unknown format: commander's choices, one line, exit 2", () => {
  const r = tsprof(["show", STUDY, "--format", "svg"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.match(r.stderr, /Allowed choices are text, json, markdown/);
});

test("show renders a memory recording as a terminal chart, and counters as a table", () => {
  const rec = tsprof(["show", fixture("mem", "recordings", "alloc-complete.mem.jsonl")]);
  assert.equal(rec.code, 0, rec.stderr);
  assert.match(rec.stdout, /MiB/);
  const counters = tsprof(["show", fixture("dashboard", "perf-fused-128-cachegrind.json")]);
  assert.equal(counters.code, 0, counters.stderr);
  assert.match(counters.stdout, /Performance counter stats/);
});

test("show --only-user hides libraries and Node's internals in a saved line result, as line --only-user does", () => {
  const saved = join(tempDir(), "line.json");
  const run = tsprof(["line", "--mode", "sample", "--json", saved, fixture("real", "uses-lib.ts")]);
  assert.equal(run.code, 0, run.stderr);
  const all = tsprof(["show", saved]);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /node:internal\//, "the summary lists Node's internals by default");
  const own = tsprof(["show", saved, "--only-user"]);
  assert.equal(own.code, 0, own.stderr);
  assert.match(own.stdout, /uses-lib\.ts:\d+\(/);
  assert.doesNotMatch(own.stdout, /node:internal\/|fakelib\//);
  const direct = tsprof(["line", "--mode", "sample", "--only-user", fixture("real", "uses-lib.ts")]);
  assert.doesNotMatch(direct.stdout, /node:internal\/|fakelib\//);
});

test("show --only-user on a result that is not a line result: one line, exit 2", () => {
  const r = tsprof(["show", STUDY, "--only-user"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "tsprof: --only-user applies to line results, not to a study result\n");
});

test("show -o with a name whose format the kind lacks: one line, exit 2, nothing written (as line -o does)", () => {
  const out = join(tempDir(), "study.speedscope.json");
  const r = tsprof(["show", STUDY, "-o", out]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `tsprof: --output ${out}: 'study' results have no 'speedscope' format (available: text, markdown, png, json)\n`);
  assert.ok(!existsSync(out), "no file written");
});

test("show of a missing file: one line that says what ENOENT means, exit 2", () => {
  const missing = join(tempDir(), "nothere.json");
  const r = tsprof(["show", missing]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `tsprof: cannot read ${missing}: ENOENT (no such file or directory)\n`);
});
