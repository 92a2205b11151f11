/**
 * The study runner: variants x sizes, each cell in its own child process (spawned with an argument
 * array) so that memory, GC and counters belong to one variant. Cells run size by size (smallest
 * first), baseline first within a size, so speedups are known as soon as a cell finishes and a live
 * view fills row by row.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { SCHEMA_VERSION, UsageError, explainStudy, type StudyCell, type StudyEvent, type StudyResult, type VariantInfo } from "@tsprof/core";
import { loaderExecArgv } from "@tsprof/runner";
import pidusage from "pidusage";
import { orderBySource } from "./custom";
import { collectMachineInfo, watchIdleCores } from "./machine";
import type { CellSpec, ChildMessage, ListSpec } from "./protocol";
import { findVariant, listVariants } from "./registry";
import { runSlowCauses } from "./study-slow";

export interface StudyOptions {
  workload: "diffusion" | "poly" | "custom";
  /** Names to run, in this order (the first is the baseline); default: all of the workload's. */
  variants?: string[];
  /** Grid sides N for diffusion/custom; number of points for poly. */
  sizes: number[];
  /** Steps per cell (the chapter uses 500). */
  iterations: number;
  /** The user's module for workload "custom". */
  customModule?: string;
  /** A cell whose steps take longer than this is stopped and scaled (marked). Default 10 s; 0 = never. */
  cellBudgetSeconds?: number;
  /** Aborting kills the running cell; the promise resolves with the cells finished so far (aborted: true). */
  signal?: AbortSignal;
  /** The tsprof command line recorded in the result. */
  command?: string[];
  /**
   * The slow measurements after the timed cells, once per variant on the smallest size: "all"
   * (JIT log and cachegrind, the default), "jit" (JIT log only), "none".
   */
  slowCauses?: "all" | "jit" | "none";
}

export const DEFAULT_CELL_BUDGET_SECONDS = 10;
const CELL_CHILD = path.join(__dirname, "cell-child.js");
const RSS_SAMPLE_MS = 100;
const MiB = 1024 * 1024;

interface CellOutcome {
  result: Extract<ChildMessage, { type: "result" }> | null;
  error: string | null;
  peakRssMiB: number | null;
  /** The watchdog cut it: a step(), setup() or module load that did not return in time. */
  timedOut?: boolean;
}

/**
 * How long a cell may run before it is cut. The child stops measuring at the budget by itself (and
 * scales), so only a step(), setup() or module load that never returns reaches this: the budget,
 * plus as much again (at least 5 s) for Node's start-up, compiling the module and one last step.
 */
export function cellDeadlineMs(budgetSeconds: number): number {
  return Math.round((budgetSeconds + Math.max(5, budgetSeconds)) * 1000);
}

/** Listing a custom module's exports only loads it: a load that takes longer than this never ends. */
export const LIST_TIMEOUT_MS = 30_000;

/**
 * Kill `child` (SIGKILL: a busy loop in user code ignores nothing else it could not also ignore)
 * when it outlives `ms`. Returns a check for whether it fired and a cancel for a normal end.
 */
function watchdog(child: ChildProcess, ms: number): { fired(): boolean; cancel(): void } {
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    child.kill("SIGKILL");
  }, ms);
  timer.unref();
  return { fired: () => fired, cancel: () => clearTimeout(timer) };
}

/** Sizes/iterations/variants checked before anything runs: bad input is a UsageError (exit 2). */
function validate(options: StudyOptions): void {
  if (!["diffusion", "poly", "custom"].includes(options.workload)) throw new UsageError(`unknown workload '${options.workload}' (diffusion, poly, custom)`);
  if (options.sizes.length === 0) throw new UsageError("no sizes given");
  const minimum = options.workload === "poly" ? 1 : 2;
  for (const size of options.sizes) {
    if (!Number.isSafeInteger(size) || size < minimum) throw new UsageError(`bad size '${size}': expected an integer >= ${minimum}`);
  }
  if (!Number.isSafeInteger(options.iterations) || options.iterations < 1) throw new UsageError(`bad iterations '${options.iterations}': expected an integer >= 1`);
  if (options.workload === "custom" && !options.customModule) throw new UsageError("workload 'custom' needs a module of variants");
  if (options.cellBudgetSeconds !== undefined && !(options.cellBudgetSeconds >= 0)) throw new UsageError(`bad cell budget '${options.cellBudgetSeconds}'`);
}

export function childArgs(spec: CellSpec | ListSpec, custom: boolean): string[] {
  return [...(custom ? loaderExecArgv() : []), CELL_CHILD, JSON.stringify(spec)];
}

/** The named variant exports of a custom module, in source order (loaded in a child with the runner's loader). */
export async function listCustomVariants(customModule: string, timeoutMs = LIST_TIMEOUT_MS): Promise<VariantInfo[]> {
  const modulePath = path.resolve(customModule);
  if (!fs.existsSync(modulePath) || fs.statSync(modulePath).isDirectory()) throw new UsageError(`cannot open variants module '${customModule}': no such file`);
  const child = spawn(process.execPath, childArgs({ mode: "list", customModule: modulePath }, true), { stdio: ["ignore", "ignore", "pipe", "ipc"] });
  const guard = watchdog(child, timeoutMs);
  const outcome = await collect(child, () => {});
  guard.cancel();
  const names = outcome.names;
  // The user's module is the bad input here (it throws, or never finishes loading): exit 2, like any other.
  if (guard.fired()) throw new UsageError(`cannot load ${customModule}: loading it did not finish within ${timeoutMs / 1000} s`);
  if (!names) throw new UsageError(`cannot load ${customModule}: ${outcome.error ?? "the module did not report its exports"}`);
  if (names.length === 0) throw new UsageError(`${customModule} exports no variants (objects with setup(size) and step())`);
  return orderBySource(names, modulePath).map((name) => ({ name, description: `${path.basename(customModule)}: export ${name}` }));
}

/** Waits for a child to exit, gathering its protocol messages and the tail of its stderr. */
function collect(
  child: ChildProcess,
  onProgress: (message: Extract<ChildMessage, { type: "progress" }>) => void,
): Promise<{ result: Extract<ChildMessage, { type: "result" }> | null; names: string[] | null; error: string | null }> {
  return new Promise((resolve) => {
    let result: Extract<ChildMessage, { type: "result" }> | null = null;
    let names: string[] | null = null;
    let error: string | null = null;
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on("message", (message: ChildMessage) => {
      if (message.type === "progress") onProgress(message);
      else if (message.type === "result") result = message;
      else if (message.type === "variants") names = message.names;
      else if (message.type === "error") error = message.message;
    });
    child.on("error", (e) => {
      error ??= e.message;
    });
    child.on("close", (code, signal) => {
      if (!result && !names && !error) {
        const lastLine = stderr.trim().split("\n").filter(Boolean).pop();
        error = lastLine ?? (signal ? `killed by ${signal}` : `exited with code ${code}`);
      }
      resolve({ result, names, error });
    });
  });
}

/** Polls the child's RSS with pidusage until stopped; returns the peak in MiB (null if never sampled). */
function watchRss(pid: number): { stop(): number | null } {
  let peak: number | null = null;
  const sample = () => {
    pidusage(pid)
      .then((stats) => {
        peak = Math.max(peak ?? 0, stats.memory / MiB);
      })
      .catch(() => {
        // the child already exited
      });
  };
  // No sample at once: right after spawn the child can still be the forked image of this node
  // process (tens of MiB that are not the variant's). The child's own maxRSS covers short cells.
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      pidusage.clear();
      return peak;
    },
  };
}

/** The `result {json}` line of a compiled program (CPU time and faults of the steps: c/diffusion.c). */
interface ProgramResult {
  seconds: number;
  measuredIterations: number;
  checksum: number;
  maxRssKiB: number;
  cpuSeconds?: number;
  minorFaults?: number;
  majorFaults?: number;
}

/** Runs a variant that is a compiled program: it prints `progress DONE MS` lines and one `result {json}` line. */
async function runProgramCell(
  binary: { path: string | null; reason?: string },
  size: number,
  iterations: number,
  budgetSeconds: number,
  onProgress: (done: number, elapsedMs: number) => void,
  track: (child: ChildProcess) => void,
): Promise<CellOutcome> {
  if (!binary.path) return { result: null, error: binary.reason ?? "no binary", peakRssMiB: null };
  const child = spawn(binary.path, [String(size), String(iterations), String(budgetSeconds)], { stdio: ["ignore", "pipe", "pipe"] });
  track(child);
  const guard = watchdog(child, cellDeadlineMs(budgetSeconds));
  const rss = watchRss(child.pid!);
  let buffered = "";
  let result: CellOutcome["result"] = null;
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const progress = /^progress (\d+) ([\d.]+)$/.exec(line);
      if (progress) onProgress(Number(progress[1]), Number(progress[2]));
      if (line.startsWith("result ")) {
        const parsed = JSON.parse(line.slice("result ".length)) as ProgramResult;
        // A compiled program has no JIT warm-up: its steps cost the same, so scaling is linear.
        const scaled = parsed.measuredIterations < iterations;
        const scale = scaled ? iterations / parsed.measuredIterations : 1;
        result = {
          type: "result",
          seconds: scaled ? (parsed.seconds * iterations) / parsed.measuredIterations : parsed.seconds,
          measuredIterations: parsed.measuredIterations,
          scaled,
          checksum: parsed.checksum,
          peakHeapMiB: Number.NaN,
          gcCount: Number.NaN,
          maxRssMiB: parsed.maxRssKiB / 1024,
          // A program has no V8 heap; its CPU time and page faults of the steps come from getrusage.
          cpuSeconds: finite(parsed.cpuSeconds) === null ? null : parsed.cpuSeconds! * scale,
          coresUsed: finite(parsed.cpuSeconds) === null || !(parsed.seconds > 0) ? null : parsed.cpuSeconds! / parsed.seconds,
          allocatedBytes: null,
          gcSeconds: null,
          minorFaults: finite(parsed.minorFaults) === null ? null : Math.round(parsed.minorFaults! * scale),
          majorFaults: finite(parsed.majorFaults) === null ? null : Math.round(parsed.majorFaults! * scale),
        };
      }
    }
  });
  const outcome = await collect(child, () => {});
  guard.cancel();
  const sampled = rss.stop();
  if (guard.fired() && !result) return { result: null, error: timedOutMessage(budgetSeconds), peakRssMiB: sampled, timedOut: true };
  return { result, error: result ? null : outcome.error, peakRssMiB: sampled };
}

async function runNodeCell(spec: CellSpec, onProgress: (done: number, elapsedMs: number) => void, track: (child: ChildProcess) => void): Promise<CellOutcome> {
  const child = spawn(process.execPath, childArgs(spec, spec.workload === "custom"), { stdio: ["ignore", "ignore", "pipe", "ipc"] });
  track(child);
  const guard = watchdog(child, cellDeadlineMs(spec.budgetSeconds));
  const rss = watchRss(child.pid!);
  const outcome = await collect(child, (m) => onProgress(m.done, m.elapsedMs));
  guard.cancel();
  if (guard.fired() && !outcome.result) return { result: null, error: timedOutMessage(spec.budgetSeconds), peakRssMiB: rss.stop(), timedOut: true };
  return { result: outcome.result, error: outcome.result ? null : outcome.error, peakRssMiB: rss.stop() };
}

function timedOutMessage(budgetSeconds: number): string {
  return `no result within ${cellDeadlineMs(budgetSeconds) / 1000} s (cell budget ${budgetSeconds} s): a step(), setup() or module load that does not return`;
}

function finite(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The StudyCell of one finished (or failed) run. */
function cellOf(variant: VariantInfo, size: number, iterations: number, outcome: CellOutcome): StudyCell {
  const r = outcome.result;
  const peaks = [outcome.peakRssMiB, finite(r?.maxRssMiB)].filter((v): v is number => v !== null);
  const cell: StudyCell = {
    variant: variant.name,
    size,
    iterations,
    measuredIterations: r?.measuredIterations ?? 0,
    scaled: r?.scaled ?? false,
    status: r ? "ok" : variant.unavailable ? "unavailable" : outcome.timedOut ? "timed-out" : "failed",
    seconds: r ? r.seconds : null,
    speedup: null,
    peakRssMiB: peaks.length > 0 ? Math.max(...peaks) : null,
    peakHeapMiB: finite(r?.peakHeapMiB),
    gcCount: finite(r?.gcCount),
    checksum: r ? r.checksum : null,
  };
  if (r) {
    cell.cpuSeconds = finite(r.cpuSeconds);
    cell.coresUsed = finite(r.coresUsed);
    cell.allocatedBytes = finite(r.allocatedBytes);
    cell.gcSeconds = finite(r.gcSeconds);
    cell.minorFaults = finite(r.minorFaults);
    cell.majorFaults = finite(r.majorFaults);
  }
  if (outcome.error) cell.error = outcome.error;
  if (r?.checksumNote) cell.checksumNote = r.checksumNote;
  return cell;
}

/** The variants to run, in order (the first is the baseline); UsageError for an unknown name. */
async function chooseVariants(options: StudyOptions): Promise<VariantInfo[]> {
  const available = options.workload === "custom" ? await listCustomVariants(options.customModule!) : listVariants(options.workload);
  if (!options.variants || options.variants.length === 0) return available;
  return options.variants.map((name) => {
    const found = available.find((v) => v.name === name);
    if (!found) throw new UsageError(`unknown variant '${name}' (known: ${available.map((v) => v.name).join(", ")})`);
    return found;
  });
}

interface CellRun {
  options: StudyOptions;
  budgetSeconds: number;
  customModule: string | undefined;
  onProgress: (done: number, elapsedMs: number) => void;
  track: (child: ChildProcess) => void;
}

/** Runs one cell with its variant's strategy: unavailable, a compiled program, or a Node child. */
function runCell(variant: VariantInfo, size: number, run: CellRun): Promise<CellOutcome> {
  const { options } = run;
  if (variant.unavailable) return Promise.resolve({ result: null, error: `unavailable: ${variant.unavailable}`, peakRssMiB: null });
  const program = options.workload === "custom" ? undefined : findVariant(options.workload, variant.name)?.program;
  if (program) return runProgramCell(program(), size, options.iterations, run.budgetSeconds, run.onProgress, run.track);
  const spec: CellSpec = { mode: "cell", workload: options.workload, variant: variant.name, size, iterations: options.iterations, budgetSeconds: run.budgetSeconds, customModule: run.customModule };
  return runNodeCell(spec, run.onProgress, run.track);
}

/**
 * Runs the study and resolves with its result; `onEvent` gets cell-start, cell-progress (about 10
 * per second), cell-done, then (slow causes) jit and counters per variant, and done. Unavailable
 * variants produce a cell with `error` set, not a failure. The result carries its explanations.
 */
export async function runStudy(options: StudyOptions, onEvent: (e: StudyEvent) => void = () => {}): Promise<StudyResult> {
  validate(options);
  const startedAt = new Date().toISOString();
  const budgetSeconds = options.cellBudgetSeconds ?? DEFAULT_CELL_BUDGET_SECONDS;
  const machinePromise = collectMachineInfo().catch(() => null);
  const variants = await chooseVariants(options);
  const baseline = variants[0].name;
  const customModule = options.customModule ? path.resolve(options.customModule) : undefined;
  const results: StudyCell[] = [];
  const total = variants.length * options.sizes.length;
  let index = 0;
  let aborted = options.signal?.aborted ?? false;
  let running: ChildProcess | null = null;
  const onAbort = () => {
    aborted = true;
    running?.kill("SIGTERM");
  };
  options.signal?.addEventListener("abort", onAbort);

  let slow: Awaited<ReturnType<typeof runSlowCauses>> = { counters: [], jit: [] };
  try {
    for (const size of options.sizes) {
      for (const variant of variants) {
        if (aborted) break;
        const cellIndex = index++;
        onEvent({ type: "cell-start", variant: variant.name, size, index: cellIndex, total });
        const idle = watchIdleCores();
        const outcome = await runCell(variant, size, {
          options,
          budgetSeconds,
          customModule,
          onProgress: (done, elapsedMs) => onEvent({ type: "cell-progress", variant: variant.name, size, done, of: options.iterations, elapsedMs }),
          track: (child) => {
            running = child;
          },
        });
        running = null;
        if (aborted && !outcome.result) break;
        const cell = cellOf(variant, size, options.iterations, outcome);
        if (outcome.result) cell.coresIdle = idle.stop();
        const base = results.find((c) => c.variant === baseline && c.size === size) ?? (variant.name === baseline ? cell : undefined);
        if (base?.seconds && cell.seconds) cell.speedup = base.seconds / cell.seconds;
        results.push(cell);
        onEvent({ type: "cell-done", cell, index: cellIndex, total });
      }
    }
    if (!aborted) slow = await runSlowCauses({ ...options, customModule }, variants, results, onEvent, () => aborted);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }

  const result: StudyResult = {
    kind: "study",
    schemaVersion: SCHEMA_VERSION,
    command: options.command ?? ["dashboard"],
    startedAt,
    workload: options.workload,
    baseline,
    variants,
    sizes: options.sizes,
    iterations: options.iterations,
    results,
    counters: slow.counters,
    machine: await machinePromise,
  };
  if (slow.jit.length > 0) result.jit = slow.jit;
  if (aborted) result.aborted = true;
  result.explanations = explainStudy(result);
  onEvent({ type: "done", result });
  return result;
}
