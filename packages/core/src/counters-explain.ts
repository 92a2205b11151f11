/**
 * Explanations for `tsprof perf --compare`: each program against the first, from its counters
 * (hardware where perf counted them, cachegrind's simulation otherwise) and its elapsed time.
 * Computed once when the comparison is built; the renderer only prints the sentences.
 */
import type { CountersResult } from "./counters";
import { explainPair, type MetricReadings } from "./explain";

export interface CountersExplanation {
  variant: string;
  against: string;
  /** against seconds / variant seconds. */
  timeRatio: number;
  summary: string;
  causes: Array<{ metric: string; before: number; after: number; ratio: number; share: number; simulated?: boolean }>;
  missing: string[];
}

function counted(result: CountersResult, ...names: string[]): number | undefined {
  for (const name of names) {
    const c = result.counters[name];
    if (c && c.status === "counted" && c.value !== null) return c.value;
  }
  return undefined;
}

/** What one counters run measured, as explanation readings. */
export function countersReadings(result: CountersResult): MetricReadings {
  const readings: MetricReadings = {};
  const hardware = (key: string, ...names: string[]) => {
    const value = counted(result, ...names);
    if (value !== undefined) readings[key] = { value };
  };
  hardware("instructions", "instructions");
  // Not cycles: at one clock rate they are the time again, in other units, not a cause of it.
  hardware("cacheMisses", "cache-misses");
  hardware("branchMispredicts", "branch-misses");
  hardware("minorFaults", "minor-faults", "faults");
  hardware("majorFaults", "major-faults");
  const sim = result.simulated ? result.simulated.net ?? result.simulated.workload : null;
  if (sim) {
    const note = `simulated by cachegrind${result.simulated?.net ? ", net of node start-up" : ""}`;
    readings.instructions ??= { value: sim.instructions, simulated: note };
    readings.d1Misses = { value: sim.d1Misses, simulated: note };
    readings.llMisses = { value: sim.llMisses, simulated: note };
  }
  return readings;
}

/** Each compared program against the first; none where either has no elapsed time. */
export function explainCountersCompare(variants: CountersResult[]): CountersExplanation[] {
  const base = variants[0];
  if (!base || base.elapsed.seconds === null || !(base.elapsed.seconds > 0)) return [];
  const before = countersReadings(base);
  const out: CountersExplanation[] = [];
  for (const variant of variants.slice(1)) {
    if (variant.elapsed.seconds === null || !(variant.elapsed.seconds > 0)) continue;
    const pair = explainPair(variant.label, base.label, "", { before: base.elapsed.seconds, after: variant.elapsed.seconds }, before, countersReadings(variant));
    out.push({ variant: variant.label, against: base.label, ...pair });
  }
  return out;
}
