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
}

/** Hardware counters of one variant, measured or simulated. */
export interface StudyCounters {
  variant: string;
  size: number;
  simulated: boolean;
  ipc: number | null;
  cacheMissPct: number | null;
  instructions: number | null;
  note?: string;
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
}

/** Events a running study emits, in order, for live views. */
export type StudyEvent =
  | { type: "cell-start"; variant: string; size: number; index: number; total: number }
  | { type: "cell-progress"; variant: string; size: number; done: number; of: number; elapsedMs: number }
  | { type: "cell-done"; cell: StudyCell; index: number; total: number }
  | { type: "counters"; counters: StudyCounters }
  | { type: "done"; result: StudyResult };
