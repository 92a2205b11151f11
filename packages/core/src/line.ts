import type { ProgramExit, ResultHeader } from "./schema";
import type { SampledCpuProfile } from "./sampled";
import type { JitTier } from "./study";

/**
 * `tsprof line` modes.
 * - hybrid: exact hits from inserted counters, per-line time from V8's CPU sampler.
 * - trace: per-line wall-clock time between line events (line_profiler's method), timer cost subtracted.
 * - sample: no instrumentation; V8 sampling only, line ticks for the hottest functions.
 */
export type LineMode = "hybrid" | "trace" | "sample";

/** One source line of one profiled function. */
export interface LineRecord {
  /** 1-based line in the user's original file. */
  line: number;
  /** How many times a statement starting on this line started (exact); null in sample mode. */
  hits: number | null;
  /** Sample mode: V8 CPU samples (ticks) that landed on this line. */
  samples?: number;
  /**
   * Time attributed to this line, nanoseconds; null where it was not measured (hybrid mode cut short
   * before V8's sampler could hand over its ticks: only lines that call have a time then).
   */
  timeNs: number | null;
  /** The original source text of the line (no trailing newline). */
  source: string;
}

/** Per-line profile of one function (one table in the output). */
export interface FunctionLineProfile {
  name: string;
  /** Path of the original source file, as given / resolved (absolute). */
  file: string;
  /** 1-based line where the function's table starts (its decorator/tag line if any, like line_profiler). */
  line: number;
  /** Exact calls (null when only sampled). */
  calls: number | null;
  /** Total time of the function: the sum of its line times. */
  totalNs: number;
  /** Every line from `line` to the function's last line, including lines with no hits. */
  lines: LineRecord[];
  /**
   * The thread it ran on: "main", or "worker <threadId>" (one table per thread a function ran in).
   * Absent in results saved before tsprof profiled worker threads (all main).
   */
  thread?: string;
  /**
   * What V8's JIT made of it (--jit): null when V8 never compiled it (it never ran); absent
   * without --jit.
   */
  jit?: FunctionJit | null;
}

/** One function as V8's JIT left it, from V8's code log (`tsprof line --jit`). */
export interface FunctionJit {
  /** The highest tier its code reached: "turbofan" (optimized), "maglev", "sparkplug" (baseline) or "interpreter". */
  topTier: JitTier;
  /** Its tier at the end of the run: the highest among its code objects no deoptimization threw away. */
  finalTier: JitTier;
  /** Optimized (TurboFan) code objects created for it, re-optimizations and on-stack replacement included. */
  optimizations: number;
  /** Deoptimizations of its optimized code, one entry per reason and place, most frequent first. */
  deopts: FunctionDeopt[];
}

/** Deoptimizations of one function with one reason at one place of the original source. */
export interface FunctionDeopt {
  count: number;
  /** "deopt-eager", "deopt-lazy", "deopt-soft", ... as V8 logs it. */
  kind: string;
  /** V8's reason: "wrong map", "not a Smi", "Insufficient type feedback for ...". */
  reason: string;
  /** The failed check's place in the original source (it may be in a callee V8 inlined). */
  file: string;
  line: number;
  column: number;
}

/** One row of the cProfile-like function summary. */
export interface FunctionSummaryRow {
  name: string;
  file: string;
  line: number;
  /** Exact calls for profiled functions; null where only sampled. */
  ncalls: number | null;
  /** Self time, nanoseconds. */
  tottimeNs: number;
  /** Time including callees, nanoseconds. */
  cumtimeNs: number;
  /** The thread, as in FunctionLineProfile (absent in older results: main). */
  thread?: string;
}

/** The whole result of `tsprof line`, as written by `--json` and read by `tsprof show`. */
export interface LineProfileResult extends ResultHeader, ProgramExit {
  kind: "line";
  mode: LineMode;
  /** Timer unit in seconds for the text table (line_profiler's "Timer unit"). */
  timerUnit: number;
  /** Which sampler produced times/ticks: the native addon, the inspector fallback, or none. */
  sampler: "v8-profiler-next" | "inspector" | "none";
  /** Sampling interval in microseconds that was asked for, when a sampler ran. */
  samplingIntervalUs: number | null;
  /**
   * The mean interval V8 actually sampled at (the profile's span over its sample count), in
   * microseconds; larger than the requested one on a busy machine. Absent in older results.
   */
  measuredIntervalUs?: number | null;
  /**
   * Hybrid: how often the shadow line stack was sampled (the time of lines that call), microseconds:
   * asked for, and the measured mean between samples (null when it took fewer than two). Absent in
   * other modes and in older results.
   */
  stackSampling?: { requestedUs: number; measuredUs: number | null };
  /** Wall time of the whole run, nanoseconds. */
  durationNs: number;
  functions: FunctionLineProfile[];
  /** Sorted by cumulative time, descending. */
  summary: FunctionSummaryRow[];
  /** One-line remarks shown under the tables (fallbacks, calibration, truncation). */
  notes: string[];
  /**
   * V8's CPU samples in original positions, one profile per sampled thread: what the speedscope,
   * pprof and .cpuprofile exports are made from. Absent in results saved before tsprof kept it, and
   * when no sampler ran.
   */
  profiles?: SampledCpuProfile[];
  /** --jit ran: V8's code log was read (each function then has `jit`). Absent without --jit. */
  jit?: boolean;
}
