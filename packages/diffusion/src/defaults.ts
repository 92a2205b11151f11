/**
 * The study's default sizes and iterations per workload, in a module of their own (no imports) so
 * that the CLI can show them in its help without loading the workloads. The registry re-exports them.
 */

/** Default sizes per workload: the chapter's grid sides, and the seed's 10M points for poly. */
export const DEFAULT_SIZES: Record<"diffusion" | "poly" | "custom", number[]> = {
  diffusion: [256, 512, 1024, 2048],
  poly: [10_000_000],
  custom: [256, 512, 1024, 2048],
};

/** Default iterations per workload: the chapter's 500 evolve steps; 10 evaluations for poly. */
export const DEFAULT_ITERATIONS: Record<"diffusion" | "poly" | "custom", number> = { diffusion: 500, poly: 10, custom: 500 };
