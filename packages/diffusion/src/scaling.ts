/** How a cell stopped at its time budget is extrapolated to the requested iteration count. */

export interface Timing {
  done: number;
  elapsedMs: number;
  peakHeap: number;
  /** Steps done and time when half the budget had passed (for the steady-state rate of a scaled cell). */
  halfDone: number;
  halfElapsedMs: number;
}

/**
 * Seconds for all `iterations` of a cell stopped early: the measured time plus the remaining steps
 * at the rate of the second half of the budget. The first steps of a JavaScript variant run
 * before the JIT has optimized it and can be 100x slower, so a plain average would overstate.
 */
export function scaledSeconds(iterations: number, timing: Timing): number {
  const { done, elapsedMs, halfDone, halfElapsedMs } = timing;
  const steady = done > halfDone && halfDone > 0 ? (elapsedMs - halfElapsedMs) / (done - halfDone) : elapsedMs / done;
  return (elapsedMs + (iterations - done) * steady) / 1e3;
}
