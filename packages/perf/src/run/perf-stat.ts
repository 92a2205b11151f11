import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { HardwareStatus } from "@tsprof/core";
import type { ParsedPerfStat } from "../parse/common";
import { parsePerfCsv } from "../parse/perf-csv";
import { aggregateRuns } from "./aggregate";
import { diagnosePerfStderr, preflightPerf, PERF_MISSING_MESSAGE, userOnlyNote, workloadSignalFromStderr } from "./environment";
import { groupSignalShield, runTool } from "./spawn";
import { findProgram, type Workload } from "./workload";

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

/**
 * The `-x` separator of our own runs: ";" rather than ",", because raw PMU events print with
 * commas in their names ("cpu/event=0x3c,umask=0x00/") and would split a comma-separated row.
 */
const SEPARATOR = ";";

/**
 * Split an `-e` list at its top-level commas: not inside a PMU term ("cpu/event=0x3c,umask=0/")
 * or an event group ("{cycles,instructions}").
 */
export function splitEventList(text: string): string[] {
  const events: string[] = [];
  let current = "";
  let braces = 0;
  let inTerm = false;
  for (const ch of text) {
    if (ch === "{") braces++;
    else if (ch === "}") braces = Math.max(0, braces - 1);
    else if (ch === "/") inTerm = !inTerm;
    if (ch === "," && braces === 0 && !inTerm) {
      if (current.trim()) events.push(current.trim());
      current = "";
      continue;
    }
    current += ch;
  }
  if (current.trim()) events.push(current.trim());
  return events;
}

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
  /** perf failed for another reason: one line. */
  failure: string | null;
  notes: string[];
  /** Ctrl-C stopped the repeats. */
  interrupted: boolean;
  /** The perf argv of the first run, for the record. */
  argv: string[];
}

/** The perf argv of one run: CSV with our separator into `outFile`, any extra options, then the workload. */
function perfStatArgs(events: string[], outFile: string, workload: Workload, extraArgs: string[] = []): string[] {
  return ["stat", "-x", SEPARATOR, "-o", outFile, "-e", events.join(","), ...extraArgs, "--", ...workload.argv];
}

/**
 * perf's argv, shielded from SIGTERM/SIGHUP sent to the whole process group where the workload is
 * a Node script (see groupSignalShield): the script still gets them, perf stays to print its counts.
 */
function launchArgv(perf: string, args: string[], workload: Workload): string[] {
  const shield = workload.kind === "script" ? groupSignalShield() : null;
  const resolved = shield ? findProgram(perf) : null;
  return shield && resolved ? [...shield, resolved, ...args] : [perf, ...args];
}

/** Move the wall-time row we added (duration_time) out of the rows into `elapsed`. */
function takeWallTime(parsed: ParsedPerfStat): void {
  const index = parsed.rows.findIndex((r) => r.event.replace(/:[a-z]+$/, "") === WALL_EVENT);
  if (index < 0) return;
  const [wall] = parsed.rows.splice(index, 1);
  if (wall.status === "counted" && wall.value !== null) parsed.elapsed.seconds = wall.value / 1e9;
}

type RunOutcome = Awaited<ReturnType<typeof runTool>>;

/**
 * A run that wrote no counters: what perf's stderr says (a usage problem, no hardware counters, a
 * failed start), as the fields of the final result; null when runs before it were counted (then
 * those are kept, with a note).
 */
function noCounters(outcome: RunOutcome, workload: Workload, counted: number, run: number, notes: string[]): Partial<PerfStatRun> | null {
  const diagnosis = diagnosePerfStderr(outcome.stderrTail);
  if (diagnosis.usage) return { usage: diagnosis.usage };
  if (diagnosis.hardware) return { hardware: diagnosis.hardware };
  const workloadFailed = /Workload failed: (.*)/.exec(outcome.stderrTail);
  const first = outcome.stderrTail.trim().split("\n").find((l) => l.trim() !== "") ?? `exit code ${String(outcome.exitCode)}`;
  if (counted === 0 && outcome.signal) {
    // perf itself died of the signal (only Ctrl-C makes it print): say so, and end as that signal.
    return { signal: outcome.signal, failure: `perf stat was killed by ${outcome.signal} before it printed its counts (perf prints them on Ctrl-C only)` };
  }
  if (counted === 0) {
    return { failure: workloadFailed ? `cannot run ${workload.argv[0]}: ${workloadFailed[1]}` : `perf stat failed: ${first.trim()}` };
  }
  notes.push(`run ${run + 1} gave no counters (${first.trim()}); kept the ${counted} before it`);
  return null;
}

/**
 * Record how a counted run ended (exit code, signal) in `result`; true when the repeats stop here:
 * Ctrl-C, or a workload that failed (the runs so far are reported, with a note).
 */
function endOfRun(result: PerfStatRun, outcome: RunOutcome, workload: Workload, run: number, counted: number, repeats: number): boolean {
  // perf exits with the workload's status; a signal it only prints ("node: Killed").
  // A SIGTERM/SIGHUP passed on ends the run as that signal, whatever perf itself exits with.
  const signal = outcome.forwardedSignal ?? outcome.signal ?? workloadSignalFromStderr(outcome.stderrTail, workload.argv[0]);
  result.signal = signal;
  result.exitCode = signal && outcome.exitCode === 0 ? null : outcome.exitCode;
  const more = run + 1 < repeats;
  if (outcome.interrupted || signal === "SIGINT") {
    result.interrupted = true;
    if (more) result.notes.push(`interrupted (${!signal || signal === "SIGINT" ? "Ctrl-C" : signal}): ${counted} of ${repeats} runs measured`);
    return true;
  }
  if (signal || (result.exitCode !== null && result.exitCode !== 0)) {
    if (more) result.notes.push(`the workload failed in run ${run + 1}: not repeated (${counted} of ${repeats} runs measured)`);
    return true;
  }
  return false;
}

/**
 * `perf stat -x';' -o <file> -e <events> -- <workload>`, repeated N times and combined as perf's -r
 * would (mean, ± variance of the mean). One perf per run, so that Ctrl-C or a failing workload
 * stops the repeats and the runs done so far are still reported (perf's own -r keeps going).
 */
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
    /** More perf stat options, before the workload (--delay=-1 --control fifo:...). */
    extraArgs?: string[];
    /** Run without the terminal (see runTool's quiet). */
    quiet?: { signal?: AbortSignal };
  },
): Promise<PerfStatRun> {
  const addWall = !options.events.includes(WALL_EVENT);
  const events = addWall ? [...options.events, WALL_EVENT] : options.events;
  const perf = options.perf ?? "perf";
  const result: PerfStatRun = {
    parsed: null,
    exitCode: null,
    signal: null,
    hardware: null,
    usage: null,
    failure: null,
    notes: [],
    interrupted: false,
    argv: [perf, ...perfStatArgs(events, "<file>", workload, options.extraArgs)],
  };
  const missing: Partial<PerfStatRun> = { hardware: { state: "perf-missing", message: PERF_MISSING_MESSAGE } };
  const preflight = await preflightPerf(perf, events);
  if (preflight.missing) return { ...result, ...missing };
  if (preflight.usage) return { ...result, usage: preflight.usage };
  if (preflight.hardware) return { ...result, hardware: preflight.hardware };

  const runs: ParsedPerfStat[] = [];
  for (let run = 0; run < options.repeats; run++) {
    const outFile = join(options.tempDir, `perf-stat-${run}-${Math.random().toString(36).slice(2)}.csv`);
    const [program, ...args] = launchArgv(perf, perfStatArgs(events, outFile, workload, options.extraArgs), workload);
    const outcome = await runTool(program, args, { env: options.env, stdout: options.stdout, cwd: options.cwd, quiet: options.quiet });
    if (outcome.spawnError === "ENOENT") return { ...result, ...missing };
    if (outcome.spawnError) return { ...result, failure: `cannot start perf: ${outcome.spawnError}` };
    const parsed = parsePerfCsv(existsSync(outFile) ? readFileSync(outFile, "utf8") : "", SEPARATOR);
    if (parsed.rows.length === 0) {
      const stop = noCounters(outcome, workload, runs.length, run, result.notes);
      if (stop) return { ...result, ...stop };
      break;
    }
    if (addWall) takeWallTime(parsed);
    runs.push(parsed);
    if (endOfRun(result, outcome, workload, run, runs.length, options.repeats)) break;
  }
  const parsed = aggregateRuns(runs);
  parsed.label = workload.label;
  const note = userOnlyNote(parsed.rows.map((r) => r.event));
  if (note) result.notes.push(note);
  return { ...result, parsed };
}
