/**
 * The study's explanations: each variant against the rung before it in the ladder (its `against`,
 * else the previous available variant), at every size both measured. Computed once here, stored in
 * StudyResult.explanations, and only formatted by the renderers.
 */
import { explainPair, type MetricReadings } from "./explain";
import type { StudyCell, StudyCounters, StudyExplanation, StudyJit, StudyResult, VariantInfo } from "./study";
import { shortSizeLabel } from "./study-format";

const MiB = 1024 * 1024;

/** The pairs (variant, against) of a study, in ladder order. */
export function ladderPairs(variants: VariantInfo[]): Array<{ variant: string; against: string }> {
  const pairs: Array<{ variant: string; against: string }> = [];
  const available = variants.filter((v) => !v.unavailable);
  for (const [i, v] of available.entries()) {
    if (i === 0) continue;
    const named = v.against && available.some((w) => w.name === v.against && w.name !== v.name) ? v.against : undefined;
    pairs.push({ variant: v.name, against: named ?? available[i - 1].name });
  }
  return pairs;
}

function cellReading(value: number | null | undefined, why: string): MetricReadings[string] {
  if (value === undefined) return undefined;
  return value === null ? { value: null, missing: why } : { value };
}

/** What a cell measured, as explanation readings (undefined: the study did not measure it at all). */
function cellReadings(cell: StudyCell, native: boolean): MetricReadings {
  const noGc = native ? `not measured for ${cell.variant} (no garbage collector)` : "not measured";
  return {
    allocatedBytes: cellReading(cell.allocatedBytes, native ? `not measured for ${cell.variant} (not V8)` : "not measured"),
    gcCount: cell.allocatedBytes === undefined ? undefined : cellReading(cell.gcCount, noGc),
    gcSeconds: cellReading(cell.gcSeconds, noGc),
    minorFaults: cellReading(cell.minorFaults, `not measured for ${cell.variant}`),
    majorFaults: cellReading(cell.majorFaults, `not measured for ${cell.variant}`),
    coresUsed: cellReading(cell.coresUsed, `not measured for ${cell.variant}`),
    peakRssBytes: cell.peakRssMiB === null ? { value: null, missing: "not measured" } : { value: cell.peakRssMiB * MiB },
  };
}

/** Where a variant's counts came from, for a sentence: "counted by the CPU", "simulated by callgrind". */
export function countersSourceText(counters: Pick<StudyCounters, "simulated" | "tool">): string {
  if (!counters.simulated) return "counted by the CPU";
  // Files written before `tool` existed were all cachegrind's.
  return `simulated by ${counters.tool ?? "cachegrind"}`;
}

/** The counters a cell is explained with: its own size's (counted by the CPU), else the variant's simulated ones. */
function countersFor(result: StudyResult, cell: StudyCell): StudyCounters | undefined {
  const ofVariant = result.counters.filter((c) => c.variant === cell.variant);
  return ofVariant.find((c) => c.size === cell.size) ?? ofVariant.find((c) => c.simulated) ?? ofVariant[0];
}

/**
 * Counters of a variant (counted by the CPU at the cell's size, or simulated on one small grid),
 * scaled to the cell's iterations. Instructions and branch mispredicts per step keep their ratio
 * across sizes; cache misses do not (whether the grids fit is the point), so those count only at
 * the size that was measured.
 */
function counterReadings(counters: StudyCounters | undefined, size: number, iterations: number, workload: StudyResult["workload"]): MetricReadings {
  if (!counters) return { instructions: { value: null, missing: "not simulated in this run" } };
  const per = counters.perStep;
  if (!per) {
    const why = counters.note ?? "not measured";
    return { instructions: { value: null, missing: why } };
  }
  const at = `${countersSourceText(counters)} at ${shortSizeLabel(workload, counters.size)}`;
  const source = counters.simulated ? { simulated: at } : { counted: at };
  // A per-step count below the simulation's resolution (null) is left out, not reported missing:
  // it was measured, and found too small to tell from noise.
  const scaled = (perStep: number | null | undefined): MetricReadings[string] => {
    if (perStep === undefined) return undefined;
    return perStep === null ? { value: null, missing: `below the simulation's resolution (${at})`, belowResolution: true } : { value: perStep * iterations, ...source };
  };
  const readings: MetricReadings = { instructions: scaled(per.instructions), branchMispredicts: scaled(per.branchMispredicts) };
  if (counters.size === size) {
    if (counters.simulated) {
      readings.d1Misses = scaled(per.d1Misses);
      readings.llMisses = scaled(per.llMisses);
    }
    readings.cacheMisses = scaled(per.cacheMisses);
  }
  return readings;
}

function jitReadings(jit: StudyJit | undefined): MetricReadings {
  if (!jit) return {};
  if (jit.note && jit.functions.length === 0 && jit.deopts.length === 0) return { deopts: { value: null, missing: jit.note } };
  return { deopts: { value: jit.deopts.length } };
}

function readingsOf(result: StudyResult, cell: StudyCell): MetricReadings {
  // A variant that does not run in a Node child (the C reference) reports no V8 figures.
  const native = cell.allocatedBytes === null && cell.gcCount === null;
  const jit = result.jit?.find((j) => j.variant === cell.variant);
  return { ...counterReadings(countersFor(result, cell), cell.size, result.iterations, result.workload), ...cellReadings(cell, native), ...jitReadings(jit) };
}

/** Every pair's explanation at every size where both cells have a time, sorted within a size by ladder order. */
export function explainStudy(result: StudyResult): StudyExplanation[] {
  const explanations: StudyExplanation[] = [];
  // A study saved before causes were measured has only times and peak RSS: nothing to explain with.
  const measured = result.results.some((c) => c.allocatedBytes !== undefined) || result.counters.length > 0 || (result.jit?.length ?? 0) > 0;
  if (!measured) return explanations;
  for (const size of result.sizes) {
    for (const { variant, against } of ladderPairs(result.variants)) {
      const after = result.results.find((c) => c.variant === variant && c.size === size);
      const before = result.results.find((c) => c.variant === against && c.size === size);
      if (!after?.seconds || !before?.seconds) continue;
      const where = `at ${shortSizeLabel(result.workload, size)}`;
      const pair = explainPair(variant, against, where, { before: before.seconds, after: after.seconds }, readingsOf(result, before), readingsOf(result, after));
      explanations.push({ variant, against, size, ...pair });
    }
  }
  return explanations;
}
