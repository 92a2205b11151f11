/**
 * The program's worker threads in the line result (runner's threads.ts says how they are
 * profiled): each thread's counters, read from the buffers it handed to the main thread, and its
 * sampled profile, saved raw by the thread at its end and mapped here, become tables and summary rows labelled with
 * the thread, beside the main thread's. Runs in tsprof's parent, from the counters the profiled
 * process copied at its end (shared.ts threadCounterSections).
 */
import { existsSync, readFileSync } from "node:fs";
import type { FunctionSummaryRow, LineProfileResult } from "@tsprof/core";
import { threadLabel, threadResultFile } from "@tsprof/runner/child";
import { buildFromMapped, inProgressSlots } from "./build-result";
import type { FileData } from "./build-result";
import { mapCpuProfile } from "@tsprof/runner/source-map";
import { emptyResult, OWN_DIRS, readSource, type PlanEntry, type ThreadSaved } from "./shared";
export { collectThreads, type WorkerThreadData } from "./shared";

/** One worker thread's plan entries and counters (views over the counters file's copies). */
export interface ThreadCounts {
  entries: PlanEntry[];
  files: FileData[];
  stack: Int32Array | null;
}

function readSaved(file: string): ThreadSaved | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ThreadSaved;
  } catch {
    return null;
  }
}

/** Summary order: by cumulative time, then self time. */
const byCumulative = (a: FunctionSummaryRow, b: FunctionSummaryRow) => b.cumtimeNs - a.cumtimeNs || b.tottimeNs - a.tottimeNs;

/**
 * Label the main thread's tables and rows, and add each worker thread's (in thread id order). A
 * worker that was terminated ran no exit handler: its counts are whole, its sampled times missing.
 */
export function addThreadResults(result: LineProfileResult, threads: Map<number, ThreadCounts>, tempDir: string): void {
  labelThread(result, threadLabel(0));
  const cut: string[] = [];
  for (const id of [...threads.keys()].sort((a, b) => a - b)) {
    const { entries, files, stack } = threads.get(id)!;
    const label = threadLabel(id);
    const saved = readSaved(threadResultFile(tempDir, id));
    const mapped = saved?.profile ? mapCpuProfile(saved.profile, { ownDirs: OWN_DIRS, thread: label, sourceMaps: saved.sourceMaps ?? {} }) : null;
    const part = emptyResult(result.mode, result.timerUnit, 0, []);
    buildFromMapped(part, files, mapped, { readSource }, inProgressSlots(stack));
    labelThread(part, label);
    result.functions.push(...part.functions);
    result.summary = [...result.summary, ...part.summary].sort(byCumulative);
    if (mapped) (result.profiles ??= []).push(mapped);
    else cut.push(label);
    for (const e of entries) for (const w of e.meta.warnings ?? []) if (!result.notes.includes(w)) result.notes.push(w);
  }
  if (cut.length > 0) {
    const its = cut.length === 1 ? "its" : "their";
    const lost = result.mode === "sample" ? `${its} CPU samples were lost` : `${its} hits are exact, ${its} sampled times are missing`;
    result.notes.push(`${cut.join(", ")} ended without running ${its} exit handlers (terminated): ${lost}`);
  }
}

/** Mark every table and summary row not yet labelled as the given thread's. */
export function labelThread(result: LineProfileResult, label: string): void {
  for (const f of result.functions) f.thread ??= label;
  for (const r of result.summary) r.thread ??= label;
}
