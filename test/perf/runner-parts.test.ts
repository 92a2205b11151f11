/**
 * The runner's pure parts: perf's -r statistics (we repeat perf ourselves so Ctrl-C keeps what was
 * measured), reading perf's failures into one line, options parsing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  aggregateRuns,
  diagnosePerfStderr,
  meanAndVariancePct,
  parseGeometry,
  parsePerOption,
  parsePerfCsv,
  readPerfEventParanoid,
  splitEventList,
  userOnlyNote,
  workloadSignalFromStderr,
} from "@tsprof/perf";
import { fixture } from "../helpers/cli";

const collected = (name: string) => readFileSync(join(fixture("perf", "collected"), name), "utf8");

test("perf's -r statistics: mean and relative standard deviation of the mean", () => {
  assert.deepEqual(meanAndVariancePct([5]), { mean: 5, variancePct: 0 });
  const { mean, variancePct } = meanAndVariancePct([10, 12, 14]);
  assert.equal(mean, 12);
  // s^2 = 4, sd of the mean = sqrt(4/3) = 1.1547, / 12 = 9.62 %
  assert.ok(Math.abs(variancePct - (100 * Math.sqrt(4 / 3)) / 12) < 1e-12);
  // migrations 0, 1, 2 (as in vm-no-pmu-human-r3's "± 57.74%"-style figures)
  assert.ok(Math.abs(meanAndVariancePct([0, 1, 2]).variancePct - 57.735) < 0.001);
});

test("single runs combine like perf stat -r: mean, variance, not-supported kept, wall time averaged", () => {
  const run = (clock: number, faults: number) =>
    parsePerfCsv(`${clock},msec,task-clock,${clock * 1e6},100.00,1.000,CPUs utilized\n${faults},,faults,${clock * 1e6},100.00,1.0,K/sec\n<not supported>,,cycles,0,100.00,,\n`);
  const runs = [run(10, 3000), run(12, 3010), run(14, 3020)];
  runs.forEach((r, i) => (r.elapsed.seconds = 0.02 + i * 0.001));
  const all = aggregateRuns(runs);
  assert.equal(all.runs, 3);
  const clock = all.rows.find((r) => r.event === "task-clock")!;
  assert.equal(clock.value, 12);
  assert.ok(Math.abs((clock.variancePct ?? 0) - 9.6225) < 1e-3);
  assert.equal(clock.unit, "msec");
  assert.equal(all.rows.find((r) => r.event === "faults")!.value, 3010);
  const cycles = all.rows.find((r) => r.event === "cycles")!;
  assert.deepEqual([cycles.status, cycles.value, cycles.variancePct], ["not-supported", null, null]);
  assert.ok(Math.abs((all.elapsed.seconds ?? 0) - 0.021) < 1e-12);
  assert.deepEqual(all.elapsed.runSeconds, [0.02, 0.021, 0.022]);
  assert.deepEqual(aggregateRuns([runs[0]]).rows, runs[0].rows, "one run is itself");
});

test("perf's failures read into one line with the fix", () => {
  const blocked = diagnosePerfStderr(collected("error_local_perf6.1_paranoid2_nonroot_system_wide.txt"));
  assert.equal(blocked.hardware?.state, "blocked");
  assert.match(blocked.hardware?.message ?? "", /perf_event_paranoid=2\).*fix: sudo sysctl kernel\.perf_event_paranoid=1/);
  assert.equal(diagnosePerfStderr(collected("error_local_perf6.1_bad_event.txt")).usage, "perf does not know the event 'bogus_event' (see 'perf list')");
  const inList = "event syntax error: 'task-clock,bogus_event,duration_time'\n                                \\___ parser error\n";
  assert.equal(diagnosePerfStderr(inList).usage, "perf does not know the event 'bogus_event' (see 'perf list')");
  assert.deepEqual(diagnosePerfStderr(collected("error_local_perf6.1_missing_workload.txt")), {});
  assert.match(userOnlyNote(["cycles:u", "task-clock:u"]) ?? "", /user space only.*perf_event_paranoid=1/);
  assert.equal(userOnlyNote(["cycles", "task-clock"]), null);
  const paranoid = readPerfEventParanoid();
  assert.ok(paranoid === null || Number.isInteger(paranoid));
  assert.equal(readPerfEventParanoid("/nonexistent/paranoid"), null);
});

test("a workload killed by a signal is recognised from perf's psignal line", () => {
  assert.equal(workloadSignalFromStderr("some output\n/usr/bin/node: Killed\n", "/usr/bin/node"), "SIGKILL");
  assert.equal(workloadSignalFromStderr("/usr/bin/node: Segmentation fault\n", "/usr/bin/node"), "SIGSEGV");
  assert.equal(workloadSignalFromStderr("other: Killed\n", "/usr/bin/node"), null);
  assert.equal(workloadSignalFromStderr("/usr/bin/node: something else\n", "/usr/bin/node"), null);
});

test("option values: --per and cache geometry", () => {
  assert.deepEqual(parsePerOption("262144"), { count: 262144, label: "item" });
  assert.deepEqual(parsePerOption("262_144:grid cell"), { count: 262144, label: "grid cell" });
  assert.throws(() => parsePerOption("0"), /positive number/);
  assert.throws(() => parsePerOption("-5:x"), /positive number/);
  assert.deepEqual(parseGeometry("32768,8,64"), { sizeBytes: 32768, assoc: 8, lineBytes: 64 });
  assert.deepEqual(parseGeometry("8M,16,64"), { sizeBytes: 8 * 1024 * 1024, assoc: 16, lineBytes: 64 });
  // cachegrind's rules: power-of-two line size and number of sets; any associativity.
  assert.deepEqual(parseGeometry("48K,12,64"), { sizeBytes: 49152, assoc: 12, lineBytes: 64 });
  assert.equal(parseGeometry("1000,3,64"), null);
  assert.equal(parseGeometry("32768,8,48"), null);
  assert.equal(parseGeometry("32768,8"), null);
});

test("-e lists split at top-level commas only", () => {
  assert.deepEqual(splitEventList("cycles,instructions"), ["cycles", "instructions"]);
  assert.deepEqual(splitEventList("cpu/event=0x3c,umask=0x00/,task-clock"), ["cpu/event=0x3c,umask=0x00/", "task-clock"]);
  assert.deepEqual(splitEventList("{cycles,instructions},faults"), ["{cycles,instructions}", "faults"]);
  assert.deepEqual(splitEventList(" cycles:u , ,branches "), ["cycles:u", "branches"]);
  assert.deepEqual(splitEventList(""), []);
});
