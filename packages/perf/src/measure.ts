import { rmSync } from "node:fs";
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
import { emptyElapsed } from "./parse/common";
import { DEFAULT_GEOMETRY, runCachegrind } from "./run/cachegrind";
import { runPerfStat } from "./run/perf-stat";
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
  const notes: string[] = [];

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
  if (perf.failure) throw new ToolError(perf.failure, 1);
  notes.push(...perf.notes);
  const rows = perf.parsed?.rows ?? [];
  let hardware: HardwareStatus = perf.hardware ?? hardwareStatusFromRows(rows);
  if (hardware.state === "unknown" && rows.length > 0 && !rows.some((r) => /cycles|instructions|cache|branch/.test(r.event))) {
    hardware = { state: "not-measured", message: null };
  }

  // Ctrl-C during perf: report what was counted, no slow simulation afterwards.
  const simulate = !perf.interrupted && (options.simulate === "always" || (options.simulate === "auto" && hardware.state !== "available" && hardware.state !== "not-measured"));
  let simulated: SimulatedCaches | null = null;
  let simExit: { exitCode: number | null; signal: string | null } | null = null;
  if (simulate) {
    const geometry = options.geometry ?? DEFAULT_GEOMETRY;
    const why = options.simulate === "always" ? "--simulate" : hardware.state === "perf-missing" ? "perf missing" : hardware.state === "blocked" ? "perf blocked" : "no hardware counters";
    log(`${why}: simulating caches with valgrind cachegrind for ${workload.label} (slow: tens of times slower than a normal run)`);
    const run = await runCachegrind(workload.simulationArgv, { geometry, tempDir, tag: "workload", env, stdout: options.stdout, valgrind: options.valgrind, cwd: options.cwd });
    simExit = { exitCode: run.exitCode, signal: run.signal };
    if (run.events) {
      let baseline: CacheEvents | null = null;
      if (run.interrupted) notes.push("interrupted (Ctrl-C) under cachegrind: no start-up baseline measured");
      if (workload.simulationBaselineArgv && !run.interrupted) {
        // The whole argv: the empty script's name carries its extension and format (a .ts baseline
        // includes the TypeScript compile a .mjs one does not; sharing one gave negative counts).
        const key = JSON.stringify([workload.simulationBaselineArgv, geometry]);
        let pending = baselines.get(key);
        if (!pending) {
          log("measuring node start-up under cachegrind (empty script baseline)");
          pending = runCachegrind(workload.simulationBaselineArgv, { geometry, tempDir, tag: "baseline", env: process.env, stdout: "ignore", valgrind: options.valgrind, cwd: options.cwd }).then(
            (b) => b.events,
          );
          baselines.set(key, pending);
        }
        baseline = await pending;
        if (!baseline) notes.push("the empty-script baseline under cachegrind failed: simulated figures include node start-up");
      }
      const workItems = options.workItems ?? readDeclaredWorkItems(workFile);
      simulated = buildSimulatedCaches({
        geometry: {
          I1: run.geometry.I1 ?? geometry.I1,
          D1: run.geometry.D1 ?? geometry.D1,
          LL: run.geometry.LL ?? geometry.LL,
        },
        command: run.argv,
        workload: run.events,
        baseline,
        workItems: workItems?.count ?? null,
        exitCode: run.exitCode,
        signal: run.signal,
      });
    } else if (run.failure) {
      notes.push(run.failure);
    }
    if (!run.events && rows.length === 0) {
      throw new ToolError([hardware.message, run.failure].filter(Boolean).join("; "), 1);
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
    simulated,
    exitCode: fromPerf ? perf.exitCode : simExit?.exitCode ?? null,
    signal: fromPerf ? perf.signal : simExit?.signal ?? null,
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
