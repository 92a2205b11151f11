import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { readResultFile, resultFromJSON, type CountersResult } from "@tsprof/core";
import { countersRun, perfOperands, studyCountersFrom } from "@tsprof/dashboard";

const FIXTURE = path.resolve(__dirname, "..", "..", "fixtures", "dashboard", "perf-fused-128-cachegrind.json");
// Read as the dashboard reads it: validated, older files upgraded (llLocalMissPct computed).
const recorded = (): CountersResult => readResultFile(FIXTURE, "counters");

test("no PMU (this VM): simulated counters, no IPC, last-level miss % net of node start-up", () => {
  const c = studyCountersFrom(recorded(), "fused", 128);
  assert.equal(c.simulated, true);
  assert.equal(c.ipc, null);
  assert.equal(c.instructions, 1806989941);
  assert.ok(c.cacheMissPct !== null && Math.abs(c.cacheMissPct - (100 * 3559740) / 16203147) < 1e-9);
  assert.match(c.note ?? "", /simulated by cachegrind \(LL 8 MiB; net of node start-up\); IPC needs hardware cycles/);
});

test("without a start-up baseline the whole run is used, and says so", () => {
  const result = recorded();
  result.simulated = { ...result.simulated!, net: null };
  const c = studyCountersFrom(result, "fused", 128);
  assert.equal(c.instructions, result.simulated!.workload.instructions);
  assert.match(c.note ?? "", /whole run/);
});

test("hardware counters, where the machine has them: perf's IPC and cache-miss %", () => {
  const result = recorded();
  result.hardware = { state: "available", message: null };
  result.derived = { ...result.derived, ipc: 1.82, cacheMissPct: 30.191 };
  result.counters = { ...result.counters, instructions: { ...result.counters.instructions, value: 123456, status: "counted" } };
  const c = studyCountersFrom(result, "nested", 256);
  assert.deepEqual([c.simulated, c.ipc, c.cacheMissPct, c.instructions], [false, 1.82, 30.191, 123456]);
});

test("neither: the reason from perf, no numbers", () => {
  const result = recorded();
  result.simulated = null;
  const c = studyCountersFrom(result, "fused", 128);
  assert.deepEqual([c.ipc, c.cacheMissPct, c.instructions], [null, null, null]);
  assert.match(c.note ?? "", /no hardware counters here/);
});

test("counters run on a small grid with few iterations (cachegrind is slow)", () => {
  assert.deepEqual(countersRun([256, 512, 1024, 2048], 500), { size: 256, iterations: 50 });
  assert.deepEqual(countersRun([1024, 2048], 500), { size: 256, iterations: 50 });
  assert.deepEqual(countersRun([32, 64], 5), { size: 32, iterations: 5 });
});

test("perf operands: a script through the loader, or a program after --", () => {
  assert.deepEqual(perfOperands({ script: { script: "/e.js", args: ["--builtin", "x"], modules: [] } }), ["/e.js", "--", "--builtin", "x"]);
  assert.deepEqual(perfOperands({ command: ["/bin/c", "128", "20", "1000"] }), ["--", "/bin/c", "128", "20", "1000"]);
});

test("a workload that dies under cachegrind gives no counters, and says why", () => {
  const file = path.resolve(__dirname, "..", "..", "fixtures", "dashboard", "perf-c-reference-sigill.json");
  const c = studyCountersFrom(resultFromJSON(readFileSync(file, "utf8"), file, "counters"), "c-reference", 256);
  assert.deepEqual([c.ipc, c.cacheMissPct, c.instructions], [null, null, null]);
  assert.equal(c.note, "counters: n/a (under cachegrind the run died of SIGILL; valgrind cannot run some instructions, e.g. AVX-512)");
});
