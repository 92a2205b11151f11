/** Study helpers every renderer of a StudyResult shares (one copy, used by diffusion and dashboard). */
import type { StudyResult } from "./study";

/**
 * Column label of one size: "512 × 512" for grids, "10M points" for poly, "size 300" for a user's
 * module; `compact` for narrow panes: "512×512", "10M pts".
 */
export function sizeLabel(workload: StudyResult["workload"], size: number, compact = false): string {
  if (workload === "poly") {
    const unit = compact ? "pts" : "points";
    if (size >= 1e6 && size % 1e5 === 0) return `${size / 1e6}M ${unit}`;
    if (size >= 1e3 && size % 100 === 0) return `${size / 1e3}k ${unit}`;
    return `${size} ${unit}`;
  }
  if (workload === "custom") return `size ${size}`;
  return compact ? `${size}×${size}` : `${size} × ${size}`;
}

/** "256²" for grids (short, for sentences and notes), the size label otherwise. */
export function shortSizeLabel(workload: StudyResult["workload"], size: number): string {
  return workload === "diffusion" ? `${size}²` : sizeLabel(workload, size);
}

/**
 * The chapter's estimate (after Example 6-20) of the largest N whose two N x N float64 grids
 * (input and output) fit in a cache of `cacheBytes`: sqrt(cacheBytes / 8 / 2). With the chapter's
 * 20,480 KB L3 that is about 1,131; other data shares the cache, so the slowdown starts earlier.
 */
export function largestGridFittingCache(cacheBytes: number): number {
  return Math.floor(Math.sqrt(cacheBytes / 8 / 2));
}
