/**
 * Parent side of `tsprof mem` (per-line mode): run the script with the line collector and build
 * the MemProfileResult from what the child saved.
 */
import { join } from "node:path";
import { runChild, exitCodeOf, resolveModules, resolveScript } from "@tsprof/runner/launch";
import type { FileMeta } from "@tsprof/runner";
import { stampHeader, toolShareOf, type MemProfileResult } from "@tsprof/core";
import type { LineCollectorOptions, LineCollectorOutput } from "./line-collector";
import { functionsFromSnapshot } from "./line-tables";

export interface MemProfileOptions {
  script: string;
  args: string[];
  gc: boolean;
  all: boolean;
  modules: string[];
  command: string[];
  cwd?: string;
  /** Average bytes between samples of V8's sampling heap profiler; 0 = off. Default 32 KiB. */
  samplingIntervalBytes?: number;
  stdio?: "inherit" | "pipe" | "stderr";
}

export interface MemProfileOutcome {
  result: MemProfileResult;
  /** The exit code tsprof should return: the script's, or 128+signal. */
  exitCode: number;
  /** The script's uncaught error (full text), to print after the tables. */
  error: string | null;
  durationNs: number;
}

/** How "heap" is defined in the per-line tables (printed in the header). */
export const HEAP_DEFINITION =
  "Heap = V8 heap used + external (external includes ArrayBuffer and Buffer memory), as process.memoryUsage() reports them";

export async function profileMemory(options: MemProfileOptions): Promise<MemProfileOutcome> {
  const cwd = options.cwd ?? process.cwd();
  resolveScript(options.script, cwd);
  const modules = resolveModules(options.modules, cwd);
  const startedAt = new Date().toISOString();
  const collectorOptions: LineCollectorOptions = {
    gc: options.gc,
    samplingIntervalBytes: options.samplingIntervalBytes ?? 32 * 1024,
  };
  const running = runChild({
    script: options.script,
    args: options.args,
    cwd,
    collector: join(__dirname, "line-collector.js"),
    collectorOptions,
    instrument: { style: "events", all: options.all, modules },
    nodeArgs: options.gc ? ["--expose-gc"] : [],
    stdio: options.stdio,
  });
  // The child is starting: load what builds the result (and its source-map library) now, in this
  // process's idle time, not after the program's end (unref'd: a child that fails to start does
  // not wait for it).
  setImmediate(loadBuilder).unref();
  const outcome = await running;
  outcome.cleanup();
  const raw = outcome.result as LineCollectorOutput | null;
  const notes: string[] = [];
  const child = raw ? { ...raw, ...loadBuilder().buildFromRaw(raw, notes) } : null;
  const died = outcome.signal ? `killed by ${outcome.signal}` : `exit ${outcome.exitCode}`;
  let functions = child?.functions ?? [];
  if (child === null && outcome.snapshot) {
    // The child died without its exit code (SIGKILL, abort, out of memory): its latest snapshot.
    functions = functionsFromSnapshot(outcome.snapshot.plan as Array<{ meta: FileMeta }>, outcome.snapshot.sections);
    notes.push(
      `the program died (${died}) before tsprof's final write: per-line figures from a snapshot taken ${(outcome.snapshot.takenAtMs / 1000).toFixed(2)} s into the run (no allocation sampling)`,
    );
  } else if (child === null) {
    notes.push(`the program died (${died}) before tsprof could save its per-line measurements`);
  } else {
    notes.unshift(...child.notes);
    if (child.sampledBytes > 0) {
      notes.push(
        `Allocations: V8 sampling heap profiler, one sample per ${Math.round(collectorOptions.samplingIntervalBytes / 1024)} KiB on average, objects already collected included; ArrayBuffer contents live outside the V8 heap and are not sampled (see the per-line Heap column). Line-level rows split a profiled function's sampled bytes over its lines by the heap growth each line showed.`,
      );
    }
    if (child.ownBytes > 0) notes.push(`${(child.ownBytes / 1048576).toFixed(3)} MiB sampled in tsprof's own measuring code left out`);
  }
  const result: MemProfileResult = {
    ...stampHeader("mem", { command: options.command, startedAt, exitCode: outcome.exitCode, signal: outcome.signal, error: outcome.error }),
    gc: child?.gc ?? options.gc,
    heapDefinition: HEAP_DEFINITION,
    functions,
    allocations: child?.allocations ?? [],
    notes,
    ...(child?.rssAtStart && child.rssBeforeTsprof ? { toolShare: toolShareOf(child.rssAtStart, child.rssBeforeTsprof) } : {}),
    ...(child?.allocationProfile ? { allocationProfile: child.allocationProfile } : {}),
  };
  return { result, exitCode: exitCodeOf(outcome), error: outcome.error, durationNs: outcome.durationNs };
}

/** The result builder (allocation-sites.ts), with the source-map library it loads. */
const loadBuilder = () => require("./allocation-sites") as typeof import("./allocation-sites");
