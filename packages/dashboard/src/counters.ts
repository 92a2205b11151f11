import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readResultFile, type CountersResult, type StudyCounters } from "@tsprof/core";
import { firstLine, runCli, type VariantTarget } from "./actions";

/**
 * Counters per variant for the dashboard, from `tsprof perf` (the perf package) run on one variant
 * at a small grid: real IPC and cache-miss % where the machine has hardware counters, cachegrind's
 * simulated caches where it has none (this VM). The mapping to the study's StudyCounters is pure.
 */

/**
 * Size and iterations for counters: a small grid (cachegrind runs tens of times slower), but
 * enough steps that the variant's own work outweighs loading it (the start-up of Node itself is
 * subtracted by tsprof perf).
 */
export function countersRun(sizes: number[], iterations: number): { size: number; iterations: number } {
  return { size: Math.min(256, ...sizes), iterations: Math.max(1, Math.min(iterations, 50)) };
}

/**
 * One variant's counters from a `tsprof perf` result. Hardware: perf's IPC and cache-misses /
 * cache-references. Simulated: cachegrind has no cycles (so no IPC); the miss % is last-level
 * misses / last-level references, the simulated counterpart of perf's cache-miss ratio, net of
 * Node's start-up when the baseline run worked.
 */
export function studyCountersFrom(result: CountersResult, variant: string, size: number): StudyCounters {
  const ipc = result.derived.ipc;
  const hardwareMiss = result.derived.cacheMissPct;
  if (result.hardware.state === "available" && (ipc !== null || hardwareMiss !== null)) {
    return {
      variant,
      size,
      simulated: false,
      ipc,
      cacheMissPct: hardwareMiss,
      instructions: result.counters.instructions?.value ?? null,
      note: "measured with perf stat",
    };
  }
  const sim = result.simulated;
  if (sim && (sim.signal !== null || (sim.exitCode !== null && sim.exitCode !== 0))) {
    // The workload did not finish under valgrind (e.g. SIGILL: valgrind cannot run AVX-512 code
    // built with -march=native): its counts cover part of a run and mean nothing.
    const ended = sim.signal !== null ? `died of ${sim.signal}` : `exited ${sim.exitCode}`;
    const hint = sim.signal === "SIGILL" ? "; valgrind cannot run some instructions, e.g. AVX-512" : "";
    return { variant, size, simulated: true, ipc: null, cacheMissPct: null, instructions: null, note: `counters: n/a (under cachegrind the run ${ended}${hint})` };
  }
  if (sim) {
    const totals = sim.net ?? sim.workload;
    const missPct = totals.llLocalMissPct;
    const ll = sim.geometry.LL ? `LL ${Math.round(sim.geometry.LL.sizeBytes / 1024 / 1024)} MiB` : "LL";
    return {
      variant,
      size,
      simulated: true,
      ipc: null,
      cacheMissPct: missPct !== null && missPct >= 0 ? missPct : null,
      instructions: totals.instructions > 0 ? totals.instructions : null,
      note: `simulated by cachegrind (${ll}; ${sim.net ? "net of node start-up" : "whole run"}); IPC needs hardware cycles`,
    };
  }
  return {
    variant,
    size,
    simulated: false,
    ipc: null,
    cacheMissPct: null,
    instructions: null,
    note: result.hardware.message ?? "no counters",
  };
}

/** What `tsprof perf` runs: a script through tsprof's loader, or a program (the C reference). */
export type CountersWorkload = { script: VariantTarget } | { command: string[] };

/** `tsprof perf` arguments after `-r 1 -o <json>` for a workload. */
export function perfOperands(workload: CountersWorkload): string[] {
  if ("command" in workload) return ["--", ...workload.command];
  return [workload.script.script, "--", ...workload.script.args];
}

/** Run `tsprof perf -r 1 -o <json> ...` for one variant (aborting stops it all). */
export async function measureVariantCounters(
  cliPath: string,
  variant: string,
  size: number,
  workload: CountersWorkload,
  signal?: AbortSignal,
): Promise<StudyCounters> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  const json = path.join(dir, "counters.json");
  try {
    // The child's own temp files (cachegrind output, some MiB) go inside ours: quitting mid-way leaves nothing.
    const outcome = await runCli(cliPath, ["perf", "-r", "1", "-o", json, ...perfOperands(workload)], signal, undefined, { ...process.env, TMPDIR: dir });
    if (!existsSync(json)) {
      const reason = signal?.aborted ? "stopped" : firstLine(outcome.stderr.split("\n").filter((l) => !/simulating|measuring node/.test(l)).join("\n")) || `tsprof perf exited ${outcome.code}`;
      return { variant, size, simulated: false, ipc: null, cacheMissPct: null, instructions: null, note: `counters: n/a (${reason})` };
    }
    let result: CountersResult;
    try {
      result = readResultFile(json, "counters");
    } catch (err) {
      return { variant, size, simulated: false, ipc: null, cacheMissPct: null, instructions: null, note: `counters: n/a (${(err as Error).message})` };
    }
    return studyCountersFrom(result, variant, size);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
