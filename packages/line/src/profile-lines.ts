/** The parent side of `tsprof line`: run the script with the line collector, return the result. */
import { SCHEMA_VERSION, UsageError, writeFileAtomic, type LineMode, type LineProfileResult } from "@tsprof/core";
import { resolveModuleGroups, runChild, type ChildOutcome } from "@tsprof/runner";
// Only this exporter: the package index would load the pprof encoder too.
import { chromeCpuProfile } from "@tsprof/export/cpuprofile";
import type { LineCollectorOptions } from "./collector";

export interface LineRunOptions {
  script: string;
  args: string[];
  mode: LineMode;
  timerUnit: number;
  all: boolean;
  modules: string[];
  /** Save V8's CPU profile here (DevTools / VS Code format). */
  cpuprofile?: string | null;
  /** V8 sampler interval in microseconds (default: 1000, sample mode 250). */
  samplingIntervalUs?: number;
  command: string[];
  cwd?: string;
  stdio?: "inherit" | "pipe";
}

export interface LineRun {
  result: LineProfileResult;
  outcome: ChildOutcome;
  /** Saving --cpuprofile failed (full disk, folder gone): reported after the tables, never instead of them. */
  outputError?: Error;
}

export const MODES: LineMode[] = ["hybrid", "trace", "sample"];

export async function profileLines(options: LineRunOptions): Promise<LineRun> {
  if (!MODES.includes(options.mode)) throw new UsageError(`--mode must be one of ${MODES.join(", ")} (got '${options.mode}')`);
  const moduleGroups = resolveModuleGroups(options.modules, options.cwd);
  const modules = [...new Set(moduleGroups.flatMap((g) => g.files))];
  const startedAt = new Date().toISOString();
  const collectorOptions: LineCollectorOptions = {
    mode: options.mode,
    // Hybrid and sample take line times from V8's ticks: sample finely. Trace only needs the summary.
    samplingIntervalUs: options.samplingIntervalUs ?? (options.mode === "trace" ? 1000 : 250),
    lineSampleUs: 100,
    timerUnit: options.timerUnit,
    command: options.command,
    startedAt,
    moduleGroups,
  };
  const outcome = await runChild({
    script: options.script,
    args: options.args,
    cwd: options.cwd,
    stdio: options.stdio,
    collector: require.resolve("./collector"),
    collectorOptions,
    instrument:
      options.mode === "sample" ? null : { style: options.mode === "hybrid" ? "counters" : "events", all: options.all, modules },
  });
  let result = outcome.result as LineProfileResult | null;
  if (!result) {
    // The child died without running its exit handlers (SIGKILL, abort, out of memory).
    result = {
      kind: "line",
      schemaVersion: SCHEMA_VERSION,
      command: options.command,
      startedAt,
      mode: options.mode,
      timerUnit: options.timerUnit,
      sampler: "none",
      samplingIntervalUs: null,
      durationNs: outcome.durationNs,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      functions: [],
      summary: [],
      profiles: [],
      notes: [`the program died (${outcome.signal ?? `exit ${outcome.exitCode}`}) before tsprof could save its profile`],
    };
  }
  let outputError: Error | undefined;
  if (options.cpuprofile) {
    // The main thread's samples, in the original files' positions (what DevTools and VS Code open).
    const main = result.profiles?.find((p) => p.thread === "main") ?? result.profiles?.[0];
    try {
      if (main) writeFileAtomic(options.cpuprofile, JSON.stringify(chromeCpuProfile(main)));
      else result.notes.push(`no CPU profile to save to ${options.cpuprofile}`);
    } catch (err) {
      outputError = err as Error;
    }
  }
  outcome.cleanup();
  return { result, outcome, outputError };
}
