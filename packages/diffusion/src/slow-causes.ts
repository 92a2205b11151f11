/**
 * The slow measurements of a study, run once per variant on the smallest size after the timed
 * cells (so they never disturb a timing), and marked as such in the result:
 * - the JIT state: the cell child under V8's code log (--log-code --log-deopt), parsed and mapped
 *   back to the original source lines;
 * - simulated counters: the cell child under cachegrind (--cache-sim=yes --branch-sim=yes) twice,
 *   with k and 2k steps; the difference is k steady steps, net of Node's start-up, the variant's
 *   setup and most of the JIT's warm-up compilation.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { tierRank, type JitDeopt, type JitFunction, type StudyCounters, type StudyJit } from "@tsprof/core";
import { DEFAULT_GEOMETRY, VALGRIND_MISSING_MESSAGE, geometryFlag, parseCachegrindOut } from "@tsprof/perf";
import { OriginalPositions, codeLogNodeArgs, mapV8CodeLog, readCodeLogs, type MappedCodeLog } from "@tsprof/runner/source-map";

/** How a variant is started for one slow run: the argv (after node or as a program) for `steps` steps. */
export interface SlowRunTarget {
  variant: string;
  size: number;
  /** argv of the whole command for `steps` steps (node + flags + cell child + spec, or the C binary). */
  argv(steps: number, extraNodeFlags: string[]): string[];
  /** True for a compiled program (no JIT to log). */
  native: boolean;
  /** Which original source files are the variant's own (for the JIT view). */
  isOwnFile(file: string): boolean;
}

/** Steps for a run covering about `seconds` of native time, given the cell's seconds per step. */
export function stepsFor(seconds: number, secondsPerStep: number, iterations: number, minimum: number): number {
  const wanted = secondsPerStep > 0 ? Math.ceil(seconds / secondsPerStep) : minimum;
  return Math.max(minimum, Math.min(iterations, wanted));
}

function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
}

/** Run a command to completion (stdout ignored); resolves with its exit code and stderr tail. */
function runQuiet(argv: string[], signal?: AbortSignal): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const onAbort = () => child.kill("SIGTERM");
    signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (e) => resolve({ code: null, stderr: e.message }));
    child.on("close", (code) => {
      signal?.removeEventListener("abort", onAbort);
      resolve({ code, stderr });
    });
  });
}

/** The variant's functions and deopts from a V8 code log (its text, or the logs already mapped), at original lines. */
export function jitFromLog(
  logOrText: string | MappedCodeLog,
  target: Pick<SlowRunTarget, "isOwnFile">,
  positions = new OriginalPositions(),
): { functions: JitFunction[]; deopts: JitDeopt[] } {
  const log = typeof logOrText === "string" ? mapV8CodeLog(logOrText, positions) : logOrText;
  // One entry per function: the worker threads' copies (each isolate logs its own) merge into it.
  const byPlace = new Map<string, JitFunction>();
  for (const fn of log.functions) {
    // A module's top-level code (the CommonJS wrapper) and tsc's helpers are not kernels.
    if ((fn.name === "" && fn.generatedLine <= 2) || fn.name.startsWith("__")) continue;
    if (!target.isOwnFile(fn.file)) continue;
    const key = `${fn.file}:${fn.line}:${fn.column}`;
    const seen = byPlace.get(key);
    if (!seen) byPlace.set(key, { name: fn.name || "(anonymous)", file: fn.file, line: fn.line, tier: fn.tier, optimizations: fn.optimizations });
    else {
      if (tierRank(fn.tier) > tierRank(seen.tier)) seen.tier = fn.tier;
      seen.optimizations += fn.optimizations;
    }
  }
  const functions = [...byPlace.values()];
  functions.sort((a, b) => tierRank(b.tier) - tierRank(a.tier) || b.optimizations - a.optimizations || a.line - b.line);
  const deopts: JitDeopt[] = [];
  for (const d of log.deopts) {
    if (!target.isOwnFile(d.file) && !(d.owner && target.isOwnFile(d.owner.file))) continue;
    deopts.push({ function: d.function || "(anonymous)", kind: d.kind, reason: d.reason, file: d.file, line: d.line, column: d.column });
  }
  return { functions, deopts };
}

/** The JIT state of one variant: its cell child run for `steps` steps under V8's code log. */
export async function measureJit(target: SlowRunTarget, steps: number, signal?: AbortSignal): Promise<StudyJit> {
  const base = { variant: target.variant, size: target.size, iterations: steps, functions: [], deopts: [] };
  if (target.native) return { ...base, note: "a compiled program: no JIT" };
  const dir = makeTempDir();
  try {
    const outcome = await runQuiet(target.argv(steps, codeLogNodeArgs(dir)), signal);
    const logs = readCodeLogs(dir, new OriginalPositions());
    if (!logs) return { ...base, note: `no V8 log (exit ${outcome.code}): ${outcome.stderr.trim().split("\n").pop() ?? ""}` };
    return { ...base, ...jitFromLog(logs, target) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface SimulatedTotals {
  instructions: number;
  d1Misses: number;
  llMisses: number;
  branchMispredicts: number | null;
}

function totalsOf(totals: Record<string, number>): SimulatedTotals {
  const n = (k: string) => totals[k] ?? 0;
  const hasBranches = typeof totals.Bcm === "number";
  return {
    instructions: n("Ir"),
    d1Misses: n("D1mr") + n("D1mw"),
    llMisses: n("ILmr") + n("DLmr") + n("DLmw"),
    branchMispredicts: hasBranches ? n("Bcm") + n("Bim") : null,
  };
}

/**
 * One run under cachegrind. Spawned here rather than through @tsprof/perf's runner, which passes
 * the child's stderr and the terminal through (a live dashboard owns both) and has no abort.
 */
async function cachegrindTotals(argv: string[], dir: string, tag: string, signal?: AbortSignal): Promise<SimulatedTotals | string> {
  const outFile = path.join(dir, `cachegrind.out.${tag}`);
  const logFile = path.join(dir, `valgrind.${tag}.log`);
  const g = DEFAULT_GEOMETRY;
  const valgrind = [
    "valgrind",
    "--tool=cachegrind",
    "--cache-sim=yes",
    "--branch-sim=yes",
    `--I1=${geometryFlag(g.I1)}`,
    `--D1=${geometryFlag(g.D1)}`,
    `--LL=${geometryFlag(g.LL)}`,
    `--cachegrind-out-file=${outFile}`,
    `--log-file=${logFile}`,
  ];
  const outcome = await runQuiet([...valgrind, ...argv], signal);
  if (signal?.aborted) return "stopped";
  if (outcome.code === null && /ENOENT/.test(outcome.stderr)) return VALGRIND_MISSING_MESSAGE;
  const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "";
  const died = /Process terminating with default action of signal \d+ \((SIG\w+)\)/.exec(log);
  if (died) return `under cachegrind the run died of ${died[1]}${died[1] === "SIGILL" ? " (valgrind cannot run some instructions, e.g. AVX-512)" : ""}`;
  if (outcome.code !== 0) return `under cachegrind the run exited ${outcome.code}: ${outcome.stderr.trim().split("\n").pop() ?? ""}`;
  if (!fs.existsSync(outFile)) return "cachegrind wrote no counts";
  return totalsOf(parseCachegrindOut(fs.readFileSync(outFile, "utf8")).totals);
}

/**
 * Per-step counts from a run of `short` steps and a longer one: (long - short) / (steps between).
 * null where the longer run did not count more (the difference is lost in the runs' own noise).
 */
export function perStepCounts(short: SimulatedTotals, shortSteps: number, long: SimulatedTotals, longSteps: number): NonNullable<StudyCounters["perStep"]> | null {
  const steps = longSteps - shortSteps;
  // A difference below zero is noise larger than the steps' own count: not measurable here.
  const per = (a: number | null, b: number | null) => (a === null || b === null || b < a ? null : (b - a) / steps);
  const instructions = per(short.instructions, long.instructions);
  if (instructions === null || instructions === 0) return null;
  return {
    instructions,
    d1Misses: per(short.d1Misses, long.d1Misses),
    llMisses: per(short.llMisses, long.llMisses),
    branchMispredicts: per(short.branchMispredicts, long.branchMispredicts),
  };
}

/**
 * Counters of one variant per step, simulated by cachegrind: (run of 2k steps - run of k steps) / k.
 * Two runs of one program differ by tens of millions of instructions that are not its steps: when
 * V8's optimizing compiler (a background thread) finishes, and when the garbage collector runs,
 * both depend on timing. For a variant that allocates (nested: about 50-90 M instructions between
 * two identical 41-step runs under cachegrind here, 470 M for the 41 steps themselves) that noise
 * can exceed k steps' worth; then a run of 4k steps is added and (4k - k) / 3k taken, three times
 * the signal for the same noise.
 */
export async function measureSimulated(target: SlowRunTarget, steps: number, signal?: AbortSignal): Promise<StudyCounters> {
  const base: StudyCounters = { variant: target.variant, size: target.size, simulated: true, ipc: null, cacheMissPct: null, instructions: null };
  const dir = makeTempDir();
  try {
    const short = await cachegrindTotals(target.argv(steps, []), dir, "short", signal);
    if (typeof short === "string") return { ...base, note: `counters: n/a (${short})` };
    let longSteps = 2 * steps;
    const long = await cachegrindTotals(target.argv(longSteps, []), dir, "long", signal);
    if (typeof long === "string") return { ...base, note: `counters: n/a (${long})` };
    let perStep = perStepCounts(short, steps, long, longSteps);
    if (!perStep) {
      longSteps = 4 * steps;
      const longer = await cachegrindTotals(target.argv(longSteps, []), dir, "longer", signal);
      if (typeof longer === "string") return { ...base, note: `counters: n/a (${longer})` };
      perStep = perStepCounts(short, steps, longer, longSteps);
    }
    if (!perStep) {
      return { ...base, note: `counters: n/a (neither the ${2 * steps}- nor the ${4 * steps}-step run counted more instructions than the ${steps}-step run: the runs' own noise is larger)` };
    }
    const llRefs = perStep.d1Misses ?? 0;
    const measuredSteps = longSteps - steps;
    return {
      ...base,
      instructions: perStep.instructions * steps,
      cacheMissPct: llRefs > 0 && perStep.llMisses !== null ? (100 * perStep.llMisses) / llRefs : null,
      steps,
      perStep,
      note: `simulated by cachegrind (LL ${DEFAULT_GEOMETRY.LL.sizeBytes / 1024 / 1024} MiB), per step: runs of ${longSteps} and ${steps} steps subtracted${measuredSteps > steps ? " (the 2x run was within noise)" : ""}`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
