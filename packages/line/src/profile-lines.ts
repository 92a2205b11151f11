/** The parent side of `tsprof line`: run the script with the line collector, return the result. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError, stampHeader, writeFileAtomic, type LineMode, type LineProfileResult } from "@tsprof/core";
import { resolveModuleGroups, runChild, type ChildOutcome } from "@tsprof/runner/launch";
// Types only here: what maps positions (source maps), rebuilds a result from a snapshot and exports
// a .cpuprofile loads when a run needs it (--jit, a program that died, --cpuprofile), not at every
// start of tsprof (start-up is a measured goal); the result builder loads while the child runs.
import type { JitTraceReader } from "@tsprof/runner/source-map";
import type { LineCollectorOptions } from "./collector";
import { addChildProcesses } from "./processes";
import { emptyResult, isRawBody, type LineChildBody, type LineRawBody, type PlanEntry } from "./shared";

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
  /** Read V8's code log: each function's JIT tier and deoptimizations (--jit). */
  jit?: boolean;
  command: string[];
  cwd?: string;
  stdio?: "inherit" | "pipe" | "stderr";
}

export interface LineRun {
  result: LineProfileResult;
  outcome: ChildOutcome;
  /** Saving --cpuprofile failed (full disk, folder gone): reported after the tables, never instead of them. */
  outputError?: Error;
}

export const MODES: LineMode[] = ["hybrid", "trace", "sample"];
/**
 * Hybrid: how often the collector's thread samples the shadow line stack, microseconds: the same
 * resolution as V8's sampler gives the lines that call nothing. Each wake-up of that thread cost
 * about 30 µs of CPU on a busy 2-core VM (a timer and a context switch), competing with V8's
 * profiler and GC threads: at 250 µs instead of 100 the program's other threads took 23-30 % less
 * CPU during Julia's kernel and fused diffusion's (the main thread's own CPU did not change
 * measurably), and the 3:1 line ratio stayed near 3.00 (see BENCHMARKS.md's notes).
 */
export const HYBRID_STACK_SAMPLE_US = 250;

export async function profileLines(options: LineRunOptions): Promise<LineRun> {
  if (!MODES.includes(options.mode)) throw new UsageError(`--mode must be one of ${MODES.join(", ")} (got '${options.mode}')`);
  const moduleGroups = resolveModuleGroups(options.modules, options.cwd);
  const modules = [...new Set(moduleGroups.flatMap((g) => g.files))];
  const startedAt = new Date().toISOString();
  const collectorOptions: LineCollectorOptions = {
    mode: options.mode,
    // Hybrid and sample take line times from V8's ticks: sample finely. Trace only needs the summary.
    samplingIntervalUs: options.samplingIntervalUs ?? (options.mode === "trace" ? 1000 : 250),
    lineSampleUs: HYBRID_STACK_SAMPLE_US,
    timerUnit: options.timerUnit,
    moduleGroups,
    profileChildren: true,
  };
  // Kept: compiling before launch adds the marks other modules made, which the JIT view's maps need.
  const instrument = options.mode === "sample" ? null : { style: options.mode === "hybrid" ? ("counters" as const) : ("events" as const), all: options.all, modules };
  const jitDir = options.jit ? mkdtempSync(join(tmpdir(), "tsprof-jit-")) : null;
  const jitTrace = jitDir ? new (sourceMaps().JitTraceReader)(jitDir) : null;
  let outcome: ChildOutcome;
  try {
    const running = runChild({
      script: options.script,
      args: options.args,
      cwd: options.cwd,
      stdio: options.stdio,
      collector: require.resolve("./collector"),
      collectorOptions,
      profileChildren: true,
      instrument,
      nodeArgs: jitTrace?.nodeArgs(),
    });
    // The child is starting: load what builds the result now, in this process's idle time, not
    // after the program's end (unref'd: a child that fails to start does not wait for it).
    setImmediate(loadBuilder).unref();
    outcome = await running;
  } catch (err) {
    jitTrace?.finish();
    if (jitDir) rmSync(jitDir, { recursive: true, force: true });
    throw err;
  }
  try {
    const result = lineResultOf(outcome, options, startedAt);
    addChildProcesses(result, outcome.tempDir);
    if (jitTrace) addJit(result, jitTrace, instrument);
    let outputError: Error | undefined;
    if (options.cpuprofile) {
      // The main thread's samples, in the original files' positions (what DevTools and VS Code open).
      const main = result.profiles?.find((p) => p.thread === "main") ?? result.profiles?.[0];
      try {
        // Only this exporter: the package index would load the pprof encoder too.
        const { chromeCpuProfile } = require("@tsprof/export/cpuprofile") as typeof import("@tsprof/export/cpuprofile");
        if (main) writeFileAtomic(options.cpuprofile, JSON.stringify(chromeCpuProfile(main)));
        else result.notes.push(`no CPU profile to save to ${options.cpuprofile}`);
      } catch (err) {
        outputError = err as Error;
      }
    }
    return { result, outcome, outputError };
  } finally {
    outcome.cleanup();
    if (jitDir) rmSync(jitDir, { recursive: true, force: true });
  }
}

/** The result builder, the source-map library and the thread merger (raw-result.ts loads them all). */
const loadBuilder = () => require("./raw-result") as typeof import("./raw-result");

const sourceMaps = () => require("@tsprof/runner/source-map") as typeof import("@tsprof/runner/source-map");

/**
 * Each function's JIT tier and deoptimizations from V8's JIT trace, mapped through the source maps
 * of the compile the run used (same instrumentation, so read from the compile cache).
 */
function addJit(result: LineProfileResult, trace: JitTraceReader, instrument: Parameters<typeof runChild>[0]["instrument"]): void {
  const text = trace.finish();
  result.jit = true;
  // No trace at all: V8 compiled nothing above the interpreter (it opens the file on its first event).
  const { mapJitTrace, OriginalPositions } = sourceMaps();
  const { attachJit } = require("./jit") as typeof import("./jit");
  attachJit(result.functions, text === null ? [] : mapJitTrace(text, new OriginalPositions(instrument)));
}

/**
 * The result: the child's final report, or, when it died without one (SIGKILL, abort, out of
 * memory), its latest snapshot; the header stamped here from what the parent saw.
 */
function lineResultOf(outcome: ChildOutcome, options: LineRunOptions, startedAt: string): LineProfileResult {
  const header = stampHeader("line", {
    command: options.command,
    startedAt,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    error: outcome.error,
  });
  const body = outcome.result as LineChildBody | LineRawBody | null;
  const result = { ...emptyResult(options.mode, options.timerUnit, outcome.durationNs, []), ...header };
  if (isRawBody(body) && loadBuilder().buildFromRaw(result, body, outcome.tempDir)) return result;
  // A result the profiled process built itself (its watchdog thread's last resort).
  if (body && !isRawBody(body)) return { ...result, ...body, ...header };
  const died = outcome.signal ?? `exit ${outcome.exitCode}`;
  const snapshot = outcome.snapshot;
  if (!snapshot) {
    result.notes.push(
      options.mode === "sample"
        ? `the program died (${died}) before tsprof could save its profile: sample mode's data are V8's CPU samples, kept inside the program until it stops them`
        : `the program died (${died}) before tsprof could save its profile`,
    );
    return result;
  }
  loadBuilder().buildFromCounters(result, { plan: snapshot.plan as PlanEntry[], sections: snapshot.sections, profile: null });
  result.notes.push(
    `the program died (${died}) before tsprof's final write: counts from a snapshot taken ${(snapshot.takenAtMs / 1000).toFixed(2)} s into the run (no CPU sampler times)`,
  );
  return result;
}
