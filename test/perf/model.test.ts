/**
 * The counters model: derived metrics computed once by the builder, checked against the metrics
 * perf and cachegrind printed themselves in the fixtures (an independent computation), plus
 * grouping, baseline subtraction, comparisons, JSON and the text renderer.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildCacheTotals,
  buildCountersCompare,
  buildSimulatedCaches,
  canonicalEvent,
  resultFromJSON,
  resultToJSON,
  SCHEMA_VERSION,
  type CountersResult,
} from "@tsprof/core";
import { cacheEventsOf, countersFromText, parseCachegrind, parsePerfStat, renderCounters } from "@tsprof/perf";
import { fixture } from "../helpers/cli";

const read = (name: string) => readFileSync(join(fixture("perf"), name), "utf8");
const counters = (name: string): CountersResult =>
  countersFromText(read(name), { label: name, command: ["perf", "parse", name], startedAt: "2026-11-21T00:00:00.000Z" }).result;

/** |a - b| <= tolerance (perf prints rounded metrics). */
function near(actual: number | null, expected: number, tolerance: number, what: string): void {
  assert.ok(actual !== null, `${what}: null`);
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs perf's ${expected}`);
}

/** perf's own printed metric for an event, from the parsed rows. */
function printed(name: string, event: string, unitPattern: RegExp): number {
  const row = parsePerfStat(read(name)).rows.find((r) => r.event === event);
  const m = row?.perfMetrics.find((x) => unitPattern.test(x.unit));
  assert.ok(m && m.value !== null, `${name}: no printed ${unitPattern} for ${event}`);
  return m.value;
}

for (const book of ["6-08", "6-10", "6-11", "6-15", "6-18"]) {
  const name = `book-example-${book}-human.txt`;
  test(`derived metrics of ${name} agree with what perf printed`, () => {
    const r = counters(name);
    assert.equal(r.kind, "counters");
    assert.equal(r.schemaVersion, SCHEMA_VERSION);
    const d = r.derived;
    near(d.ipc, printed(name, "instructions", /insns per cycle/), 0.005, "ipc");
    near(d.stalledPerInsn, printed(name, "instructions", /stalled cycles per insn/), 0.005, "stalled per insn");
    near(d.ghz, printed(name, "cycles", /GHz/), 0.0005, "GHz");
    near(d.frontendIdlePct, printed(name, "stalled-cycles-frontend", /frontend/), 0.005, "frontend idle %");
    near(d.backendIdlePct, printed(name, "stalled-cycles-backend", /backend/), 0.005, "backend idle %");
    near(d.cacheMissPct, printed(name, "cache-misses", /cache refs/), 0.0005, "cache miss %");
    near(d.branchMissPct, printed(name, "branch-misses", /branches/), 0.005, "branch miss %");
    near(d.cpusUtilized, printed(name, "task-clock", /CPUs utilized/), 0.0005, "CPUs utilized");
    near(d.perSecond["branches"] / 1e6, printed(name, "branches", /M\/sec/), 0.0005, "branches M/sec");
    assert.equal(r.hardware.state, "available");
    assert.equal(r.hardware.message, null);
  });
}

test("the chapter's comparison: 6-15 against 6-10 as ratios", () => {
  const compare = buildCountersCompare([counters("book-example-6-10-human.txt"), counters("book-example-6-15-human.txt")], {
    command: [],
    startedAt: "2026-11-21T00:00:00.000Z",
  });
  assert.equal(compare.kind, "counters-compare");
  assert.equal(compare.ratios[0].counters.cycles, 1);
  near(compare.ratios[1].counters.cycles, 7864072570 / 10194811718, 1e-12, "cycles ratio");
  near(compare.ratios[1].counters["page-faults"], 6527 / 751707, 1e-12, "page-fault ratio");
  near(compare.ratios[1].derived.ipc, (13257488848 / 7864072570) / (15165151844 / 10194811718), 1e-12, "IPC ratio");
  near(compare.ratios[1].derived.elapsedSeconds, 2.363727876 / 3.061883218, 1e-12, "time ratio");
  const text = renderCounters(compare);
  assert.match(text, /cycles\s+10,194,811,718\s+7,864,072,570\s+0\.771x/);
  assert.match(text, /page-faults\s+751,707\s+6,527\s+0\.00868x/);
  assert.match(text, /IPC \(insn per cycle\)\s+1\.49\s+1\.69\s+1\.13x/);
});

test("a VM without a PMU: hardware metrics are null, software counters kept, one-line reason with the fix", () => {
  const r = counters("vm-no-pmu-csv-r3.txt");
  assert.equal(r.hardware.state, "not-supported");
  assert.match(r.hardware.message ?? "", /<not supported>.*software counters kept.*Fix: /);
  assert.equal(r.hardware.message?.includes("\n"), false);
  for (const k of ["ipc", "cacheMissPct", "branchMissPct", "stalledPerInsn", "frontendIdlePct", "backendIdlePct", "ghz"] as const) {
    assert.equal(r.derived[k], null, k);
  }
  // No wall time in CSV: CPUs utilized is perf's own printed value.
  assert.equal(r.derived.cpusUtilized, 1.071);
  near(r.derived.perSecond.faults, 3255 / 0.08062, 1e-6, "faults per second of task-clock");
  assert.equal(r.counters["task-clock"].variancePct, 0.62);
});

test("events are matched through modifiers, hybrid PMU names and perf's aliases", () => {
  assert.equal(canonicalEvent("cycles:u"), "cycles");
  assert.equal(canonicalEvent("cpu-cycles"), "cycles");
  assert.equal(canonicalEvent("cpu_core/branch-misses/"), "branch-misses");
  assert.equal(canonicalEvent("branch-instructions"), "branches");
  assert.equal(canonicalEvent("page-faults"), "faults");
  const make = counters("collected/human_kernel_doc_perf_stat_make_example.txt");
  near(make.derived.ipc, 1.36, 0.005, "ipc of :u events");
  near(make.derived.ghz, 2.742, 0.0005, "GHz of :u events");
  near(make.derived.branchMissPct, 2.98, 0.005, "branch miss % of :u events");
  const multiplexed = counters("collected/human_lkml_ankur_arora_memset_repeat_multiplex_broadwellx_movnt.txt");
  near(multiplexed.derived.ipc, 0.91, 0.005, "ipc from cpu-cycles");
  near(multiplexed.derived.cacheMissPct, 24.474, 0.0005, "cache miss %");
  near(multiplexed.derived.branchMissPct, 0.06, 0.005, "branch miss % from branch-instructions");
});

test("grouped output: totals summed over CPUs and intervals, each group with its own metrics", () => {
  const perCore = counters("collected/csv_local_perf6.1_kvm_per_core.csv");
  assert.deepEqual(perCore.groupedBy, ["location"]);
  assert.equal(perCore.groups.length, 2);
  near(perCore.counters["cpu-clock"].value, 101.97 + 101.98, 1e-9, "summed cpu-clock");
  assert.equal(perCore.counters.cycles.status, "not-supported");
  assert.equal(perCore.derived.cpusUtilized, null, "no wall time for a sum over CPUs");

  const interval = counters("collected/csv_local_perf6.1_kvm_interval.csv");
  assert.deepEqual(interval.groupedBy, ["interval"]);
  assert.deepEqual(interval.groups.map((g) => g.interval), [0.201539263, 0.401908249, 0.501684105]);
  near(interval.counters["task-clock"].value, 0.77 + 0.05, 1e-9, "task-clock over intervals");
  assert.equal(interval.elapsed.seconds, 0.501684105);
  assert.equal(interval.groups[1].counters["task-clock"].status, "not-counted");
  near(interval.groups[0].derived.cpusUtilized, 0.77 / 201.539263, 1e-9, "first interval CPUs utilized");

  const cgroup = counters("collected/human_lkml_qi_zheng_cgroup_G_repeat.txt");
  assert.deepEqual(cgroup.groupedBy, ["cgroup"]);
  near(cgroup.derived.ipc, 0.63, 0.005, "IPC in cgroup 'test'");
});

test("simulated caches: sums and rates match cachegrind's own summary", () => {
  for (const [name, rates] of [
    ["cachegrind-node-diffusion-summary.txt", { i1: 0.2, lli: 0.01, d1: 1.1, lld: 0.1, ll: 0.0 }],
    ["collected/cachegrind_local_valgrind319_summary.txt", { i1: 0.02, lli: 0.02, d1: 11.5, lld: 5.8, ll: 1.1 }],
  ] as const) {
    const parsed = parseCachegrind(read(name));
    const events = cacheEventsOf(parsed);
    assert.ok(events, name);
    const t = buildCacheTotals(events);
    assert.equal(t.llRefs, parsed.totals["LL refs"], `${name} LL refs`);
    assert.equal(t.llMisses, parsed.totals["LL misses"], `${name} LL misses`);
    // cachegrind prints I rates with 2 decimals and D/LL rates with 1.
    near(t.i1MissPct, rates.i1, 0.005, `${name} I1 miss rate`);
    near(t.lliMissPct, rates.lli, 0.005, `${name} LLi miss rate`);
    near(t.d1MissPct, rates.d1, 0.05, `${name} D1 miss rate`);
    near(t.lldMissPct, rates.lld, 0.05, `${name} LLd miss rate`);
    near(t.llMissPct, rates.ll, 0.05, `${name} LL miss rate`);
  }
});

test("simulated caches: the start-up baseline is subtracted once, per-item counts use the net", () => {
  const workload = cacheEventsOf(parseCachegrind(read("cachegrind-node-diffusion-summary.txt")))!;
  const baseline = { Ir: 500_000_000, I1mr: 1_000_000, ILmr: 30_000, Dr: 120_000_000, D1mr: 1_800_000, DLmr: 50_000, Dw: 60_000_000, D1mw: 300_000, DLmw: 90_000 };
  const sim = buildSimulatedCaches({
    geometry: { I1: { sizeBytes: 32768, assoc: 8, lineBytes: 64 }, D1: { sizeBytes: 32768, assoc: 8, lineBytes: 64 }, LL: { sizeBytes: 8388608, assoc: 16, lineBytes: 64 } },
    command: ["valgrind"],
    workload,
    baseline,
    workItems: 1000,
    exitCode: 0,
    signal: null,
  });
  assert.equal(sim.net?.instructions, 818007557 - 500_000_000);
  assert.equal(sim.net?.d1Misses, 2313721 + 1063294 - 1_800_000 - 300_000);
  near(sim.net?.d1MissPct ?? null, (100 * (3377015 - 2_100_000)) / (304687332 - 180_000_000), 1e-9, "net D1 miss rate");
  assert.equal(sim.perItem?.instructions, (818007557 - 500_000_000) / 1000);
  assert.equal(sim.baseline?.instructions, 500_000_000);
  const text = renderCounters({ ...counters("vm-no-pmu-csv.txt"), simulated: sim, workItems: { count: 1000, label: "cell" } });
  assert.match(text, /SIMULATED/);
  assert.match(text, /geometry: I1 32 KiB 8-way 64 B lines · D1 32 KiB 8-way 64 B lines · LL 8 MiB 16-way 64 B lines/);
  assert.match(text, /instructions \(I refs\)\s+318,007,557\s+500,000,000\s+818,007,557\s+318,008/);
  assert.match(text, /per cell/);
});

test("JSON: counters keyed by event name, derived metrics named, and read back by tsprof show's reader", () => {
  const r = counters("book-example-6-10-human.txt");
  const back = resultFromJSON(resultToJSON(r)) as unknown as CountersResult;
  assert.deepEqual(back, r);
  assert.equal(back.counters["cache-misses"].value, 519793);
  assert.deepEqual(Object.keys(back.derived).slice(0, 8), ["ipc", "cacheMissPct", "branchMissPct", "stalledPerInsn", "frontendIdlePct", "backendIdlePct", "cpusUtilized", "ghz"]);
});

test("text table: perf's layout with the derived metric beside each counter", () => {
  const text = renderCounters(counters("book-example-6-10-human.txt"));
  const lines = text.split("\n");
  const at = (event: string) => lines.findIndex((l) => l.trimStart().startsWith(`${event} `));
  assert.match(lines[at("cycles")], /^ cycles\s+10,194,811,718\s+3\.332 GHz$/);
  assert.match(lines[at("instructions")], /15,165,151,844\s+1\.49 insn per cycle$/);
  assert.match(lines[at("instructions") + 1], /^\s+0\.29 stalled cycles per insn$/);
  assert.match(lines[at("cache-misses")], /519,793\s+0\.150 % of all cache refs$/);
  assert.match(lines[at("task-clock")], /3,059\.22\s+msec\s+0\.999 CPUs utilized$/);
  assert.match(text, /3\.061883 seconds time elapsed/);

  const r3 = renderCounters(counters("vm-no-pmu-human-r3.txt"));
  assert.match(r3, /cycles\s+<not supported>/);
  // 2 / 79.44 ms of task-clock (perf printed 23.989 from the unrounded mean count).
  assert.match(r3, /migrations\s+2\s+±60\.09%\s+25\.176 \/sec/);
  assert.match(r3, /note: no hardware counters here/);

  const multiplexed = renderCounters(counters("collected/human_lkml_ankur_arora_memset_repeat_multiplex_broadwellx_movnt.txt"));
  assert.match(multiplexed, /running/);
  assert.match(multiplexed, /LLC-store-misses\s+0\s+0\.000 \/sec\s+11\.07%/);
});

test("compare table: file names as columns, events no variant counted named once below", () => {
  const compare = buildCountersCompare([counters("vm-no-pmu-csv.txt"), counters("vm-no-pmu-json.txt")], { command: [], startedAt: "2026-11-21T00:00:00.000Z" });
  const text = renderCounters(compare);
  assert.match(text, /^\s+vm-no-pmu-csv\.txt\s+vm-no-pmu-json\.txt\s+ratio$/m);
  assert.match(text, /not counted in any variant: cycles, stalled-cycles-frontend, stalled-cycles-backend, instructions, cache-references, cache-misses, branches, branch-misses/);
  assert.doesNotMatch(text, /^ cycles\s+<not supported>/m);
  // 81.262714 / 84.12 ms of task-clock
  assert.match(text, /task-clock\s+84\.12\s+81\.26\s+0\.966x/);
  assert.match(text, /faults\s+3,215\s+3,212\s+0\.999x/);
});
