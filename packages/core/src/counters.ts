import { explainCountersCompare, type CountersExplanation } from "./counters-explain";
import { SCHEMA_VERSION, type ProgramExit, type ResultHeader } from "./schema";

/**
 * Hardware/software counter results (`tsprof perf`): what `perf stat` counted, or what valgrind
 * cachegrind simulated, plus the ratios read from them (IPC, miss rates, ...). The ratios are
 * computed once, here, by the builders below; renderers only format them.
 */

/** counted: a value; not-supported: the event does not exist here (no PMU); not-counted: never scheduled/enabled. */
export type CounterStatus = "counted" | "not-supported" | "not-counted";

/** A metric perf printed beside a counter (its `#` column), kept for reference. */
export interface PerfMetric {
  value: number | null;
  unit: string;
}

/** One event as perf reports it. */
export interface Counter {
  /** The event name exactly as perf printed it (e.g. "cycles", "cycles:u", "cpu_core/branch-misses/"). */
  event: string;
  /** null unless status is "counted". task-clock/cpu-clock are msec, duration_time ns (see unit). */
  value: number | null;
  unit: string;
  /** With `-r N`: perf's relative standard deviation of the mean, percent. */
  variancePct: number | null;
  /** Share of the run the counter was scheduled on the PMU (multiplexing); perf scales the value up. */
  runningPct: number | null;
  status: CounterStatus;
  perfMetrics: PerfMetric[];
}

/** One row of perf output before it is keyed: a counter plus where it belongs (interval, CPU, cgroup). */
export interface CounterRow extends Counter {
  /** `-I`: seconds since the start at the end of this interval. */
  interval: number | null;
  /** `--per-core` / `--per-socket` / `-A`: "S0-D0-C1", "S0", "CPU3"...; or a thread name. */
  location: string | null;
  /** How many CPUs perf aggregated into `location`. */
  cpus: number | null;
  /** `-G`: the cgroup. */
  cgroup: string | null;
}

/** Ratios read from the counters; null where an input is missing or not counted. */
export interface DerivedMetrics {
  /** instructions / cycles. */
  ipc: number | null;
  /** cache-misses / cache-references, percent. */
  cacheMissPct: number | null;
  /** branch-misses / branches, percent. */
  branchMissPct: number | null;
  /** max(stalled-cycles-frontend, stalled-cycles-backend) / instructions (perf's definition). */
  stalledPerInsn: number | null;
  /** stalled-cycles-frontend / cycles, percent ("frontend cycles idle"). */
  frontendIdlePct: number | null;
  /** stalled-cycles-backend / cycles, percent ("backend cycles idle"). */
  backendIdlePct: number | null;
  /** task-clock / elapsed wall time. */
  cpusUtilized: number | null;
  /** cycles / task-clock, GHz. */
  ghz: number | null;
  /** Events per second of task-clock (perf's "M/sec" column), by event name. */
  perSecond: Record<string, number>;
  /** Events per work item (`--per` or a size the workload declared), by event name. */
  perItem: Record<string, number> | null;
}

/** Counters of one interval / CPU / core / socket / cgroup. */
export interface CounterGroup {
  interval: number | null;
  location: string | null;
  cpus: number | null;
  cgroup: string | null;
  counters: Record<string, Counter>;
  derived: DerivedMetrics;
}

export interface ElapsedTime {
  /** Wall time of one run (mean with -r), seconds. */
  seconds: number | null;
  variancePct: number | null;
  userSeconds: number | null;
  sysSeconds: number | null;
  /** `--table`: each run's wall time. */
  runSeconds: number[];
}

/** Whether hardware counters could be read, and if not, why and how to fix it (one line). */
export interface HardwareStatus {
  state: "available" | "not-supported" | "blocked" | "perf-missing" | "not-measured" | "unknown";
  message: string | null;
}

export interface CacheGeometry {
  sizeBytes: number;
  assoc: number;
  lineBytes: number;
}

/** Cachegrind's event totals (its own names: Ir, I1mr, ILmr, Dr, D1mr, DLmr, Dw, D1mw, DLmw). */
export interface CacheEvents {
  Ir: number;
  I1mr: number;
  ILmr: number;
  Dr: number;
  D1mr: number;
  DLmr: number;
  Dw: number;
  D1mw: number;
  DLmw: number;
}

/** Cachegrind totals with the sums and rates cachegrind prints, computed by buildCacheTotals. */
export interface CacheTotals extends CacheEvents {
  instructions: number;
  dataRefs: number;
  d1Misses: number;
  lldMisses: number;
  /** LL references = I1 misses + D1 misses (what reaches the last level). */
  llRefs: number;
  llMisses: number;
  i1MissPct: number | null;
  lliMissPct: number | null;
  d1MissPct: number | null;
  lldMissPct: number | null;
  /** LL misses / all references (instruction + data), as cachegrind's "LL miss rate". */
  llMissPct: number | null;
  /** LL misses / LL references: of what reaches the last level, the share that misses it (the
   *  simulated counterpart of perf's cache-misses / cache-references). */
  llLocalMissPct: number | null;
}

/** A valgrind cachegrind run: simulated caches, not this machine's. */
export interface SimulatedCaches {
  tool: "cachegrind";
  /** The simulated cache geometry (explicit, so numbers compare across machines). */
  geometry: { I1: CacheGeometry | null; D1: CacheGeometry | null; LL: CacheGeometry | null };
  /** The command valgrind ran. */
  command: string[];
  /** The whole run, Node start-up included. */
  workload: CacheTotals;
  /** Node's own start-up: the same loader running an empty script. */
  baseline: CacheTotals | null;
  /** workload - baseline: what the user's code did. Small negative values are start-up noise. */
  net: CacheTotals | null;
  /** net (or workload when no baseline) per work item, by CacheTotals field name. */
  perItem: Record<string, number> | null;
  exitCode: number | null;
  signal: string | null;
}

/** The result of `tsprof perf` / `tsprof perf parse`. */
export interface CountersResult extends ResultHeader, ProgramExit {
  kind: "counters";
  /** The script or command measured, or the file parsed. */
  label: string;
  source: "perf-stat" | "parsed" | "cachegrind";
  /** The perf output format read (null when only cachegrind ran). */
  format: "human" | "csv" | "json" | null;
  /** perf `-r N`. */
  runs: number | null;
  /** Totals, keyed by event name (summed over intervals / CPUs / cgroups when the output had them). */
  counters: Record<string, Counter>;
  derived: DerivedMetrics;
  /** Per interval / CPU / core / socket / cgroup, when the output had such rows; else empty. */
  groups: CounterGroup[];
  /** What the groups are split by. */
  groupedBy: Array<"interval" | "location" | "cgroup">;
  elapsed: ElapsedTime;
  workItems: { count: number; label: string } | null;
  hardware: HardwareStatus;
  simulated: SimulatedCaches | null;
  /** perf metric-only output (e.g. --topdown), by metric name. */
  perfMetricsOnly: Array<{ interval: number | null; values: Record<string, number> }>;
  notes: string[];
  /** What the parsers could not read (line number and why). Empty for clean input. */
  problems: string[];
}

/** `tsprof perf --compare`: each variant and its ratio to the first. */
export interface CountersCompareResult extends ResultHeader {
  kind: "counters-compare";
  variants: CountersResult[];
  /** ratios[i]: variant i / variant 0, for every counter value, derived metric and simulated total. */
  ratios: Array<{
    counters: Record<string, number | null>;
    derived: Record<string, number | null>;
    simulated: Record<string, number | null>;
  }>;
  /** Each program against the first: the counters whose ratio accounts for the time ratio (core's explainPair). */
  explanations?: CountersExplanation[];
}

// ---------------------------------------------------------------------------------------------
// Builders

const EVENT_ALIASES: Record<string, string> = {
  "cpu-cycles": "cycles",
  "branch-instructions": "branches",
  "idle-cycles-frontend": "stalled-cycles-frontend",
  "idle-cycles-backend": "stalled-cycles-backend",
  "page-faults": "faults",
  "context-switches": "cs",
  "cpu-migrations": "migrations",
};

/**
 * The generic name of an event: modifiers (":u", ":k", ":ppp") and hybrid PMU wrappers
 * ("cpu_core/cycles/") dropped, perf's aliases folded ("cpu-cycles" -> "cycles", "page-faults" -> "faults").
 */
export function canonicalEvent(event: string): string {
  let name = event.trim().toLowerCase();
  const wrapped = /^[\w.-]+\/([^/=,]+)\/[a-z]*$/.exec(name);
  if (wrapped) name = wrapped[1];
  name = name.replace(/:[a-z]+$/, "");
  return EVENT_ALIASES[name] ?? name;
}

function findCounted(counters: Record<string, Counter>, canonical: string): Counter | null {
  for (const counter of Object.values(counters)) {
    if (counter.status === "counted" && counter.value !== null && canonicalEvent(counter.event) === canonical) {
      return counter;
    }
  }
  return null;
}

function ratio(numerator: number | null | undefined, denominator: number | null | undefined, scale = 1): number | null {
  if (numerator === null || numerator === undefined || denominator === null || denominator === undefined) return null;
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator === 0) return null;
  return (numerator / denominator) * scale;
}

/** task-clock / cpu-clock in milliseconds, whatever unit perf printed. */
function clockMs(counter: Counter | null): number | null {
  if (!counter || counter.value === null) return null;
  switch (counter.unit) {
    case "ns":
      return counter.value / 1e6;
    case "usec":
    case "us":
      return counter.value / 1e3;
    case "sec":
    case "s":
      return counter.value * 1e3;
    default:
      return counter.value; // perf's default for the clocks is msec
  }
}

const NOT_RATED = new Set(["task-clock", "cpu-clock", "duration_time", "user_time", "system_time"]);

/**
 * Every derived metric of one set of counters.
 * @param elapsedSeconds wall time the counters cover (for CPUs utilized); perf's own printed value is
 *   used when it is unknown.
 */
export function deriveMetrics(
  counters: Record<string, Counter>,
  elapsedSeconds: number | null,
  workItems: number | null = null,
): DerivedMetrics {
  const value = (name: string) => findCounted(counters, name)?.value ?? null;
  const cycles = value("cycles");
  const instructions = value("instructions");
  const frontend = value("stalled-cycles-frontend");
  const backend = value("stalled-cycles-backend");
  const clockCounter = findCounted(counters, "task-clock") ?? findCounted(counters, "cpu-clock");
  const taskMs = clockMs(clockCounter);

  let stalled: number | null = null;
  if (frontend !== null || backend !== null) stalled = Math.max(frontend ?? 0, backend ?? 0);

  let cpusUtilized = ratio(taskMs, elapsedSeconds === null ? null : elapsedSeconds * 1e3);
  if (cpusUtilized === null && clockCounter) {
    const printed = clockCounter.perfMetrics.find((m) => /CPUs/i.test(m.unit) && m.value !== null);
    if (printed && Number.isFinite(printed.value)) cpusUtilized = printed.value;
  }

  const perSecond: Record<string, number> = {};
  const seconds = taskMs !== null && taskMs > 0 ? taskMs / 1e3 : elapsedSeconds;
  const perItem: Record<string, number> | null = workItems !== null && workItems > 0 ? {} : null;
  for (const [key, counter] of Object.entries(counters)) {
    if (counter.status !== "counted" || counter.value === null) continue;
    if (perItem) perItem[key] = counter.value / (workItems as number);
    if (NOT_RATED.has(canonicalEvent(counter.event))) continue;
    const rate = ratio(counter.value, seconds);
    if (rate !== null) perSecond[key] = rate;
  }

  return {
    ipc: ratio(instructions, cycles),
    cacheMissPct: ratio(value("cache-misses"), value("cache-references"), 100),
    branchMissPct: ratio(value("branch-misses"), value("branches"), 100),
    stalledPerInsn: ratio(stalled, instructions),
    frontendIdlePct: ratio(frontend, cycles, 100),
    backendIdlePct: ratio(backend, cycles, 100),
    cpusUtilized,
    // perf divides by task-clock; without one (e.g. -e cycles only) it uses the wall time, as here.
    ghz: ratio(cycles, taskMs !== null ? taskMs * 1e6 : elapsedSeconds !== null ? elapsedSeconds * 1e9 : null),
    perSecond,
    perItem,
  };
}

/** Key rows by event name, summing counts of the same event (over CPUs, intervals, cgroups). */
export function keyCounters(rows: Counter[]): Record<string, Counter> {
  const out: Record<string, Counter> = {};
  const seen: Record<string, number> = {};
  for (const row of rows) {
    const existing = out[row.event];
    const counter: Counter = {
      event: row.event,
      value: row.value,
      unit: row.unit,
      variancePct: row.variancePct,
      runningPct: row.runningPct,
      status: row.status,
      perfMetrics: [...row.perfMetrics],
    };
    if (!existing) {
      out[row.event] = counter;
      seen[row.event] = 1;
      continue;
    }
    seen[row.event] += 1;
    // A sum of several rows: one variance and one printed metric no longer describe it.
    existing.variancePct = null;
    existing.perfMetrics = [];
    if (counter.status === "counted" && counter.value !== null) {
      existing.value = (existing.status === "counted" && existing.value !== null ? existing.value : 0) + counter.value;
      existing.status = "counted";
      if (!existing.unit) existing.unit = counter.unit;
    }
    if (counter.runningPct !== null) {
      existing.runningPct =
        existing.runningPct === null ? counter.runningPct : Math.min(existing.runningPct, counter.runningPct);
    }
  }
  return out;
}

/** What the parsers read, handed to buildCountersResult. */
export interface CountersInput {
  label: string;
  command: string[];
  startedAt: string;
  source: CountersResult["source"];
  format: CountersResult["format"];
  runs: number | null;
  rows: CounterRow[];
  elapsed: ElapsedTime;
  workItems?: { count: number; label: string } | null;
  hardware?: HardwareStatus;
  simulated?: SimulatedCaches | null;
  perfMetricsOnly?: CountersResult["perfMetricsOnly"];
  exitCode?: number | null;
  signal?: string | null;
  error?: string;
  notes?: string[];
  problems?: string[];
}

const HARDWARE_EVENTS = new Set([
  "cycles",
  "instructions",
  "stalled-cycles-frontend",
  "stalled-cycles-backend",
  "cache-references",
  "cache-misses",
  "branches",
  "branch-misses",
  "bus-cycles",
  "ref-cycles",
]);

/** Is this a hardware (PMU) event? Software and tool events count without a PMU. */
export function isHardwareEvent(event: string): boolean {
  const canonical = canonicalEvent(event);
  return HARDWARE_EVENTS.has(canonical) || /^(l1-|llc-|dtlb-|itlb-|branch-load|node-)/.test(canonical);
}

/** Read the PMU state from the counters: hardware events all `<not supported>` means no PMU here. */
export function hardwareStatusFromRows(rows: Counter[]): HardwareStatus {
  const hardware = rows.filter((row) => isHardwareEvent(row.event));
  if (hardware.length === 0) return { state: "unknown", message: null };
  if (hardware.some((row) => row.status === "counted")) return { state: "available", message: null };
  if (hardware.every((row) => row.status === "not-supported")) {
    return {
      state: "not-supported",
      message:
        "no hardware counters here: perf reports hardware events <not supported> (a VM or container without a " +
        "virtual PMU); software counters kept. Fix: run on bare metal, or enable the guest PMU (e.g. QEMU -cpu host with vPMU)",
    };
  }
  return { state: "unknown", message: null };
}

/** Build the result model from parsed rows: keys counters, sums groups, derives every metric once. */
export function buildCountersResult(input: CountersInput): CountersResult {
  const groupedBy: CountersResult["groupedBy"] = [];
  if (input.rows.some((r) => r.interval !== null)) groupedBy.push("interval");
  if (input.rows.some((r) => r.location !== null)) groupedBy.push("location");
  if (input.rows.some((r) => r.cgroup !== null)) groupedBy.push("cgroup");

  const workItems = input.workItems ?? null;
  let elapsedSeconds = input.elapsed.seconds;
  const groups: CounterGroup[] = [];
  if (groupedBy.length > 0) {
    const byKey = new Map<string, CounterRow[]>();
    for (const row of input.rows) {
      const key = JSON.stringify([row.interval, row.location, row.cgroup]);
      const list = byKey.get(key) ?? [];
      list.push(row);
      byKey.set(key, list);
    }
    let previousInterval = 0;
    for (const list of byKey.values()) {
      const first = list[0];
      const counters = keyCounters(list);
      // An interval's counts cover the time since the previous interval's end.
      const span = first.interval !== null ? first.interval - previousInterval : null;
      if (first.interval !== null && first.location === null && first.cgroup === null) previousInterval = first.interval;
      groups.push({
        interval: first.interval,
        location: first.location,
        cpus: first.cpus,
        cgroup: first.cgroup,
        counters,
        derived: deriveMetrics(counters, groupedBy.includes("location") ? null : span),
      });
    }
    if (elapsedSeconds === null && groupedBy.includes("interval")) {
      const last = Math.max(...input.rows.map((r) => r.interval ?? 0));
      if (last > 0) elapsedSeconds = last;
    }
  }

  const counters = keyCounters(input.rows);
  if (elapsedSeconds === null) {
    const duration = findCounted(counters, "duration_time");
    if (duration?.value != null) elapsedSeconds = duration.unit === "ns" || duration.unit === "" ? duration.value / 1e9 : null;
  }
  // Summing per-CPU rows of system-wide counts: CPUs utilized must come from the wall time, not a printed value.
  const derived = deriveMetrics(counters, elapsedSeconds, workItems?.count ?? null);
  if (groupedBy.length > 0 && input.elapsed.seconds === null && !groupedBy.includes("interval")) derived.cpusUtilized = null;

  const hardware = input.hardware ?? hardwareStatusFromRows(input.rows);
  return {
    kind: "counters",
    schemaVersion: SCHEMA_VERSION,
    command: input.command,
    startedAt: input.startedAt,
    label: input.label,
    source: input.source,
    format: input.format,
    runs: input.runs,
    counters,
    derived,
    groups,
    groupedBy,
    elapsed: { ...input.elapsed, seconds: elapsedSeconds },
    workItems,
    hardware,
    simulated: input.simulated ?? null,
    perfMetricsOnly: input.perfMetricsOnly ?? [],
    exitCode: input.exitCode ?? null,
    signal: input.signal ?? null,
    ...(input.error !== undefined ? { error: input.error } : {}),
    notes: input.notes ?? [],
    problems: input.problems ?? [],
  };
}

/** Cachegrind's sums and rates from its raw event totals. */
export function buildCacheTotals(events: CacheEvents): CacheTotals {
  const dataRefs = events.Dr + events.Dw;
  const d1Misses = events.D1mr + events.D1mw;
  const lldMisses = events.DLmr + events.DLmw;
  const llMisses = events.ILmr + lldMisses;
  return {
    ...events,
    instructions: events.Ir,
    dataRefs,
    d1Misses,
    lldMisses,
    llRefs: events.I1mr + d1Misses,
    llMisses,
    i1MissPct: ratio(events.I1mr, events.Ir, 100),
    lliMissPct: ratio(events.ILmr, events.Ir, 100),
    d1MissPct: ratio(d1Misses, dataRefs, 100),
    lldMissPct: ratio(lldMisses, dataRefs, 100),
    llMissPct: ratio(llMisses, events.Ir + dataRefs, 100),
    llLocalMissPct: ratio(llMisses, events.I1mr + d1Misses, 100),
  };
}

export const CACHE_EVENT_NAMES: Array<keyof CacheEvents> = ["Ir", "I1mr", "ILmr", "Dr", "D1mr", "DLmr", "Dw", "D1mw", "DLmw"];

/** Subtract a baseline run's events (Node start-up) from a workload's. */
export function subtractCacheEvents(workload: CacheEvents, baseline: CacheEvents): CacheEvents {
  const out = {} as CacheEvents;
  for (const name of CACHE_EVENT_NAMES) out[name] = workload[name] - baseline[name];
  return out;
}

/** Assemble a simulated-caches record, computing net = workload - baseline and per-item counts once. */
export function buildSimulatedCaches(input: {
  geometry: SimulatedCaches["geometry"];
  command: string[];
  workload: CacheEvents;
  baseline: CacheEvents | null;
  workItems: number | null;
  exitCode: number | null;
  signal: string | null;
}): SimulatedCaches {
  const workload = buildCacheTotals(input.workload);
  const baseline = input.baseline ? buildCacheTotals(input.baseline) : null;
  const net = input.baseline ? buildCacheTotals(subtractCacheEvents(input.workload, input.baseline)) : null;
  let perItem: Record<string, number> | null = null;
  if (input.workItems !== null && input.workItems > 0) {
    perItem = {};
    const source = net ?? workload;
    for (const key of ["instructions", "dataRefs", "d1Misses", "lldMisses", "llMisses", "I1mr"] as const) {
      perItem[key] = source[key] / input.workItems;
    }
  }
  return {
    tool: "cachegrind",
    geometry: input.geometry,
    command: input.command,
    workload,
    baseline,
    net,
    perItem,
    exitCode: input.exitCode,
    signal: input.signal,
  };
}

const DERIVED_NAMES = [
  "ipc",
  "cacheMissPct",
  "branchMissPct",
  "stalledPerInsn",
  "frontendIdlePct",
  "backendIdlePct",
  "cpusUtilized",
  "ghz",
] as const;
export type DerivedName = (typeof DERIVED_NAMES)[number];
export const DERIVED_METRIC_NAMES: readonly DerivedName[] = DERIVED_NAMES;

const SIMULATED_RATIO_FIELDS = [
  "instructions",
  "dataRefs",
  "d1Misses",
  "lldMisses",
  "llMisses",
  "d1MissPct",
  "llMissPct",
] as const;

/** Side-by-side model: every variant's counters and metrics as a ratio to the first variant's. */
export function buildCountersCompare(
  variants: CountersResult[],
  header: { command: string[]; startedAt: string },
): CountersCompareResult {
  const base = variants[0];
  const ratios = variants.map((variant) => {
    const counters: Record<string, number | null> = {};
    for (const [key, counter] of Object.entries(variant.counters)) {
      const baseCounter = base?.counters[key];
      counters[key] =
        counter.status === "counted" && baseCounter?.status === "counted" ? ratio(counter.value, baseCounter.value) : null;
    }
    const derived: Record<string, number | null> = {};
    for (const name of DERIVED_NAMES) derived[name] = ratio(variant.derived[name], base?.derived[name]);
    if (variant.elapsed.seconds !== null) derived.elapsedSeconds = ratio(variant.elapsed.seconds, base?.elapsed.seconds);
    const simulated: Record<string, number | null> = {};
    const mine = variant.simulated ? variant.simulated.net ?? variant.simulated.workload : null;
    const theirs = base?.simulated ? base.simulated.net ?? base.simulated.workload : null;
    if (mine && theirs) for (const field of SIMULATED_RATIO_FIELDS) simulated[field] = ratio(mine[field], theirs[field]);
    return { counters, derived, simulated };
  });
  return {
    kind: "counters-compare",
    schemaVersion: SCHEMA_VERSION,
    command: header.command,
    startedAt: header.startedAt,
    variants,
    ratios,
    explanations: explainCountersCompare(variants),
  };
}
