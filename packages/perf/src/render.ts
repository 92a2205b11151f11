import Table from "cli-table3";
import {
  canonicalEvent,
  printableDeep,
  type CacheGeometry,
  type CacheTotals,
  type Counter,
  type CounterGroup,
  type CountersCompareResult,
  type CountersResult,
  type DerivedMetrics,
} from "@tsprof/core";

/**
 * Text renderers for counter results: perf stat's layout (counter, value, unit, ± variance, and
 * the derived metric beside it like perf's `#` column), the simulated caches, and side-by-side
 * comparisons. Pure functions of the model: every number shown was computed by the model builder.
 */

const PLAIN = {
  chars: {
    top: "", "top-mid": "", "top-left": "", "top-right": "",
    bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "",
    left: " ", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "", middle: "  ",
  },
  style: { head: [] as string[], border: [] as string[], "padding-left": 0, "padding-right": 0 },
};

function table(head: string[], colAligns: Array<"left" | "right">): { push(row: string[]): void; toString(): string } {
  const t = new Table({ ...PLAIN, head, colAligns });
  return {
    push: (row) => void t.push(row),
    // cli-table3 pads every cell; trailing blanks only make diffs and copies noisy.
    toString: () => t.toString().split("\n").map((l) => l.trimEnd()).join("\n"),
  };
}

/** 1234567 -> "1,234,567"; fractional values keep 2 decimals (msec) or 3 significant digits when small. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) || Math.abs(value) >= 1e5) return Math.round(value).toLocaleString("en-US");
  return value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function formatFixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

/** A rate in perf's style: "113.362 M/sec", "645.383 /sec". */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e9) return `${formatFixed(perSecond / 1e9, 3)} G/sec`;
  if (perSecond >= 1e6) return `${formatFixed(perSecond / 1e6, 3)} M/sec`;
  if (perSecond >= 1e3) return `${formatFixed(perSecond / 1e3, 3)} K/sec`;
  return `${formatFixed(perSecond, 3)} /sec`;
}

/** A per-item figure: 3 significant digits, grouping for large values. */
function formatPerItem(value: number): string {
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US");
  return Number(value.toPrecision(3)).toString();
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

function describeGeometry(name: string, g: CacheGeometry | null): string {
  if (!g) return `${name} ?`;
  const ways = g.assoc === 1 ? "direct-mapped" : `${g.assoc}-way`;
  return `${name} ${formatBytes(g.sizeBytes)} ${ways} ${g.lineBytes} B lines`;
}

/** The derived metric(s) perf prints beside a counter, read from the model. */
export function derivedBeside(counter: Counter, key: string, derived: DerivedMetrics): string[] {
  const fmt = (v: number | null, digits: number, unit: string) => (v === null ? [] : [`${formatFixed(v, digits)} ${unit}`]);
  switch (canonicalEvent(counter.event)) {
    case "cycles":
      return fmt(derived.ghz, 3, "GHz");
    case "stalled-cycles-frontend":
      return fmt(derived.frontendIdlePct, 2, "% frontend cycles idle");
    case "stalled-cycles-backend":
      return fmt(derived.backendIdlePct, 2, "% backend cycles idle");
    case "instructions":
      return [...fmt(derived.ipc, 2, "insn per cycle"), ...fmt(derived.stalledPerInsn, 2, "stalled cycles per insn")];
    case "cache-misses":
      return fmt(derived.cacheMissPct, 3, "% of all cache refs");
    case "branch-misses":
      return fmt(derived.branchMissPct, 2, "% of all branches");
    case "task-clock":
    case "cpu-clock":
      return fmt(derived.cpusUtilized, 3, "CPUs utilized");
    default: {
      const rate = derived.perSecond[key];
      return rate === undefined ? [] : [formatRate(rate)];
    }
  }
}

function valueCell(counter: Counter): string {
  if (counter.status === "not-supported") return "<not supported>";
  if (counter.status === "not-counted" || counter.value === null) return "<not counted>";
  // Event counts print whole, as perf does (a -r mean of 2, 3, 3 is "3"); clocks keep their decimals.
  return formatCount(counter.unit === "" ? Math.round(counter.value) : counter.value);
}

/** The main counters table. */
export function renderCounterTable(result: Pick<CountersResult, "counters" | "derived" | "workItems">): string {
  const counters = Object.entries(result.counters);
  if (counters.length === 0) return "";
  const multiplexed = counters.some(([, c]) => c.runningPct !== null && c.runningPct < 100);
  const perItem = result.workItems && result.derived.perItem ? result.workItems : null;
  const head = ["counter", "value", "unit", "± var", "derived"];
  const aligns: Array<"left" | "right"> = ["left", "right", "left", "right", "left"];
  if (multiplexed) {
    head.push("running");
    aligns.push("right");
  }
  if (perItem) {
    head.push(`per ${perItem.label}`);
    aligns.push("right");
  }
  const t = table(head, aligns);
  for (const [key, counter] of counters) {
    const derived = derivedBeside(counter, key, result.derived);
    const row: string[] = [
      key,
      valueCell(counter),
      counter.unit,
      counter.variancePct === null ? "" : `±${formatFixed(counter.variancePct, 2)}%`,
      derived[0] ?? "",
    ];
    if (multiplexed) row.push(counter.runningPct === null || counter.runningPct >= 100 ? "" : `${formatFixed(counter.runningPct, 2)}%`);
    if (perItem) {
      const v = result.derived.perItem?.[key];
      row.push(v === undefined ? "" : formatPerItem(v));
    }
    t.push(row);
    for (const more of derived.slice(1)) {
      const extra = ["", "", "", "", more];
      if (multiplexed) extra.push("");
      if (perItem) extra.push("");
      t.push(extra);
    }
  }
  return t.toString();
}

function groupLabel(group: CounterGroup): string {
  const parts: string[] = [];
  if (group.interval !== null) parts.push(`${group.interval.toFixed(3)} s`);
  if (group.location !== null) parts.push(group.cpus !== null ? `${group.location} (${group.cpus} cpu)` : group.location);
  if (group.cgroup !== null) parts.push(`cgroup ${group.cgroup}`);
  return parts.join("  ");
}

/** Interval / per-CPU / per-cgroup rows: one line per group, one column per event. */
export function renderGroups(result: Pick<CountersResult, "groups" | "groupedBy">): string {
  if (result.groups.length === 0) return "";
  const events: string[] = [];
  for (const g of result.groups) for (const key of Object.keys(g.counters)) if (!events.includes(key)) events.push(key);
  const showIpc = result.groups.some((g) => g.derived.ipc !== null);
  const head = [result.groupedBy.join(" / "), ...events, ...(showIpc ? ["IPC"] : [])];
  const t = table(head, ["left", ...events.map(() => "right" as const), ...(showIpc ? ["right" as const] : [])]);
  for (const g of result.groups) {
    const row = [groupLabel(g), ...events.map((e) => (g.counters[e] ? valueCell(g.counters[e]) : ""))];
    if (showIpc) row.push(g.derived.ipc === null ? "" : formatFixed(g.derived.ipc, 2));
    t.push(row);
  }
  return t.toString();
}

function renderMetricsOnly(result: CountersResult): string {
  if (result.perfMetricsOnly.length === 0) return "";
  const names: string[] = [];
  for (const r of result.perfMetricsOnly) for (const n of Object.keys(r.values)) if (!names.includes(n)) names.push(n);
  const hasInterval = result.perfMetricsOnly.some((r) => r.interval !== null);
  const t = table([...(hasInterval ? ["interval"] : []), ...names], [...(hasInterval ? ["left" as const] : []), ...names.map(() => "right" as const)]);
  for (const r of result.perfMetricsOnly) {
    t.push([...(hasInterval ? [r.interval === null ? "" : `${r.interval.toFixed(3)} s`] : []), ...names.map((n) => (n in r.values ? String(r.values[n]) : ""))]);
  }
  return `perf metrics (metric-only output):\n${t.toString()}`;
}

function pct(v: number | null): string {
  return v === null ? "" : `${formatFixed(v, 2)}%`;
}

const SIM_ROWS: Array<[string, keyof CacheTotals, keyof CacheTotals | null]> = [
  ["instructions (I refs)", "instructions", null],
  ["I1 misses", "I1mr", "i1MissPct"],
  ["LLi misses", "ILmr", "lliMissPct"],
  ["D refs", "dataRefs", null],
  ["  D reads", "Dr", null],
  ["  D writes", "Dw", null],
  ["D1 misses", "d1Misses", "d1MissPct"],
  ["LLd misses", "lldMisses", "lldMissPct"],
  ["LL refs", "llRefs", null],
  ["LL misses", "llMisses", "llMissPct"],
];

/** The simulated caches section: net (your code), baseline (Node start-up) and whole run. */
export function renderSimulated(result: Pick<CountersResult, "simulated" | "workItems">): string {
  const sim = result.simulated;
  if (!sim) return "";
  const lines: string[] = [];
  lines.push("Simulated caches (valgrind cachegrind, SIMULATED: not this machine's hardware counters)");
  lines.push(`  geometry: ${describeGeometry("I1", sim.geometry.I1)} · ${describeGeometry("D1", sim.geometry.D1)} · ${describeGeometry("LL", sim.geometry.LL)}`);
  const columns: Array<[string, CacheTotals]> = [];
  if (sim.net) columns.push(["your code (net)", sim.net]);
  if (sim.baseline) columns.push(["node start-up", sim.baseline]);
  columns.push(["whole run", sim.workload]);
  const head = ["simulated event"];
  const aligns: Array<"left" | "right"> = ["left"];
  for (const [name] of columns) {
    head.push(name, "miss rate");
    aligns.push("right", "right");
  }
  const perItem = result.workItems && sim.perItem ? result.workItems : null;
  if (perItem) {
    head.push(`per ${perItem.label}`);
    aligns.push("right");
  }
  const t = table(head, aligns);
  for (const [label, field, rate] of SIM_ROWS) {
    const row = [label];
    for (const [, totals] of columns) {
      row.push(formatCount(totals[field] as number), rate ? pct(totals[rate] as number | null) : "");
    }
    if (perItem) {
      const v = sim.perItem?.[field as string];
      row.push(v === undefined ? "" : formatPerItem(v));
    }
    t.push(row);
  }
  lines.push(t.toString());
  if (sim.command.includes("--predictable")) {
    lines.push("  node ran with V8's --predictable under cachegrind (single-threaded, deterministic): repeat runs agree within ~0.1%");
  }
  if (sim.net) lines.push("  net = whole run - node start-up (an empty script through the same loader); nets much smaller than start-up's ~0.1% noise are noise");
  else lines.push("  no start-up baseline (a command, or a saved file): the figures include the program's own start-up");
  return lines.join("\n");
}

function headerLine(result: CountersResult): string {
  const runs = result.runs !== null && result.runs > 1 ? ` (${result.runs} runs)` : "";
  const what = result.source === "parsed" ? `Counters read from ${result.label}` : `Performance counter stats for '${result.label}'${runs}`;
  return ` ${what}:`;
}

function elapsedLine(result: CountersResult): string {
  const e = result.elapsed;
  if (e.seconds === null) return "";
  const variance = e.variancePct === null ? "" : `  ( ± ${formatFixed(e.variancePct, 2)}% )`;
  const parts = [`${e.seconds.toFixed(6)} seconds time elapsed${variance}`];
  if (e.userSeconds !== null) parts.push(`${e.userSeconds.toFixed(6)} seconds user`);
  if (e.sysSeconds !== null) parts.push(`${e.sysSeconds.toFixed(6)} seconds sys`);
  return parts.map((p) => `   ${p}`).join("\n");
}

/** The whole text report of one counters result (what `tsprof perf` and `tsprof show` print). */
export function renderCountersResult(result: CountersResult): string {
  const sections: string[] = [headerLine(result)];
  const main = renderCounterTable(result);
  if (main) sections.push(main);
  const elapsed = elapsedLine(result);
  if (elapsed) sections.push(elapsed);
  if (result.workItems) sections.push(`   work items: ${formatCount(result.workItems.count)} ${result.workItems.label}`);
  const groups = renderGroups(result);
  if (groups) sections.push(groups);
  const metricsOnly = renderMetricsOnly(result);
  if (metricsOnly) sections.push(metricsOnly);
  const simulated = renderSimulated(result);
  if (simulated) sections.push(simulated);
  const notes: string[] = [];
  if (result.hardware.message) notes.push(result.hardware.message);
  notes.push(...result.notes);
  if (result.problems.length > 0) {
    notes.push(`could not read ${result.problems.length} line(s) of the input: ${result.problems.slice(0, 3).join("; ")}${result.problems.length > 3 ? "; ..." : ""}`);
  }
  if (notes.length > 0) sections.push(notes.map((n) => `note: ${n}`).join("\n"));
  return `${sections.join("\n\n")}\n`;
}

function formatRatio(r: number | null | undefined): string {
  if (r === null || r === undefined) return "";
  return Math.abs(r) >= 1000 ? `${Math.round(r)}x` : `${r.toPrecision(3)}x`;
}

/** Short names for the columns: the file names when they tell the variants apart. */
function variantNames(variants: CountersResult[]): string[] {
  const base = variants.map((v) => v.label.split("/").pop() ?? v.label);
  return new Set(base).size === base.length ? base : variants.map((v) => v.label);
}

const DERIVED_LABELS: Array<[keyof DerivedMetrics & string, string, number]> = [
  ["ipc", "IPC (insn per cycle)", 2],
  ["stalledPerInsn", "stalled cycles per insn", 2],
  ["frontendIdlePct", "frontend cycles idle %", 2],
  ["backendIdlePct", "backend cycles idle %", 2],
  ["cacheMissPct", "cache-miss % of refs", 3],
  ["branchMissPct", "branch-miss %", 2],
  ["cpusUtilized", "CPUs utilized", 3],
  ["ghz", "GHz", 3],
];

/** Adds one row of the compare table: the label, a cell per variant, each one's ratio to the first. */
type AddRow = (label: string, cells: string[], ratios: Array<number | null | undefined>) => void;

/** The counted events, in the order first seen; returns those no variant could count (left out). */
function addCounterRows(result: CountersCompareResult, addRow: AddRow): string[] {
  const variants = result.variants;
  const keys: string[] = [];
  for (const v of variants) for (const k of Object.keys(v.counters)) if (!keys.includes(k)) keys.push(k);
  // Events no variant could count are named once below the table instead of filling it.
  const unsupported = keys.filter((key) => variants.every((v) => v.counters[key]?.status !== "counted"));
  for (const key of keys) {
    if (unsupported.includes(key)) continue;
    addRow(
      key,
      variants.map((v) => (v.counters[key] ? valueCell(v.counters[key]) : "")),
      result.ratios.map((r) => r.counters[key]),
    );
  }
  return unsupported;
}

/** Wall time and the metrics core derived from the counters (IPC, miss rates, ...). */
function addDerivedRows(result: CountersCompareResult, addRow: AddRow): void {
  const variants = result.variants;
  if (variants.some((v) => v.elapsed.seconds !== null)) {
    addRow(
      "seconds elapsed",
      variants.map((v) => (v.elapsed.seconds === null ? "" : v.elapsed.seconds.toFixed(4))),
      result.ratios.map((r) => r.derived.elapsedSeconds),
    );
  }
  for (const [name, label, digits] of DERIVED_LABELS) {
    if (variants.every((v) => v.derived[name] === null)) continue;
    addRow(
      label,
      variants.map((v) => {
        const value = v.derived[name] as number | null;
        return value === null ? "" : formatFixed(value, digits);
      }),
      result.ratios.map((r) => r.derived[name]),
    );
  }
}

const SIMULATED_ROWS: Array<[string, keyof CacheTotals, boolean]> = [
  ["sim. instructions", "instructions", false],
  ["sim. D refs", "dataRefs", false],
  ["sim. D1 misses", "d1Misses", false],
  ["sim. D1 miss %", "d1MissPct", true],
  ["sim. LLd misses", "lldMisses", false],
  ["sim. LL misses", "llMisses", false],
  ["sim. LL miss %", "llMissPct", true],
];

/** cachegrind's simulated totals (net of node's start-up where measured), and per work item. */
function addSimulatedRows(result: CountersCompareResult, addRow: AddRow): void {
  const variants = result.variants;
  for (const [label, field, isPct] of SIMULATED_ROWS) {
    addRow(
      label,
      variants.map((v) => {
        const totals = v.simulated ? v.simulated.net ?? v.simulated.workload : null;
        const value = totals ? (totals[field] as number | null) : null;
        return value === null ? "" : isPct ? pct(value) : formatCount(value);
      }),
      result.ratios.map((r) => r.simulated[field as string]),
    );
  }
  const items = variants[0].workItems;
  if (items && variants.every((v) => v.simulated?.perItem)) {
    for (const [label, field] of [["instructions", "instructions"], ["D1 misses", "d1Misses"], ["LL misses", "llMisses"]] as const) {
      addRow(
        `sim. ${label} per ${items.label}`,
        variants.map((v) => formatPerItem(v.simulated!.perItem![field])),
        result.ratios.map((r) => r.simulated[field]),
      );
    }
  }
}

/** The side-by-side table: a value column per variant, and a ratio column after each but the first. */
function compareTable(result: CountersCompareResult, names: string[]): { text: string; unsupported: string[] } {
  const variants = result.variants;
  const head = ["", names[0]];
  const aligns: Array<"left" | "right"> = ["left", "right"];
  for (const name of names.slice(1)) {
    head.push(name, "ratio");
    aligns.push("right", "right");
  }
  const t = table(head, aligns);
  const addRow: AddRow = (label, cells, ratios) => {
    const row = [label, cells[0]];
    for (let i = 1; i < variants.length; i++) row.push(cells[i], formatRatio(ratios[i]));
    t.push(row);
  };
  const unsupported = addCounterRows(result, addRow);
  addDerivedRows(result, addRow);
  if (variants.some((v) => v.simulated)) addSimulatedRows(result, addRow);
  return { text: t.toString(), unsupported };
}

/** Under the table: events never counted, the simulated geometry, every variant's notes, and why. */
function compareFooter(result: CountersCompareResult, unsupported: string[]): string[] {
  const variants = result.variants;
  const lines: string[] = [];
  if (unsupported.length > 0) lines.push(`   not counted in any variant: ${unsupported.join(", ")}`);
  const sim = variants.find((v) => v.simulated)?.simulated;
  if (sim) {
    lines.push(
      `   sim. = SIMULATED by valgrind cachegrind (${sim.net ? "net of node start-up" : "whole run"}): ` +
        `${describeGeometry("I1", sim.geometry.I1)} · ${describeGeometry("D1", sim.geometry.D1)} · ${describeGeometry("LL", sim.geometry.LL)}`,
    );
  }
  const notes = new Set<string>();
  for (const v of variants) {
    if (v.hardware.message) notes.add(v.hardware.message);
    for (const n of v.notes) notes.add(n);
    if (v.exitCode !== null && v.exitCode !== 0) notes.add(`${v.label} exited with code ${v.exitCode}`);
    if (v.signal) notes.add(`${v.label} was killed by ${v.signal}`);
  }
  if (notes.size > 0) lines.push([...notes].map((n) => `note: ${n}`).join("\n"));
  // The explanations were computed with the comparison (core); here they are only printed.
  if (result.explanations && result.explanations.length > 0) lines.push(["Why:", ...result.explanations.map((e) => `- ${e.summary}`)].join("\n"));
  return lines;
}

/** Side-by-side table of several variants with each one's ratio to the first. */
export function renderCompare(result: CountersCompareResult): string {
  const variants = result.variants;
  if (variants.length === 0) return "no variants\n";
  const names = variantNames(variants);
  const { text, unsupported } = compareTable(result, names);
  const lines = [` Comparing ${variants.length} variants (ratio = variant / ${names[0]}):`, text, ...compareFooter(result, unsupported)];
  return `${lines.join("\n\n")}\n`;
}

/** Render any saved counters result (kind "counters" or "counters-compare"): what `tsprof show` calls. */
export function renderCounters(untrusted: CountersResult | CountersCompareResult): string {
  // Event names, labels and notes come from perf's output or a saved file: no escape sequence passes.
  const result = printableDeep(untrusted);
  return result.kind === "counters-compare" ? renderCompare(result) : renderCountersResult(result);
}
