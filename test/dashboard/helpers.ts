import type { LineProfileResult, StudyCell, StudyEvent, VariantInfo } from "@tsprof/core";

/** A cell as the runner would report it; speedup given explicitly (the runner computes it). */
export function cell(variant: string, size: number, seconds: number | null, speedup: number | null, extra: Partial<StudyCell> = {}): StudyCell {
  return {
    variant,
    size,
    iterations: 5,
    measuredIterations: 5,
    scaled: false,
    status: seconds === null ? "failed" : "ok",
    seconds,
    speedup,
    peakRssMiB: 50 + size / 100,
    peakHeapMiB: 5 + size / 1000,
    gcCount: 3,
    checksum: 0.125,
    ...extra,
  };
}

export const TWO_VARIANTS: VariantInfo[] = [
  { name: "nested", description: "number[][], a new grid every step" },
  { name: "fused", description: "one pass computes the whole stencil" },
];

/** The events of a 2 variants x 2 sizes study, in the order the runner emits them. */
export function studyEvents(): StudyEvent[] {
  const cells = [cell("nested", 32, 0.02, 1), cell("nested", 64, 0.08, 1), cell("fused", 32, 0.004, 5), cell("fused", 64, 0.01, 8)];
  const events: StudyEvent[] = [];
  cells.forEach((c, index) => {
    events.push({ type: "cell-start", variant: c.variant, size: c.size, index, total: 4 });
    events.push({ type: "cell-progress", variant: c.variant, size: c.size, done: 2, of: 5, elapsedMs: 7 });
    events.push({ type: "cell-done", cell: c, index, total: 4 });
  });
  return events;
}

/** A hybrid line result as tsprof line would save it, with the given functions and summary. */
export function lineResult(rest: Pick<LineProfileResult, "functions" | "summary"> & Partial<LineProfileResult>): LineProfileResult {
  return {
    kind: "line",
    schemaVersion: 1,
    command: ["line"],
    startedAt: "2026-01-01T00:00:00Z",
    exitCode: 0,
    signal: null,
    mode: "hybrid",
    timerUnit: 1e-6,
    sampler: "inspector",
    samplingIntervalUs: 100,
    durationNs: 5e6,
    notes: [],
    ...rest,
  };
}
