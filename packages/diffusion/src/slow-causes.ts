/**
 * The slow measurements of a study, run once per variant on the smallest size after the timed
 * cells (so they never disturb a timing), and marked as such in the result:
 * - the JIT state: the cell child under V8's code log (--log-code --log-deopt), parsed and mapped
 *   back to the original source lines;
 * - simulated counters: the cell child under callgrind (--cache-sim=yes --branch-sim=yes, V8
 *   --predictable), counting only a window of steps after a warm-up (see measureSimulated);
 *   where the CPU has counters, hardware-counters.ts counts the same window with perf stat instead.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { tierRank, type JitDeopt, type JitFunction, type StudyCounters, type StudyJit } from "@tsprof/core";
import { DEFAULT_GEOMETRY, VALGRIND_MISSING_MESSAGE, geometryFlag, parseCallgrindDump, PREDICTABLE_NODE_FLAGS } from "@tsprof/perf";
import { OriginalPositions, codeLogNodeArgs, mapV8CodeLog, readCodeLogs, type MappedCodeLog } from "@tsprof/runner/source-map";
import type { CellSpec } from "./protocol";

/** How a variant is started for one slow run: the argv (after node or as a program) for `steps` steps. */
export interface SlowRunTarget {
  variant: string;
  size: number;
  /**
   * argv of the whole command for `steps` steps (node + flags + cell child + spec, or the C
   * binary); with `window`, the steps are counted inside a marked window (not for a C binary).
   */
  argv(steps: number, extraNodeFlags: string[], window?: CellSpec["window"]): string[];
  /** True for a compiled program (no JIT to log). */
  native: boolean;
  /** Which original source files are the variant's own (for the JIT view). */
  isOwnFile(file: string): boolean;
}

/**
 * Node flags of the runs under valgrind. V8's --predictable makes it single-threaded and
 * deterministic (no concurrent compiler or GC threads, fixed seeds), as `tsprof perf` does for its
 * simulations (PREDICTABLE_NODE_FLAGS): see measureSimulated for what it changed here.
 */
const SIMULATION_NODE_FLAGS = PREDICTABLE_NODE_FLAGS;

/** Steps run under instrumentation before the counted ones, so the simulated caches are not empty. */
const CACHE_WARMUP_STEPS = 2;

/** Steps for a run covering about `seconds` of native time, given the cell's seconds per step. */
export function stepsFor(seconds: number, secondsPerStep: number, iterations: number, minimum: number): number {
  const wanted = secondsPerStep > 0 ? Math.ceil(seconds / secondsPerStep) : minimum;
  return Math.max(minimum, Math.min(iterations, wanted));
}

function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
}

/** Run a command to completion (stdout ignored); resolves with its exit code and stderr tail. */
function runQuiet(argv: string[], signal?: AbortSignal, onSpawn?: (pid: number | undefined) => void): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
    onSpawn?.(child.pid);
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

/** The cache and branch simulation every valgrind run of the study shares, at the fixed geometry. */
function simulationFlags(): string[] {
  const g = DEFAULT_GEOMETRY;
  return ["--cache-sim=yes", "--branch-sim=yes", `--I1=${geometryFlag(g.I1)}`, `--D1=${geometryFlag(g.D1)}`, `--LL=${geometryFlag(g.LL)}`];
}

/**
 * One run under valgrind, spawned here rather than through @tsprof/perf's runner, which passes
 * the child's stderr and the terminal through (a live dashboard owns both) and has no abort.
 * Resolves with null when the run ended normally, else one line saying why it did not.
 */
async function runUnderValgrind(toolFlags: string[], argv: string[], logFile: string, signal?: AbortSignal, onSpawn?: (pid: number | undefined) => void): Promise<string | null> {
  // valgrind execs its tool in the same process: this pid is the one vgdb talks to.
  const outcome = await runQuiet(["valgrind", ...toolFlags, ...simulationFlags(), `--log-file=${logFile}`, ...argv], signal, onSpawn);
  if (signal?.aborted) return "stopped";
  if (outcome.code === null && /ENOENT/.test(outcome.stderr)) return VALGRIND_MISSING_MESSAGE;
  const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "";
  const tool = toolFlags[0].replace("--tool=", "");
  const died = /Process terminating with default action of signal \d+ \((SIG\w+)\)/.exec(log);
  if (died) return `under ${tool} the run died of ${died[1]}${died[1] === "SIGILL" ? " (valgrind cannot run some instructions, e.g. AVX-512)" : ""}`;
  if (outcome.code !== 0) return `under ${tool} the run exited ${outcome.code}: ${outcome.stderr.trim().split("\n").pop() ?? ""}`;
  return null;
}

/** One whole run under callgrind: its totals, or why there are none. */
async function callgrindTotals(argv: string[], dir: string, tag: string, signal?: AbortSignal): Promise<SimulatedTotals | string> {
  const outFile = path.join(dir, `callgrind.out.${tag}`);
  const failed = await runUnderValgrind(["--tool=callgrind", `--callgrind-out-file=${outFile}`], argv, path.join(dir, `valgrind.${tag}.log`), signal);
  if (failed) return failed;
  if (!fs.existsSync(outFile)) return "callgrind wrote no counts";
  return totalsOf(parseCallgrindDump(fs.readFileSync(outFile, "utf8")).totals);
}

/** Node has no mkfifo(3): the coreutils program, spawned with an argument array. */
function makeFifo(file: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn("mkfifo", ["-m", "600", file], { stdio: "ignore" });
    child.on("error", (e) => resolve(`cannot make a FIFO: ${e.message}`));
    child.on("close", (code) => resolve(code === 0 ? null : `mkfifo exited ${code}`));
  });
}

/** The control and ack FIFOs of a window (window-marker.ts), in a private folder; or why not. */
export async function makeWindowFifos(dir: string): Promise<{ controlFifo: string; ackFifo: string } | string> {
  const fifos = { controlFifo: path.join(dir, "control"), ackFifo: path.join(dir, "ack") };
  return (await makeFifo(fifos.controlFifo)) ?? (await makeFifo(fifos.ackFifo)) ?? fifos;
}

/** What callgrind's monitor does for each command of the cell child. */
const CALLGRIND_COMMANDS: Record<string, string[]> = {
  instrument: ["instrumentation", "on"],
  enable: ["zero"],
  disable: ["instrumentation", "off"],
};

/**
 * How long one vgdb command may take. The child waits for its ack blocked in a read, so valgrind
 * does not poll for vgdb: vgdb has to wake it with ptrace, which takes well under a second where
 * it is allowed, and never happens where it is not (Yama's ptrace_scope 1 for a non-root user:
 * vgdb is not the valgrind process's parent).
 */
const VGDB_TIMEOUT_MS = 30_000;

function ptraceHint(): string {
  try {
    const scope = fs.readFileSync("/proc/sys/kernel/yama/ptrace_scope", "utf8").trim();
    return scope !== "0" ? ` (kernel.yama.ptrace_scope=${scope} may keep vgdb from reaching it: sudo sysctl kernel.yama.ptrace_scope=0)` : "";
  } catch {
    return "";
  }
}

/** Send one monitor command to the valgrind process `pid` through vgdb; null when done, else why not. */
function vgdb(prefix: string, pid: number, words: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn("vgdb", [`--vgdb-prefix=${prefix}`, `--pid=${pid}`, ...words], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, VGDB_TIMEOUT_MS);
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-1000)));
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve(`cannot run vgdb: ${e.message}`);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut) resolve(`vgdb could not reach the process within ${VGDB_TIMEOUT_MS / 1000} s${ptraceHint()}`);
      else resolve(code === 0 ? null : `vgdb ${words.join(" ")} exited ${code}: ${stderr.trim().split("\n").pop() ?? ""}${ptraceHint()}`);
    });
  });
}

/**
 * Serve a window's FIFOs for a run under callgrind: each command of the cell child becomes a
 * monitor command (CALLGRIND_COMMANDS), then `ack`, in order. Every command is acknowledged, even
 * one that failed, so the child never waits for ever; the failure is reported instead.
 */
export function serveCallgrindWindow(fifos: { controlFifo: string; ackFifo: string }, vgdbPrefix: string, pid: () => number | undefined): { done: string[]; failure(): string | null; close(): void } {
  // Read-write opens of a FIFO never block, and keep it open whatever the child does.
  const control = new net.Socket({ fd: fs.openSync(fifos.controlFifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK), readable: true, writable: false });
  const ack = fs.openSync(fifos.ackFifo, fs.constants.O_RDWR);
  const done: string[] = [];
  let failure: string | null = null;
  let pending = "";
  let queue = Promise.resolve();
  const serve = async (command: string) => {
    // After a failure the window is lost: answer at once so the child finishes.
    if (failure) {
      fs.writeSync(ack, "ack\n");
      return;
    }
    const words = CALLGRIND_COMMANDS[command];
    const target = pid();
    const why = !words ? `unknown window command '${command}'` : target === undefined ? "no valgrind process" : await vgdb(vgdbPrefix, target, words);
    if (why) failure ??= why;
    else done.push(command);
    fs.writeSync(ack, "ack\n");
  };
  control.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const command = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      queue = queue.then(() => serve(command));
    }
  });
  return {
    done,
    failure: () => failure,
    close() {
      control.destroy();
      fs.closeSync(ack);
    },
  };
}

/**
 * One run under callgrind that counts only the window the cell child marks: instrumentation is
 * off until the child has run its warm-up steps (valgrind then runs the code about 5x slower
 * instead of 50x), on for a few uncounted steps that fill the simulated caches, the counts are
 * zeroed, and instrumentation goes off after the measured steps, so the totals callgrind writes
 * at exit are the window's.
 */
async function callgrindWindowTotals(target: SlowRunTarget, steps: number, warmupSteps: number, dir: string, signal?: AbortSignal): Promise<SimulatedTotals | string> {
  const fifos = await makeWindowFifos(dir);
  if (typeof fifos === "string") return fifos;
  const outFile = path.join(dir, "callgrind.out");
  const vgdbPrefix = path.join(dir, "vgdb");
  const argv = target.argv(steps, SIMULATION_NODE_FLAGS, { warmupSteps, instrumentSteps: CACHE_WARMUP_STEPS, ...fifos });
  const flags = ["--tool=callgrind", "--instr-atstart=no", `--callgrind-out-file=${outFile}`, `--vgdb-prefix=${vgdbPrefix}`];
  let pid: number | undefined;
  const server = serveCallgrindWindow(fifos, vgdbPrefix, () => pid);
  try {
    const failed = await runUnderValgrind(flags, argv, path.join(dir, "valgrind.log"), signal, (p) => (pid = p));
    if (failed) return failed;
  } finally {
    server.close();
  }
  if (server.failure()) return `the measured steps could not be marked: ${server.failure()}`;
  if (server.done.join(",") !== "instrument,enable,disable") return `the measured steps were not marked (${server.done.join(", ") || "no command came"})`;
  if (!fs.existsSync(outFile)) return "callgrind wrote no counts";
  return totalsOf(parseCallgrindDump(fs.readFileSync(outFile, "utf8")).totals);
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
 * Counters of one variant per step, simulated (valgrind's cache and branch simulation, at the
 * fixed geometry). A variant that runs in Node is counted over a window of `steps` steps after
 * `warmupSteps` uncounted ones (callgrindWindowTotals). Why, measured on fused at 256² here:
 * - the earlier way, cachegrind over a run of k and of 2k steps and the difference, counted
 *   792 M, 825 M and 853 M instructions for three identical 32-step runs and 904 M and 913 M for
 *   two 64-step runs: run-to-run noise of +-30 M against 32 steps of about 2.5 M each, so the
 *   difference read anything from 1.6 to 3.8 M per step (and where a run tiered up late, much
 *   more). The noise is V8's background threads (the optimizing compiler, concurrent GC marking)
 *   scheduled at valgrind's whim, plus the JIT's warm-up inside the counted steps.
 * - a window (no start-up, setup or exit counted) without --predictable: 21.8 M and 25.1 M for the
 *   same 8 steps after 8 warm-up steps (15 % apart): the background threads still move work in
 *   and out of the window.
 * - a window with --predictable (no compiler or GC threads; tier-up at deterministic points):
 *   fused at 256² 21,607,191 and 21,607,101 instructions for the 8 steps; nested at 256²
 *   103,124,026 and 103,123,946; nested-prealloc at 64² and fused at 16² (three runs) equal to the
 *   instruction. fused-workers still differs (24.6 M and 22.2 M at 256², 10 %): its threads take
 *   turns at valgrind's whim, and each hand-off costs what it costs. Instrumentation off until
 *   the window also makes the run 5-10x faster (Node starts at about 5x native speed instead of 50x).
 * A compiled program (the C reference) has no JIT and no background thread, and marks no window:
 * its runs of k and 2k steps under callgrind are subtracted (measureBySubtraction).
 */
export async function measureSimulated(target: SlowRunTarget, steps: number, warmupSteps: number, signal?: AbortSignal): Promise<StudyCounters> {
  if (target.native) return measureBySubtraction(target, steps, signal);
  const base: StudyCounters = { variant: target.variant, size: target.size, simulated: true, tool: "callgrind", ipc: null, cacheMissPct: null, instructions: null };
  const dir = makeTempDir();
  try {
    const totals = await callgrindWindowTotals(target, steps, warmupSteps, dir, signal);
    if (typeof totals === "string") return { ...base, note: `counters: n/a (${totals})` };
    const per = (value: number | null) => (value === null ? null : value / steps);
    return {
      ...base,
      instructions: totals.instructions,
      cacheMissPct: totals.d1Misses > 0 ? (100 * totals.llMisses) / totals.d1Misses : null,
      steps,
      warmupSteps,
      perStep: { instructions: totals.instructions / steps, d1Misses: per(totals.d1Misses), llMisses: per(totals.llMisses), branchMispredicts: per(totals.branchMispredicts) },
      note: `simulated by callgrind (LL ${DEFAULT_GEOMETRY.LL.sizeBytes / 1024 / 1024} MiB): ${steps} steps counted after ${warmupSteps + CACHE_WARMUP_STEPS} warm-up steps`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A compiled program's counters per step: (run of 2k steps - run of k steps) / k under callgrind
 * (deterministic: no JIT, no GC; the C reference counted the same to the instruction twice here).
 */
async function measureBySubtraction(target: SlowRunTarget, steps: number, signal?: AbortSignal): Promise<StudyCounters> {
  const base: StudyCounters = { variant: target.variant, size: target.size, simulated: true, tool: "callgrind", ipc: null, cacheMissPct: null, instructions: null };
  const dir = makeTempDir();
  try {
    const short = await callgrindTotals(target.argv(steps, []), dir, "short", signal);
    if (typeof short === "string") return { ...base, note: `counters: n/a (${short})` };
    const long = await callgrindTotals(target.argv(2 * steps, []), dir, "long", signal);
    if (typeof long === "string") return { ...base, note: `counters: n/a (${long})` };
    const perStep = perStepCounts(short, steps, long, 2 * steps);
    if (!perStep) return { ...base, note: `counters: n/a (the ${2 * steps}-step run did not count more instructions than the ${steps}-step run)` };
    return {
      ...base,
      instructions: perStep.instructions * steps,
      cacheMissPct: perStep.d1Misses && perStep.llMisses !== null ? (100 * perStep.llMisses) / perStep.d1Misses : null,
      steps,
      perStep,
      note: `simulated by callgrind (LL ${DEFAULT_GEOMETRY.LL.sizeBytes / 1024 / 1024} MiB), per step: runs of ${2 * steps} and ${steps} steps subtracted`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
