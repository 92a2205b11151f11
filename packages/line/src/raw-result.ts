/**
 * tsprof's parent builds the line result from what the profiled process left: its raw final write
 * (the V8 CPU profile as the sampler gave it, the source maps to read it, the final counters) or,
 * when the process died before that, its latest snapshot (counters only). One path for both: the
 * difference is the CPU profile. Building here, not in the profiled process, keeps the source-map
 * library, the builder and the mapping off the path between the program's last line and tsprof's
 * output (the parent loads them while it waits; see profile-lines.ts).
 */
import { join } from "node:path";
import type { LineProfileResult } from "@tsprof/core";
import type { CpuProfile } from "@tsprof/runner";
import { readCounters, readPlan } from "@tsprof/runner/launch";
import { buildLineResult } from "./build-result";
import { addThreadResults, type ThreadCounts } from "./threads";
import { COUNTERS_FILE, OWN_DIRS, readSource, snapshotFiles, threadCounts, type LineRawBody, type PlanEntry } from "./shared";

/** Counters and what to read them with: a snapshot's, or the final write's (with its CPU profile). */
export interface LineCounters {
  plan: PlanEntry[];
  sections: Map<string, Float64Array>;
  profile: CpuProfile | null;
  sourceMaps?: Record<string, object>;
}

/** Fill `result` (its header and notes already set) with the tables, summary and profile. */
export function buildFromCounters(result: LineProfileResult, counters: LineCounters): void {
  const { files, stack } = snapshotFiles(counters.plan, counters.sections);
  buildLineResult(result, files, counters.profile, { readSource, ownDirs: OWN_DIRS, sourceMaps: counters.sourceMaps }, stack);
}

/**
 * The result of a raw final write found in `dir` (the run's folder, or a child process's), into
 * `result` (header already stamped). Returns false, leaving `result` untouched, when the counters
 * that belong to it cannot be read (never seen: they are written, whole, before the raw write).
 */
export function buildFromRaw(result: LineProfileResult, raw: LineRawBody, dir: string): boolean {
  const counters = readCounters(join(dir, COUNTERS_FILE));
  if (!counters || counters.takenAtMs !== raw.countersTakenAtMs) return false;
  const plan = readPlan(join(dir, raw.planFile)) as PlanEntry[];
  Object.assign(result, {
    mode: raw.mode,
    timerUnit: raw.timerUnit,
    durationNs: raw.durationNs,
    notes: [...raw.notes],
    sampler: raw.sampler,
    samplingIntervalUs: raw.samplingIntervalUs,
    ...(raw.stackSampling ? { stackSampling: raw.stackSampling } : {}),
  });
  buildFromCounters(result, { plan, sections: counters.sections, profile: raw.profile, sourceMaps: raw.sourceMaps });
  const threads = new Map<number, ThreadCounts>();
  for (const { threadId, entries } of raw.threads) threads.set(threadId, { entries, ...threadCounts(threadId, entries, counters.sections) });
  addThreadResults(result, threads, dir);
  return true;
}
