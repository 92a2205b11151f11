/**
 * Every perf / cachegrind fixture, parsed, with real values checked (not just "no throw").
 * Format detection is part of it: nothing tells the parser which format a file is in.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  detectCachegrind,
  detectPerfFormat,
  parseCachegrind,
  parsePerfStat,
  type ParsedCachegrind,
  type ParsedPerfStat,
} from "@tsprof/perf";
import type { CounterRow } from "@tsprof/core";
import { fixture } from "../helpers/cli";

const DIR = fixture("perf");
const read = (name: string) => readFileSync(join(DIR, name), "utf8");
const perf = (name: string): ParsedPerfStat => parsePerfStat(read(name));
const cg = (name: string): ParsedCachegrind => parseCachegrind(read(name));

/** The single row for an event (optionally at an interval / location / cgroup). */
function row(p: ParsedPerfStat, event: string, where: Partial<Pick<CounterRow, "interval" | "location" | "cgroup">> = {}): CounterRow {
  const rows = p.rows.filter(
    (r) =>
      r.event === event &&
      (where.interval === undefined || r.interval === where.interval) &&
      (where.location === undefined || r.location === where.location) &&
      (where.cgroup === undefined || r.cgroup === where.cgroup),
  );
  assert.equal(rows.length, 1, `expected one ${event} row ${JSON.stringify(where)}, got ${rows.length}`);
  return rows[0];
}
const events = (p: ParsedPerfStat) => p.rows.map((r) => r.event);

const tested = new Set<string>();
function fixtureTest(name: string, fn: () => void): void {
  tested.add(name);
  test(name, fn);
}

// ---- the book's counters (human, older layout: no unit column, metrics after '#') ----------------

const BOOK: Array<[string, string, number, number, number, number]> = [
  // file, label, cycles, instructions, task-clock ms, elapsed s
  ["book-example-6-08-human.txt", "python diffusion_python_memory.py", 329155359015, 598135111009, 94678.127621, 94.749389121],
  ["book-example-6-10-human.txt", "python diffusion_numpy.py", 10194811718, 15165151844, 3059.219862, 3.061883218],
  ["book-example-6-11-human.txt", "python diffusion_numpy.py", 48923515604, 53208756117, 14334.244888, 14.345794896],
  ["book-example-6-15-human.txt", "python diffusion_numpy_memory.py", 7864072570, 13257488848, 2361.473922, 2.363727876],
  ["book-example-6-18-human.txt", "python diffusion_numpy_memory2.py", 4303799244, 4631882411, 1384.555494, 1.386148918],
];
for (const [name, label, cycles, instructions, taskMs, elapsed] of BOOK) {
  fixtureTest(name, () => {
    const p = perf(name);
    assert.equal(p.format, "human");
    assert.equal(p.label, label);
    assert.equal(p.runs, 3);
    assert.deepEqual(p.problems, []);
    assert.equal(p.rows.length, 13);
    assert.equal(row(p, "cycles").value, cycles);
    assert.equal(row(p, "instructions").value, instructions);
    const clock = row(p, "task-clock");
    assert.equal(clock.value, taskMs);
    assert.equal(clock.unit, "msec", "old perf omits the unit; task-clock is msec");
    assert.equal(p.elapsed.seconds, elapsed);
    // The second metric of instructions is a '#'-only line; it belongs to instructions.
    assert.deepEqual(row(p, "instructions").perfMetrics.map((m) => m.unit), ["insns per cycle", "stalled cycles per insn"]);
    assert.equal(row(p, "CPU-migrations").status, "counted");
  });
}

fixtureTest("book-example-6-10-human.txt (values)", () => {
  const p = perf("book-example-6-10-human.txt");
  assert.equal(row(p, "cache-misses").value, 519793);
  assert.deepEqual(row(p, "cache-misses").perfMetrics, [{ value: 0.15, unit: "% of all cache refs" }]);
  assert.equal(row(p, "stalled-cycles-frontend").value, 4435850419);
  assert.deepEqual(row(p, "branch-misses").perfMetrics, [{ value: 0.1, unit: "% of all branches" }]);
});

// ---- VM without a PMU (perf 6.1) --------------------------------------------------------------------

const HW = ["cycles", "stalled-cycles-frontend", "stalled-cycles-backend", "instructions", "cache-references", "cache-misses", "branches", "branch-misses"];

fixtureTest("vm-no-pmu-csv.txt", () => {
  const p = perf("vm-no-pmu-csv.txt");
  assert.equal(p.format, "csv");
  assert.deepEqual(p.problems, []);
  assert.equal(p.rows.length, 13);
  for (const e of HW) assert.equal(row(p, e).status, "not-supported", e);
  assert.equal(row(p, "cycles").value, null);
  assert.deepEqual(
    { value: row(p, "task-clock").value, unit: row(p, "task-clock").unit, running: row(p, "task-clock").runningPct },
    { value: 84.12, unit: "msec", running: 100 },
  );
  assert.equal(row(p, "faults").value, 3215);
  assert.equal(row(p, "cs").value, 49);
  assert.equal(row(p, "migrations").value, 5);
  assert.deepEqual(row(p, "task-clock").perfMetrics, [{ value: 1.053, unit: "CPUs utilized" }]);
  assert.equal(row(p, "task-clock").variancePct, null);
});

fixtureTest("vm-no-pmu-csv-r3.txt", () => {
  const p = perf("vm-no-pmu-csv-r3.txt");
  assert.equal(p.format, "csv");
  assert.deepEqual(p.problems, []);
  // perf 6.1: the variance sits right after the event name, before the run time.
  assert.equal(row(p, "task-clock").variancePct, 0.62);
  assert.equal(row(p, "task-clock").value, 80.62);
  assert.equal(row(p, "task-clock").runningPct, 100);
  assert.deepEqual(row(p, "task-clock").perfMetrics, [{ value: 1.071, unit: "CPUs utilized" }]);
  assert.equal(row(p, "migrations").variancePct, 33.33);
  assert.equal(row(p, "migrations").value, 4);
  assert.equal(row(p, "cycles").variancePct, null, "no variance for what was not counted");
  assert.equal(row(p, "cycles").status, "not-supported");
});

fixtureTest("vm-no-pmu-default-human.txt", () => {
  const p = perf("vm-no-pmu-default-human.txt");
  assert.equal(p.format, "human");
  assert.equal(p.label, "node diffusion.js");
  assert.equal(p.runs, 1);
  assert.deepEqual(events(p), ["task-clock", "context-switches", "cpu-migrations", "page-faults", "cycles", "instructions", "branches", "branch-misses"]);
  assert.equal(row(p, "task-clock").value, 79.67);
  assert.equal(row(p, "page-faults").value, 3224);
  assert.equal(row(p, "branches").status, "not-supported");
  assert.deepEqual(p.elapsed, { seconds: 0.073904275, variancePct: null, userSeconds: 0.062073, sysSeconds: 0.0194, runSeconds: [] });
});

fixtureTest("vm-no-pmu-human-r3.txt", () => {
  const p = perf("vm-no-pmu-human-r3.txt");
  assert.equal(p.runs, 3);
  assert.equal(row(p, "task-clock").variancePct, 3.9);
  assert.equal(row(p, "migrations").variancePct, 60.09);
  assert.equal(row(p, "cs").value, 46);
  assert.equal(p.elapsed.seconds, 0.07775);
  assert.equal(p.elapsed.variancePct, 4.18);
  assert.equal(row(p, "cache-misses").status, "not-supported");
  assert.deepEqual(p.problems, []);
});

fixtureTest("vm-no-pmu-json.txt", () => {
  const p = perf("vm-no-pmu-json.txt");
  assert.equal(p.format, "json");
  assert.equal(p.rows.length, 13);
  assert.equal(row(p, "task-clock").value, 81.262714);
  assert.equal(row(p, "faults").value, 3212);
  assert.equal(row(p, "instructions").status, "not-supported");
  assert.deepEqual(row(p, "instructions").perfMetrics, [], "perf 6.1's 0.000000 metric of a not-supported event is no metric");
  assert.deepEqual(row(p, "cs").perfMetrics, [{ value: 529.147968, unit: "/sec" }]);
});

fixtureTest("cachegrind-node-diffusion-summary.txt", () => {
  const c = cg("cachegrind-node-diffusion-summary.txt");
  assert.equal(c.kind, "summary");
  assert.equal(c.command, "node diffusion.js");
  assert.deepEqual(c.totals, {
    Ir: 818007557, I1mr: 1628991, ILmr: 48501,
    Dr: 205356105, Dw: 99331227, D1mr: 2313721, D1mw: 1063294, DLmr: 51444, DLmw: 149580,
    "LL refs": 5006006, "LL misses": 249525,
  });
  // Only the LL size valgrind chose appears in a summary (from its warning).
  assert.deepEqual(c.geometry.LL, { lineBytes: 64, assoc: 1, sizeBytes: 268435456 });
  assert.deepEqual(c.problems, []);
});

// ---- collected: CSV ------------------------------------------------------------------------------

fixtureTest("collected/csv_lkml_athira_rajeev_interval_per_socket_buggy.csv", () => {
  const p = perf("collected/csv_lkml_athira_rajeev_interval_per_socket_buggy.csv");
  assert.equal(p.format, "csv");
  const clock = row(p, "cpu-clock");
  assert.deepEqual([clock.interval, clock.location, clock.cpus, clock.value, clock.unit], [0.001813453, "S0", 1, 1.87, "msec"]);
  assert.equal(row(p, "instructions").value, 85379);
  // The buggy metric-only line (prefix shifted by one field) still lands on instructions.
  assert.deepEqual(row(p, "instructions").perfMetrics, [{ value: 0.32, unit: "insn per cycle" }, { value: 1.34, unit: "stalled cycles per insn" }]);
  assert.equal(p.problems.length, 1);
  assert.match(p.problems[0], /line 3: .*------/);
});

fixtureTest("collected/csv_lkml_athira_rajeev_per_socket_buggy_prefix.csv", () => {
  const p = perf("collected/csv_lkml_athira_rajeev_per_socket_buggy_prefix.csv");
  assert.equal(p.rows.length, 8);
  assert.ok(p.rows.every((r) => r.location === "S0" && r.cpus === 1 && r.interval === null));
  assert.equal(row(p, "cycles").value, 875807);
  assert.equal(row(p, "stalled-cycles-backend").value, 576839);
  assert.deepEqual(row(p, "instructions").perfMetrics.at(-1), { value: 2, unit: "stalled cycles per insn" });
  assert.deepEqual(p.problems, []);
});

fixtureTest("collected/csv_lkml_claire_jensen_user_events.csv", () => {
  const p = perf("collected/csv_lkml_claire_jensen_user_events.csv");
  assert.deepEqual(events(p), ["task-clock:u", "context-switches:u", "cpu-migrations:u", "page-faults:u"]);
  assert.equal(row(p, "page-faults:u").value, 70);
  assert.equal(row(p, "task-clock:u").value, 1.2);
});

fixtureTest("collected/csv_lkml_kan_liang_group_not_counted.csv", () => {
  const p = perf("collected/csv_lkml_kan_liang_group_not_counted.csv");
  assert.equal(p.rows.length, 6);
  assert.ok(p.rows.every((r) => r.status === "not-counted" && r.value === null && r.runningPct === 0));
  assert.equal(p.rows[5].event, "cycles");
});

fixtureTest("collected/csv_lkml_kan_liang_topdown.csv", () => {
  const p = perf("collected/csv_lkml_kan_liang_topdown.csv");
  assert.equal(p.format, "csv");
  assert.deepEqual(p.rows, []);
  assert.deepEqual(p.perfMetricsOnly, [{ interval: null, values: { retiring: 18, "bad speculation": 16.1, "frontend bound": 40.4, "backend bound": 25.5 } }]);
  assert.deepEqual(p.problems, []);
});

fixtureTest("collected/csv_local_perf6.1_kvm_cgroup_G.csv", () => {
  const p = perf("collected/csv_local_perf6.1_kvm_cgroup_G.csv");
  const r = row(p, "cpu-clock");
  assert.deepEqual([r.status, r.unit, r.cgroup, r.runningPct], ["not-counted", "msec", "/", 100]);
});

fixtureTest("collected/csv_local_perf6.1_kvm_default_not_supported.csv", () => {
  const p = perf("collected/csv_local_perf6.1_kvm_default_not_supported.csv");
  assert.equal(p.rows.length, 8);
  assert.equal(row(p, "page-faults").value, 48);
  assert.equal(row(p, "task-clock").value, 0.45);
  assert.equal(row(p, "branch-misses").status, "not-supported");
});

fixtureTest("collected/csv_local_perf6.1_kvm_interval.csv", () => {
  const p = perf("collected/csv_local_perf6.1_kvm_interval.csv");
  assert.equal(p.format, "csv");
  assert.deepEqual([...new Set(p.rows.map((r) => r.interval))], [0.201539263, 0.401908249, 0.501684105]);
  assert.equal(row(p, "task-clock", { interval: 0.201539263 }).value, 0.77);
  assert.equal(row(p, "task-clock", { interval: 0.401908249 }).status, "not-counted");
  assert.equal(row(p, "context-switches", { interval: 0.201539263 }).value, 1);
  assert.equal(row(p, "cycles", { interval: 0.501684105 }).status, "not-supported");
});

fixtureTest("collected/csv_local_perf6.1_kvm_no_aggr_A.csv", () => {
  const p = perf("collected/csv_local_perf6.1_kvm_no_aggr_A.csv");
  assert.equal(row(p, "cpu-clock", { location: "CPU0" }).value, 101.77);
  assert.equal(row(p, "cpu-clock", { location: "CPU1" }).value, 101.82);
  assert.equal(row(p, "cpu-clock", { location: "CPU1" }).cpus, null);
  assert.equal(row(p, "cycles", { location: "CPU0" }).status, "not-supported");
});

fixtureTest("collected/csv_local_perf6.1_kvm_nonroot_paranoid2_u_suffix.csv", () => {
  const p = perf("collected/csv_local_perf6.1_kvm_nonroot_paranoid2_u_suffix.csv");
  assert.deepEqual(events(p), ["cycles:u", "instructions:u", "task-clock:u"]);
  assert.equal(row(p, "task-clock:u").value, 0.4);
});

fixtureTest("collected/csv_local_perf6.1_kvm_per_core.csv", () => {
  const p = perf("collected/csv_local_perf6.1_kvm_per_core.csv");
  const c1 = row(p, "cpu-clock", { location: "S0-D0-C1" });
  assert.deepEqual([c1.value, c1.cpus], [101.98, 1]);
  assert.equal(row(p, "cycles", { location: "S0-D0-C0" }).status, "not-supported");
});

fixtureTest("collected/csv_local_perf6.1_kvm_repeat3.csv", () => {
  const p = perf("collected/csv_local_perf6.1_kvm_repeat3.csv");
  assert.equal(row(p, "task-clock").variancePct, 6.73);
  assert.equal(row(p, "page-faults").variancePct, 0.67);
  assert.equal(row(p, "page-faults").value, 50);
  assert.deepEqual(row(p, "page-faults").perfMetrics, [{ value: 109.435, unit: "K/sec" }]);
});

fixtureTest("collected/csv_local_perf6.1_kvm_semicolon_sep.csv", () => {
  const text = read("collected/csv_local_perf6.1_kvm_semicolon_sep.csv");
  assert.equal(detectPerfFormat(text), "csv");
  const p = parsePerfStat(text);
  assert.deepEqual(events(p), ["cycles", "instructions"]);
  assert.ok(p.rows.every((r) => r.status === "not-supported" && r.runningPct === 100));
});

// ---- collected: errors (perf's own messages are not counters) ------------------------------------

for (const name of ["error_local_perf6.1_bad_event.txt", "error_local_perf6.1_missing_workload.txt", "error_local_perf6.1_paranoid2_nonroot_system_wide.txt"]) {
  fixtureTest(`collected/${name}`, () => {
    const p = perf(`collected/${name}`);
    assert.deepEqual(p.rows, []);
    assert.ok(p.problems.length >= 1, "every line is reported as unread");
  });
}

// ---- collected: human -------------------------------------------------------------------------------

fixtureTest("collected/human_interval_lkml_ctlfd_not_counted.txt", () => {
  const p = perf("collected/human_interval_lkml_ctlfd_not_counted.txt");
  assert.equal(p.rows.length, 8);
  assert.equal(p.rows.filter((r) => r.status === "not-counted").length, 4);
  assert.equal(row(p, "cpu-cycles", { interval: 6.010387483 }).value, 83472992);
  // The script's own interleaved lines are reported, not silently dropped.
  assert.deepEqual(p.problems.map((x) => x.split(":")[0]), ["line 1", "line 7", "line 8"]);
});

fixtureTest("collected/human_interval_lkml_kfree_skb.txt", () => {
  const p = perf("collected/human_interval_lkml_kfree_skb.txt");
  assert.equal(p.rows.length, 10);
  assert.equal(row(p, "skb:kfree_skb", { interval: 9.326499044 }).value, 365239);
  assert.equal(p.rows.reduce((s, r) => s + (r.value ?? 0), 0), 10108 + 11178 + 10770 + 11334 + 12020 + 11117 + 12753 + 10566 + 365239 + 313105);
});

fixtureTest("collected/human_kernel_doc_bpf_prog_example.txt", () => {
  const p = perf("collected/human_kernel_doc_bpf_prog_example.txt");
  assert.equal(p.label, "BPF program(s) 17247");
  assert.equal(row(p, "cycles").value, 85967);
  assert.deepEqual(row(p, "instructions").perfMetrics, [{ value: 0.34, unit: "insn per cycle" }]);
  assert.equal(p.elapsed.seconds, 1.102235068);
});

fixtureTest("collected/human_kernel_doc_perf_stat_make_example.txt", () => {
  const p = perf("collected/human_kernel_doc_perf_stat_make_example.txt");
  const clock = row(p, "task-clock:u");
  assert.deepEqual([clock.value, clock.unit], [83723.452481, "msec"], "unit printed after the event: 'task-clock:u (msec)'");
  assert.equal(row(p, "cycles:u").value, 229570665834);
  assert.equal(row(p, "branch-misses:u").value, 2078861393);
  assert.deepEqual([p.elapsed.seconds, p.elapsed.userSeconds, p.elapsed.sysSeconds], [83.40918362, 74.684747, 8.739217]);
});

fixtureTest("collected/human_kernel_doc_table_repeat_example.txt", () => {
  const p = perf("collected/human_kernel_doc_table_repeat_example.txt");
  assert.equal(p.runs, 5);
  assert.deepEqual(p.elapsed.runSeconds, [5.189, 5.189, 5.186, 5.663, 6.186]);
  assert.equal(p.elapsed.seconds, 5.483);
  assert.equal(p.elapsed.variancePct, 3.62);
  assert.deepEqual(p.problems, []);
});

fixtureTest("collected/human_kernel_doc_topdown_interval_metric_only.txt", () => {
  const p = perf("collected/human_kernel_doc_topdown_interval_metric_only.txt");
  assert.equal(p.perfMetricsOnly.length, 6);
  assert.deepEqual(p.perfMetricsOnly[0], {
    interval: 1.001141351,
    values: { tma_retiring: 11.5, tma_backend_bound: 34.9, tma_frontend_bound: 46.9, tma_bad_speculation: 6.7 },
  });
  assert.equal(p.perfMetricsOnly[5].values.tma_bad_speculation, 7.3);
  assert.deepEqual(p.problems, []);
});

fixtureTest("collected/human_lkml_ankur_arora_memset_repeat_multiplex_broadwellx_movnt.txt", () => {
  const p = perf("collected/human_lkml_ankur_arora_memset_repeat_multiplex_broadwellx_movnt.txt");
  assert.equal(p.rows.length, 13);
  const cycles = row(p, "cpu-cycles");
  assert.deepEqual([cycles.value, cycles.variancePct, cycles.runningPct], [1619807936, 0.24, 22.14]);
  const stores = row(p, "LLC-stores");
  assert.deepEqual([stores.value, stores.variancePct, stores.runningPct], [2, 100, 11.08]);
  const last = row(p, "LLC-store-misses");
  assert.deepEqual([last.value, last.variancePct, last.runningPct], [0, null, 11.07], "multiplex share without variance");
  assert.deepEqual(row(p, "L1-dcache-load-misses").perfMetrics, [{ value: 68.42, unit: "% of all L1-dcache accesses" }]);
  assert.equal(p.elapsed.variancePct, 0.1);
});

fixtureTest("collected/human_lkml_ctshao_not_supported_nan_metric.txt", () => {
  const p = perf("collected/human_lkml_ctshao_not_supported_nan_metric.txt");
  const clock = row(p, "cpu-clock:u");
  assert.equal(clock.status, "not-supported");
  assert.equal(clock.perfMetrics[0].value, null, "nan metric is null, not NaN");
  assert.equal(row(p, "duration_time").value, 1006356120);
  assert.equal(row(p, "duration_time").unit, "ns");
});

fixtureTest("collected/human_lkml_qi_zheng_cgroup_G_repeat.txt", () => {
  const p = perf("collected/human_lkml_qi_zheng_cgroup_G_repeat.txt");
  const ins = row(p, "instructions", { cgroup: "test" });
  assert.deepEqual([ins.value, ins.variancePct, ins.runningPct], [527258677936, 15.11, 98.68]);
  assert.equal(row(p, "cycles", { cgroup: "test" }).value, 841954709443);
  assert.equal(p.runs, 5);
});

fixtureTest("collected/human_local_perf6.1_kvm_cgroup_G.txt", () => {
  const p = perf("collected/human_local_perf6.1_kvm_cgroup_G.txt");
  assert.equal(row(p, "cpu-clock", { cgroup: "/" }).status, "not-counted");
  assert.equal(row(p, "cycles", { cgroup: "/" }).status, "not-supported");
  assert.equal(p.label, "system wide");
});

fixtureTest("collected/human_local_perf6.1_kvm_default_not_supported.txt", () => {
  const p = perf("collected/human_local_perf6.1_kvm_default_not_supported.txt");
  assert.equal(p.label, "true");
  assert.equal(row(p, "page-faults").value, 50);
  assert.equal(row(p, "task-clock").value, 0.43);
  assert.equal(p.elapsed.seconds, 0.000865975);
});

fixtureTest("collected/human_local_perf6.1_kvm_detailed_d.txt", () => {
  const p = perf("collected/human_local_perf6.1_kvm_detailed_d.txt");
  assert.equal(p.rows.length, 12);
  assert.equal(row(p, "LLC-load-misses").status, "not-supported");
  assert.equal(row(p, "page-faults").value, 49);
});

fixtureTest("collected/human_local_perf6.1_kvm_interval.txt", () => {
  const p = perf("collected/human_local_perf6.1_kvm_interval.txt");
  assert.equal(p.rows.length, 9);
  assert.equal(row(p, "context-switches", { interval: 0.200288806 }).value, 2);
  assert.equal(row(p, "task-clock", { interval: 0.501953701 }).value, 0.28);
  assert.equal(row(p, "task-clock", { interval: 0.400727255 }).status, "not-counted");
});

fixtureTest("collected/human_local_perf6.1_kvm_per_core.txt", () => {
  const p = perf("collected/human_local_perf6.1_kvm_per_core.txt");
  const c0 = row(p, "cpu-clock", { location: "S0-D0-C0" });
  assert.deepEqual([c0.value, c0.cpus, c0.unit], [101.81, 1, "msec"]);
  assert.equal(row(p, "cycles", { location: "S0-D0-C1" }).status, "not-supported");
});

fixtureTest("collected/human_local_perf6.1_kvm_repeat3.txt", () => {
  const p = perf("collected/human_local_perf6.1_kvm_repeat3.txt");
  assert.equal(row(p, "task-clock").variancePct, 3.52);
  assert.equal(row(p, "page-faults").value, 48);
  assert.equal(p.elapsed.seconds, 0.0008312);
  assert.equal(p.elapsed.variancePct, 2.76);
});

// ---- collected: JSON ----------------------------------------------------------------------------------

fixtureTest("collected/json_lkml_ctshao_not_supported_nan.json", () => {
  const p = perf("collected/json_lkml_ctshao_not_supported_nan.json");
  assert.equal(p.format, "json");
  assert.equal(row(p, "cpu-clock:u").status, "not-supported");
  assert.deepEqual(row(p, "cpu-clock:u").perfMetrics, [{ value: null, unit: "CPUs CPUs_utilized" }]);
  assert.equal(row(p, "duration_time").value, 1006642462);
  assert.equal(row(p, "duration_time").unit, "ns");
});

fixtureTest("collected/json_lkml_james_clark_hybrid_not_counted_before.json", () => {
  const p = perf("collected/json_lkml_james_clark_hybrid_not_counted_before.json");
  assert.equal(row(p, "cpu_atom/branch-misses/").status, "not-counted");
  assert.equal(row(p, "cpu_atom/branch-misses/").runningPct, 0);
  // Later perf: metric-value is a quoted string.
  assert.deepEqual(row(p, "cpu_core/branch-misses/").perfMetrics, [{ value: 3.553394, unit: "of all branches" }]);
  assert.equal(row(p, "cpu_core/branch-misses/").value, 6326);
});

fixtureTest("collected/json_local_perf6.1_kvm_cgroup_G.json", () => {
  const p = perf("collected/json_local_perf6.1_kvm_cgroup_G.json");
  assert.equal(row(p, "cpu-clock", { cgroup: "/" }).status, "not-counted");
});

fixtureTest("collected/json_local_perf6.1_kvm_default_not_supported.json", () => {
  const p = perf("collected/json_local_perf6.1_kvm_default_not_supported.json");
  assert.equal(row(p, "task-clock").value, 0.489457);
  assert.equal(row(p, "page-faults").value, 48);
  assert.deepEqual(row(p, "page-faults").perfMetrics, [{ value: 98.067859, unit: "K/sec" }]);
});

fixtureTest("collected/json_local_perf6.1_kvm_interval.json", () => {
  const p = perf("collected/json_local_perf6.1_kvm_interval.json");
  assert.equal(row(p, "task-clock", { interval: 0.200294415 }).value, 0.699578);
  assert.equal(row(p, "task-clock", { interval: 0.40075725 }).status, "not-counted");
  assert.equal(row(p, "task-clock", { interval: 0.501532394 }).value, 0.059438);
});

fixtureTest("collected/json_local_perf6.1_kvm_per_core.json", () => {
  const p = perf("collected/json_local_perf6.1_kvm_per_core.json");
  const c1 = row(p, "cpu-clock", { location: "S0-D0-C1" });
  assert.deepEqual([c1.value, c1.cpus], [101.87093, 1]);
});

fixtureTest("collected/json_local_perf6.1_kvm_repeat3.json", () => {
  const p = perf("collected/json_local_perf6.1_kvm_repeat3.json");
  assert.equal(row(p, "task-clock").variancePct, 3.17);
  assert.equal(row(p, "page-faults").variancePct, 0.67);
  assert.equal(row(p, "cycles").variancePct, null);
});

// ---- collected: cachegrind -----------------------------------------------------------------------------

const CG_T_TOTALS = { Ir: 5043472, I1mr: 1257, ILmr: 1238, Dr: 94727, D1mr: 66842, DLmr: 1001, Dw: 1059299, D1mw: 65953, DLmw: 65887 };

fixtureTest("collected/cachegrind_local_valgrind319_summary.txt", () => {
  const c = cg("collected/cachegrind_local_valgrind319_summary.txt");
  assert.equal(c.kind, "summary");
  assert.equal(c.command, "./cg_t");
  for (const [k, v] of Object.entries(CG_T_TOTALS)) assert.equal(c.totals[k], v, k);
  assert.equal(c.totals["LL refs"], 134052);
});

fixtureTest("collected/cachegrind_out_local_valgrind319.txt", () => {
  const c = cg("collected/cachegrind_out_local_valgrind319.txt");
  assert.equal(c.kind, "cachegrind.out");
  assert.deepEqual(c.geometry, {
    I1: { sizeBytes: 32768, lineBytes: 64, assoc: 8 },
    D1: { sizeBytes: 32768, lineBytes: 64, assoc: 8 },
    LL: { sizeBytes: 268435456, lineBytes: 64, assoc: 1 },
  });
  assert.deepEqual(c.totals, CG_T_TOTALS);
  assert.deepEqual(c.problems, []);
  assert.deepEqual(c.functions[0], { file: "cg_t.c", name: "main", costs: { Ir: 4915214, I1mr: 2, ILmr: 2, Dr: 65537, D1mr: 65535, DLmr: 0, Dw: 1048578, D1mw: 65537, DLmw: 65536 } });
  // The summary line agrees with the sum of every cost line.
  const sumIr = c.functions.reduce((s, f) => s + (f.costs.Ir ?? 0), 0);
  assert.equal(sumIr, CG_T_TOTALS.Ir);
});

fixtureTest("collected/cg_annotate_local_valgrind319.txt", () => {
  const c = cg("collected/cg_annotate_local_valgrind319.txt");
  assert.equal(c.kind, "cg_annotate");
  assert.equal(c.command, "./cg_t");
  assert.deepEqual(c.totals, CG_T_TOTALS);
  assert.deepEqual(c.geometry.LL, { sizeBytes: 268435456, lineBytes: 64, assoc: 1 });
  assert.equal(c.functions.length, 7);
  assert.deepEqual([c.functions[0].file, c.functions[0].name, c.functions[0].costs.D1mw], ["cg_t.c", "main", 65537]);
  assert.deepEqual([c.functions[2].name, c.functions[2].costs.Dw, c.functions[2].costs.D1mw], ["__GI___tunables_init", 6, 0]);
  assert.deepEqual(c.problems, []);
});

// ---- format sniffing and coverage ---------------------------------------------------------------------

test("formats are detected, never told", () => {
  assert.equal(detectPerfFormat(read("vm-no-pmu-json.txt")), "json");
  assert.equal(detectPerfFormat(read("vm-no-pmu-csv.txt")), "csv");
  assert.equal(detectPerfFormat(read("vm-no-pmu-human-r3.txt")), "human");
  assert.equal(detectPerfFormat(read("collected/csv_local_perf6.1_kvm_interval.csv")), "csv");
  assert.equal(detectPerfFormat(read("collected/human_interval_lkml_kfree_skb.txt")), "human");
  assert.equal(detectPerfFormat(""), null);
  assert.equal(detectCachegrind(read("collected/cachegrind_out_local_valgrind319.txt")), "cachegrind.out");
  assert.equal(detectCachegrind(read("collected/cg_annotate_local_valgrind319.txt")), "cg_annotate");
  assert.equal(detectCachegrind(read("cachegrind-node-diffusion-summary.txt")), "summary");
  assert.equal(detectCachegrind(read("vm-no-pmu-human-r3.txt")), null);
});

test("a human table with a large grouped value is not mistaken for CSV", () => {
  const text = "     1,234,567,890,123      cycles\n        12,345      instructions      #    0.00  insn per cycle\n";
  assert.equal(detectPerfFormat(text), "human");
  assert.equal(parsePerfStat(text).rows[0].value, 1234567890123);
});

test("every fixture file has a test", () => {
  const files = [
    ...readdirSync(DIR).filter((f) => /\.(txt|csv|json)$/.test(f)),
    ...readdirSync(join(DIR, "collected")).filter((f) => f !== "SOURCES.txt").map((f) => `collected/${f}`),
  ];
  const covered = [...tested].map((t) => t.replace(/ \(.*\)$/, ""));
  const missing = files.filter((f) => !covered.includes(f));
  assert.deepEqual(missing, []);
});
