import type { ResultHeader } from "./schema";

/**
 * The diffusion (or poly, or user-supplied) study: variants x sizes, each cell run in its own
 * child process. Produced by @tsprof/diffusion's study runner, rendered by the dashboard (TUI),
 * the headless tables and Markdown, and JSON.
 */

export interface VariantInfo {
  /** Short id, e.g. "nested", "fused-workers". */
  name: string;
  /** One line: what it changes and why that is faster. */
  description: string;
  /** Set when the variant cannot run on this machine (e.g. no C compiler), with the reason. */
  unavailable?: string;
  /**
   * "program": a compiled program run as its own process (no JIT, no GC; line and memory
   * profiles do not apply). Absent: JavaScript/TypeScript run in a Node child.
   */
  runsAs?: "program";
  /** The rung it is explained against when not the one before it in the list (e.g. wasm-simd against fused). */
  against?: string;
}

/**
 * How a cell ended. ok: measured; failed: the variant threw or its process died; unavailable: the
 * variant cannot run on this machine (no C compiler, no SIMD); timed-out: stopped past its time limit.
 */
export type StudyCellStatus = "ok" | "failed" | "unavailable" | "timed-out";

/** One measured cell of the study. */
export interface StudyCell {
  variant: string;
  size: number;
  /** Iterations the result stands for (the requested count). */
  iterations: number;
  /** Iterations really run; fewer than `iterations` when a slow cell was scaled. */
  measuredIterations: number;
  /** True when `seconds` was extrapolated from `measuredIterations`. */
  scaled: boolean;
  /** How the cell ended; renderers show `seconds` only for "ok". */
  status: StudyCellStatus;
  /** Seconds for `iterations` steps (measured, or scaled). null if the cell failed. */
  seconds: number | null;
  /** Baseline seconds / this seconds, same size. null when either is missing. */
  speedup: number | null;
  peakRssMiB: number | null;
  peakHeapMiB: number | null;
  gcCount: number | null;
  /** Sum of the final grid (or the workload's own checksum). */
  checksum: number | null;
  /** Why `checksum` is null although the variant has checksum(): it returned NaN or Infinity. */
  checksumNote?: string;
  /** Why the cell has no figures (failed, unavailable, timed-out), one line. */
  error?: string;
  // Causes measured during the timed steps (absent in studies saved before they were measured;
  // null where this cell could not measure them, e.g. the C reference's GC).
  /** CPU seconds (user + system, all threads) spent in the measured steps. */
  cpuSeconds?: number | null;
  /** cpuSeconds / wall seconds of the measured steps: 1 = one core busy, 2 = two cores. */
  coresUsed?: number | null;
  /**
   * Cores the machine left idle while the cell ran (its child's start-up included): idle CPU time
   * of all CPUs / wall time. coresIdle + coresUsed is how many cores the cell could have had; a
   * worker variant that had one cannot show what a second core does. Absent in older files.
   */
  coresIdle?: number | null;
  /** Bytes allocated during the measured steps (JS heap + ArrayBuffer memory), from V8's GC statistics. */
  allocatedBytes?: number | null;
  /** Seconds spent in garbage collection during the measured steps. */
  gcSeconds?: number | null;
  /** Page faults during the measured steps (process.resourceUsage()). */
  minorFaults?: number | null;
  majorFaults?: number | null;
}

/** One function of a variant's own code as V8's JIT left it (from V8's code log). */
export interface JitFunction {
  name: string;
  /** Original source position (through source maps when the file has one). */
  file: string;
  line: number;
  /** Highest tier it reached: "turbofan" (optimized), "maglev", "sparkplug" (baseline) or "interpreter". */
  tier: JitTier;
  /** How many times optimized code of it was created (re-optimizations after deopts count). */
  optimizations: number;
}

export type JitTier = "turbofan" | "maglev" | "sparkplug" | "interpreter";

/** One deoptimization: optimized code thrown away, back to a lower tier. */
export interface JitDeopt {
  /** The function whose optimized code was dropped ("" when V8 did not name it). */
  function: string;
  /** "deopt-eager", "deopt-lazy", "deopt-soft", ... as V8 logs it. */
  kind: string;
  reason: string;
  /** Where in the original source (through source maps) the failed assumption was. */
  file: string;
  line: number;
  column: number;
}

/**
 * The JIT state of one variant: a slow measurement (V8's --log-code --log-deopt), run once per
 * variant on the smallest size, untimed.
 */
export interface StudyJit {
  variant: string;
  size: number;
  iterations: number;
  /** The variant's own functions that were compiled, hottest tier first. */
  functions: JitFunction[];
  deopts: JitDeopt[];
  note?: string;
}

/** One measured quantity of an explanation, before → after; `ratio` = before / after. */
export interface ExplanationCause {
  metric: string;
  before: number;
  after: number;
  ratio: number;
  /** How much of the time ratio this ratio alone accounts for (0..1). */
  share: number;
  /** True when the figures are cachegrind's simulation, not this machine's counters. */
  simulated?: boolean;
}

/** Why `variant` is faster (or slower) than `against` at `size`: computed once, from the measured cells. */
export interface StudyExplanation {
  variant: string;
  against: string;
  size: number;
  /** against seconds / variant seconds: > 1 faster, < 1 slower. */
  timeRatio: number;
  /** One sentence built from the numbers below. */
  summary: string;
  /** Sorted by how much of the time ratio they account for, largest first. */
  causes: ExplanationCause[];
  /** Quantities that could not be compared, with why ("instructions: not measured (...)"). */
  missing: string[];
}

/** Hardware counters of one variant, measured or simulated. */
export interface StudyCounters {
  variant: string;
  size: number;
  /** Where the counts came from: false, counted by the CPU (perf stat); true, simulated (valgrind). */
  simulated: boolean;
  /** The tool that counted: perf (the CPU's counters), callgrind or cachegrind (simulated); absent in older files (cachegrind). */
  tool?: "perf" | "callgrind" | "cachegrind";
  ipc: number | null;
  cacheMissPct: number | null;
  instructions: number | null;
  note?: string;
  // Per-step figures of the study's own simulated run (absent from counters measured by tsprof perf).
  /** Steps the run measured, when the figures are per step. */
  steps?: number;
  /** Steps run before the measured ones (so the kernel is compiled), when the run counted a window. */
  warmupSteps?: number;
  /**
   * Per step: instructions, D1 misses (read + write), LL misses, conditional + indirect branch
   * mispredicts, and the CPU's own cache-misses event (perf only); null where not measured, or
   * (older files: two runs subtracted) where the longer run counted fewer than the shorter.
   */
  perStep?: { instructions: number; d1Misses: number | null; llMisses: number | null; branchMispredicts: number | null; cacheMisses?: number | null };
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  /** Cache sizes in bytes, null when unknown. */
  l1dBytes: number | null;
  l2Bytes: number | null;
  l3Bytes: number | null;
  memoryBytes: number;
  node: string;
  os: string;
}

export interface StudyResult extends ResultHeader {
  kind: "study";
  workload: "diffusion" | "poly" | "custom";
  /** The variant speedups are computed against (the first one). */
  baseline: string;
  variants: VariantInfo[];
  sizes: number[];
  iterations: number;
  results: StudyCell[];
  counters: StudyCounters[];
  machine: MachineInfo | null;
  /** Set when the study was stopped (AbortSignal) before every cell ran; `results` holds the finished cells. */
  aborted?: boolean;
  /** JIT state per variant (smallest size, untimed). */
  jit?: StudyJit[];
  /** Each variant against the one before it in the ladder, per size (see explainStudy). */
  explanations?: StudyExplanation[];
}

/** Events a running study emits, in order, for live views. */
export type StudyEvent =
  | { type: "cell-start"; variant: string; size: number; index: number; total: number }
  | { type: "cell-progress"; variant: string; size: number; done: number; of: number; elapsedMs: number }
  | { type: "cell-done"; cell: StudyCell; index: number; total: number }
  | { type: "counters"; counters: StudyCounters }
  | { type: "jit"; jit: StudyJit }
  | { type: "done"; result: StudyResult };
