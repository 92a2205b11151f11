import { rmSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import {
  buildCountersCompare,
  buildCountersResult,
  buildSimulatedCaches,
  hardwareStatusFromRows,
  makeTempDir,
  ToolError,
  UsageError,
  type CacheEvents,
  type CacheGeometry,
  type CountersCompareResult,
  type CountersResult,
  type HardwareStatus,
  type SimulatedCaches,
} from "@tsprof/core";
import { emptyElapsed, type ParsedPerfStat } from "./parse/common";
import { DEFAULT_GEOMETRY, runCachegrind } from "./run/cachegrind";
import { runPerfStat, type PerfStatRun } from "./run/perf-stat";
import { readDeclaredWorkItems, WORK_ITEMS_ENV, type Workload } from "./run/workload";

export interface MeasureOptions {
  events: string[];
  repeats: number;
  /** auto: simulate when hardware counters are missing; always: simulate too; never. */
  simulate: "auto" | "always" | "never";
  geometry?: { I1: CacheGeometry; D1: CacheGeometry; LL: CacheGeometry };
  workItems: { count: number; label: string } | null;
  /** The tsprof command line, recorded in the result. */
  command: string[];
  /** Where the workload's stdout goes ("stderr" keeps stdout clean for --json). */
  stdout: "inherit" | "stderr";
  cwd?: string;
  /** Program names (tests point these at missing programs). */
  perf?: string;
  valgrind?: string;
  /** One-line progress messages (stderr in the CLI). */
  log?: (line: string) => void;
}

/**
 * Measure with a private temp dir, removed afterwards. SIGTERM and SIGHUP are passed on to the
 * measured program (see runTool), so the run ends normally and this cleanup runs then too.
 */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = makeTempDir();
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Baseline runs (Node start-up under cachegrind), shared between the variants of one compare. */
export type BaselineCache = Map<string, Promise<CacheEvents | null>>;

/** What perf stat counted, and whether hardware counters were there. */
interface PerfCount {
  perf: PerfStatRun;
  rows: ParsedPerfStat["rows"];
  hardware: HardwareStatus;
}

/** perf stat -r N of the workload; a usage problem or a failed perf ends the measurement. */
async function countWithPerf(workload: Workload, options: MeasureOptions, tempDir: string, env: NodeJS.ProcessEnv): Promise<PerfCount> {
  const perf = await runPerfStat(workload, {
    events: options.events,
    repeats: options.repeats,
    tempDir,
    env,
    stdout: options.stdout,
    perf: options.perf,
    cwd: options.cwd,
  });
  if (perf.usage) throw new UsageError(perf.usage);
  if (perf.failure) throw new ToolError(perf.failure, perf.signal ? 128 + (constants.signals[perf.signal as NodeJS.Signals] ?? 0) : 1);
  const rows = perf.parsed?.rows ?? [];
  let hardware: HardwareStatus = perf.hardware ?? hardwareStatusFromRows(rows);
  // Only software events asked for: whether hardware counters exist was not measured.
  if (hardware.state === "unknown" && rows.length > 0 && !rows.some((r) => /cycles|instructions|cache|branch/.test(r.event))) {
    hardware = { state: "not-measured", message: null };
  }
  return { perf, rows, hardware };
}

/** Simulate when asked, or (auto) when hardware counters are missing; never after a Ctrl-C during perf. */
function wantsSimulation(options: MeasureOptions, count: PerfCount): boolean {
  const { hardware } = count;
  return !count.perf.interrupted && (options.simulate === "always" || (options.simulate === "auto" && hardware.state !== "available" && hardware.state !== "not-measured"));
}

/** Why the caches are simulated, for the progress line. */
function simulationReason(options: MeasureOptions, hardware: HardwareStatus): string {
  if (options.simulate === "always") return "--simulate";
  return hardware.state === "perf-missing" ? "perf missing" : hardware.state === "blocked" ? "perf blocked" : "no hardware counters";
}

/**
 * Node's start-up under cachegrind (an empty script), measured once per argv and geometry and
 * shared by the variants of a compare. The whole argv is the key: the empty script's name carries
 * its extension and format (a .ts baseline includes the TypeScript compile a .mjs one does not;
 * sharing one gave negative counts).
 */
function startupBaseline(argv: string[], geometry: NonNullable<MeasureOptions["geometry"]>, options: MeasureOptions, tempDir: string, baselines: BaselineCache): Promise<CacheEvents | null> {
  const key = JSON.stringify([argv, geometry]);
  let pending = baselines.get(key);
  if (!pending) {
    options.log?.("measuring node start-up under cachegrind (empty script baseline)");
    pending = runCachegrind(argv, { geometry, tempDir, tag: "baseline", env: process.env, stdout: "ignore", valgrind: options.valgrind, cwd: options.cwd }).then((b) => b.events);
    baselines.set(key, pending);
  }
  return pending;
}

interface Simulation {
  simulated: SimulatedCaches | null;
  exit: { exitCode: number | null; signal: string | null };
  /** Why cachegrind gave no events, when it gave none. */
  failure: string | null;
}

/** valgrind cachegrind with explicit cache geometry, minus the start-up baseline. Notes go to `notes`. */
async function simulateCaches(
  workload: Workload,
  options: MeasureOptions,
  run: { tempDir: string; env: NodeJS.ProcessEnv; workFile: string; baselines: BaselineCache },
  notes: string[],
): Promise<Simulation> {
  const geometry = options.geometry ?? DEFAULT_GEOMETRY;
  const { tempDir, env } = run;
  const grind = await runCachegrind(workload.simulationArgv, { geometry, tempDir, tag: "workload", env, stdout: options.stdout, valgrind: options.valgrind, cwd: options.cwd });
  const exit = { exitCode: grind.exitCode, signal: grind.signal };
  if (!grind.events) {
    if (grind.failure) notes.push(grind.failure);
    return { simulated: null, exit, failure: grind.failure };
  }
  let baseline: CacheEvents | null = null;
  if (grind.interrupted) notes.push("interrupted (Ctrl-C) under cachegrind: no start-up baseline measured");
  if (workload.simulationBaselineArgv && !grind.interrupted) {
    baseline = await startupBaseline(workload.simulationBaselineArgv, geometry, options, tempDir, run.baselines);
    if (!baseline) notes.push("the empty-script baseline under cachegrind failed: simulated figures include node start-up");
  }
  const workItems = options.workItems ?? readDeclaredWorkItems(run.workFile);
  const simulated = buildSimulatedCaches({
    geometry: {
      I1: grind.geometry.I1 ?? geometry.I1,
      D1: grind.geometry.D1 ?? geometry.D1,
      LL: grind.geometry.LL ?? geometry.LL,
    },
    command: grind.argv,
    workload: grind.events,
    baseline,
    workItems: workItems?.count ?? null,
    exitCode: grind.exitCode,
    signal: grind.signal,
  });
  return { simulated, exit, failure: grind.failure };
}

/**
 * Count one workload: perf stat (-r N) and, when hardware counters are missing (or asked),
 * valgrind cachegrind with explicit cache geometry, minus an empty-script baseline.
 */
export async function measureWorkload(
  workload: Workload,
  options: MeasureOptions,
  tempDir: string,
  baselines: BaselineCache = new Map(),
): Promise<CountersResult> {
  const log = options.log ?? (() => {});
  const startedAt = new Date().toISOString();
  const workFile = join(tempDir, `work-items-${Math.random().toString(36).slice(2)}.json`);
  const env = { ...process.env, [WORK_ITEMS_ENV]: workFile };
  const count = await countWithPerf(workload, options, tempDir, env);
  const { perf, rows, hardware } = count;
  const notes: string[] = [...perf.notes];

  let simulation: Simulation | null = null;
  if (wantsSimulation(options, count)) {
    log(`${simulationReason(options, hardware)}: simulating caches with valgrind cachegrind for ${workload.label} (slow: tens of times slower than a normal run)`);
    simulation = await simulateCaches(workload, options, { tempDir, env, workFile, baselines }, notes);
    if (!simulation.simulated && rows.length === 0) {
      throw new ToolError([hardware.message, simulation.failure].filter(Boolean).join("; "), 1);
    }
  } else if (rows.length === 0) {
    throw new ToolError(hardware.message ?? "perf stat produced no counters", 1);
  }

  const fromPerf = rows.length > 0;
  return buildCountersResult({
    label: workload.label,
    command: options.command,
    startedAt,
    source: fromPerf ? "perf-stat" : "cachegrind",
    format: fromPerf ? "csv" : null,
    runs: fromPerf ? perf.parsed?.runs ?? null : null,
    rows,
    elapsed: perf.parsed?.elapsed ?? emptyElapsed(),
    workItems: options.workItems ?? readDeclaredWorkItems(workFile),
    hardware,
    simulated: simulation?.simulated ?? null,
    exitCode: fromPerf ? perf.exitCode : simulation?.exit.exitCode ?? null,
    signal: fromPerf ? perf.signal : simulation?.exit.signal ?? null,
    notes,
    problems: perf.parsed?.problems ?? [],
  });
}

/** Measure each workload in turn (the same options), then build the side-by-side model. */
export async function compareWorkloads(workloads: Workload[], options: MeasureOptions, tempDir: string): Promise<CountersCompareResult> {
  const baselines: BaselineCache = new Map();
  const variants: CountersResult[] = [];
  for (const workload of workloads) variants.push(await measureWorkload(workload, options, tempDir, baselines));
  return buildCountersCompare(variants, { command: options.command, startedAt: variants[0]?.startedAt ?? new Date().toISOString() });
}
