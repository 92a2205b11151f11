/**
 * The program's Node child processes in the line result (runner's processes.ts says how they are
 * profiled): each child's own result, left in the run's temp dir, joins the program's with its
 * tables, summary rows and sampled profiles labelled by the child's pid ("process 4711", its
 * workers "process 4711 worker 1"). Children that left nothing are counted in one note.
 */
import { join } from "node:path";
import type { FunctionSummaryRow, LineProfileResult } from "@tsprof/core";
import { childProcessResults, spawnedChildPids } from "@tsprof/runner/launch";
import { emptyResult, isRawBody, type LineChildBody, type LineRawBody } from "./shared";

const byCumulative = (a: FunctionSummaryRow, b: FunctionSummaryRow) => b.cumtimeNs - a.cumtimeNs || b.tottimeNs - a.tottimeNs;

export function addChildProcesses(result: LineProfileResult, tempDir: string): void {
  const children = childProcessResults(tempDir);
  for (const { pid, body } of children) {
    const child = isRawBody(body) ? builtBody(body, join(tempDir, `process-${pid}`)) : (body as Partial<LineChildBody>);
    if (!child) continue;
    const label = (thread: string | undefined) => `process ${pid}${thread && thread !== "main" ? ` ${thread}` : ""}`;
    for (const f of child.functions ?? []) result.functions.push({ ...f, thread: label(f.thread) });
    const rows = (child.summary ?? []).map((r) => ({ ...r, thread: label(r.thread) }));
    result.summary = [...result.summary, ...rows].sort(byCumulative);
    for (const p of child.profiles ?? []) (result.profiles ??= []).push({ ...p, thread: label(p.thread) });
    for (const n of child.notes ?? []) if (!result.notes.includes(n)) result.notes.push(`process ${pid}: ${n}`);
  }
  const profiled = new Set(children.map((c) => c.pid));
  const missing = spawnedChildPids(tempDir).filter((pid) => !profiled.has(pid)).length;
  if (missing > 0) {
    result.notes.push(
      `the program started ${missing} Node child process${missing === 1 ? "" : "es"} that tsprof did not profile (still running when the program ended, or ended before saving), so ${missing === 1 ? "its" : "their"} code is not in these tables`,
    );
  }
}

/** A child process's raw final write, built here as the program's own is (null: its counters are unreadable). */
function builtBody(raw: LineRawBody, dir: string): Partial<LineChildBody> | null {
  const { buildFromRaw } = require("./raw-result") as typeof import("./raw-result");
  const result = emptyResult(raw.mode, raw.timerUnit, raw.durationNs, []);
  return buildFromRaw(result, raw, dir) ? result : null;
}
