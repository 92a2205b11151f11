import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { HardwareStatus } from "@tsprof/core";
import { finishRows, type ParsedPerfStat } from "../parse/common";
import { parsePerfCsv } from "../parse/perf-csv";
import { diagnosePerfStderr, PERF_MISSING_MESSAGE, userOnlyNote, workloadSignalFromStderr } from "./environment";
import { runTool } from "./spawn";
import type { Workload } from "./workload";

/** The chapter's event set (perf stat -e ... in the diffusion chapter). */
export const DEFAULT_EVENTS = [
  "cycles",
  "stalled-cycles-frontend",
  "stalled-cycles-backend",
  "instructions",
  "cache-references",
  "cache-misses",
  "branches",
  "branch-misses",
  "task-clock",
  "faults",
  "minor-faults",
  "cs",
  "migrations",
];

/** Added to the events so CSV output carries the wall time; shown as "seconds time elapsed", not as a row. */
const WALL_EVENT = "duration_time";

export interface PerfStatRun {
  /** null when perf did not produce counters (missing, blocked, failed). */
  parsed: ParsedPerfStat | null;
  exitCode: number | null;
  signal: string | null;
  hardware: HardwareStatus | null;
  /** A usage problem perf reported (unknown event). */
  usage: string | null;
  /** perf failed for another reason: its first stderr line. */
  failure: string | null;
  notes: string[];
  /** The perf argv, for the record. */
  argv: string[];
}

/** Run `perf stat -x, -o <file> -e <events> -r N -- <workload>` and parse the CSV it wrote. */
export async function runPerfStat(
  workload: Workload,
  options: {
    events: string[];
    repeats: number;
    tempDir: string;
    env: NodeJS.ProcessEnv;
    stdout: "inherit" | "stderr";
    perf?: string;
    cwd?: string;
  },
): Promise<PerfStatRun> {
  const outFile = join(options.tempDir, `perf-stat-${Date.now()}-${Math.random().toString(36).slice(2)}.csv`);
  const addWall = !options.events.includes(WALL_EVENT);
  const events = addWall ? [...options.events, WALL_EVENT] : options.events;
  const args = ["stat", "-x", ",", "-o", outFile, "-e", events.join(","), "-r", String(options.repeats), "--", ...workload.argv];
  const perf = options.perf ?? "perf";
  const outcome = await runTool(perf, args, { env: options.env, stdout: options.stdout, cwd: options.cwd });
  const base: PerfStatRun = {
    parsed: null,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    hardware: null,
    usage: null,
    failure: null,
    notes: [],
    argv: [perf, ...args],
  };
  if (outcome.spawnError === "ENOENT") {
    return { ...base, exitCode: null, hardware: { state: "perf-missing", message: PERF_MISSING_MESSAGE } };
  }
  if (outcome.spawnError) return { ...base, failure: `cannot start perf: ${outcome.spawnError}` };

  const text = existsSync(outFile) ? readFileSync(outFile, "utf8") : "";
  const parsed = finishRows(parsePerfCsv(text, ","));
  const diagnosis = diagnosePerfStderr(outcome.stderrTail);
  if (parsed.rows.length === 0) {
    if (diagnosis.usage) return { ...base, usage: diagnosis.usage };
    if (diagnosis.hardware) return { ...base, exitCode: null, hardware: diagnosis.hardware };
    const workloadFailed = /Workload failed: (.*)/.exec(outcome.stderrTail);
    const first = outcome.stderrTail.trim().split("\n").find((l) => l.trim() !== "") ?? `exit code ${String(outcome.exitCode)}`;
    return {
      ...base,
      failure: workloadFailed ? `cannot run ${workload.argv[0]}: ${workloadFailed[1]}` : `perf stat failed: ${first.trim()}`,
    };
  }
  // The wall time: one run's mean duration_time (ns), with its variance.
  if (addWall) {
    const index = parsed.rows.findIndex((r) => r.event === WALL_EVENT);
    if (index >= 0) {
      const [wall] = parsed.rows.splice(index, 1);
      if (wall.status === "counted" && wall.value !== null) {
        parsed.elapsed.seconds = wall.value / 1e9;
        parsed.elapsed.variancePct = wall.variancePct;
      }
    }
  }
  parsed.runs = options.repeats;
  parsed.label = workload.label;
  // perf exits with the workload's status; a signal it only prints ("node: Killed").
  const signal = outcome.signal ?? workloadSignalFromStderr(outcome.stderrTail, workload.argv[0]);
  const note = userOnlyNote(parsed.rows.map((r) => r.event));
  return {
    ...base,
    parsed,
    signal,
    exitCode: signal && outcome.exitCode === 0 ? null : outcome.exitCode,
    notes: note ? [note] : [],
  };
}
