import type { VariantInfo } from "@tsprof/core";

/**
 * What one study cell runs. The same shape as a user's custom variant (`setup(size)`, `step()`,
 * optional `checksum()`), plus optional hooks the built-ins use.
 */
export interface RunnableVariant {
  /** Untimed: allocate and initialise for this size (grid side N, or number of points for poly). */
  setup(size: number): void | Promise<void>;
  /** One timed iteration (one evolve step, or one evaluation over all points). */
  step(): void | Promise<void>;
  /** Sum of the final grid (or the workload's own checksum). */
  checksum?(): number;
  /** The current grid as a row-major copy (built-in diffusion variants; used by the tests). */
  grid?(): Float64Array;
  /** Release workers and other resources. */
  dispose?(): void | Promise<void>;
}

/** A built-in variant: its description and a factory (one fresh instance per cell). */
export interface VariantDefinition {
  info: VariantInfo;
  /** Runs in-process (false for a variant that is its own program). */
  inProcess: boolean;
  create(options?: VariantCreateOptions): RunnableVariant;
  /**
   * The run strategy of a variant that is a compiled program (info.runsAs "program"): its binary,
   * built if needed, or why there is none. It is run as `<binary> <size> <iterations> <budget s>`
   * and prints `progress DONE MS` lines and one `result {json}` line.
   */
  program?(): { path: string | null; reason?: string };
}

export interface VariantCreateOptions {
  /** Thread count for the worker variants (default: available parallelism). */
  threads?: number;
  /** wasm-simd: "relaxed" (fused multiply-add, the default when the engine accepts it) or "plain" SIMD. */
  wasmFlavor?: "relaxed" | "plain";
}
