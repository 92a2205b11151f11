import { buildCountersResult, buildSimulatedCaches, type CountersResult } from "@tsprof/core";
import { cacheEventsOf, detectCachegrind, parseCachegrind } from "./parse/cachegrind";
import { parsePerfStat } from "./parse/detect";
import { emptyElapsed } from "./parse/common";

/**
 * Read saved perf stat output (human, -x CSV or -j JSON) or cachegrind output (summary,
 * cachegrind.out, cg_annotate), detected from the text, into a counters result. Pure.
 * `counted` is false when nothing at all could be read (the caller reports it as bad input).
 */
export function countersFromText(
  text: string,
  meta: { label: string; command: string[]; startedAt?: string; workItems?: { count: number; label: string } | null },
): { result: CountersResult; counted: boolean } {
  const startedAt = meta.startedAt ?? new Date().toISOString();
  const cachegrindKind = detectCachegrind(text);
  if (cachegrindKind) {
    const parsed = parseCachegrind(text);
    const events = cacheEventsOf(parsed);
    const simulated = events
      ? buildSimulatedCaches({
          geometry: parsed.geometry,
          command: parsed.command ? [parsed.command] : [],
          workload: events,
          baseline: null,
          workItems: meta.workItems?.count ?? null,
          exitCode: null,
          signal: null,
        })
      : null;
    const result = buildCountersResult({
      label: meta.label,
      command: meta.command,
      startedAt,
      source: "parsed",
      format: null,
      runs: null,
      rows: [],
      elapsed: emptyElapsed(),
      workItems: meta.workItems ?? null,
      hardware: { state: "not-measured", message: null },
      simulated,
      notes: [`read as ${cachegrindKind}${parsed.command ? ` of '${parsed.command}'` : ""}`],
      problems: events ? parsed.problems : [...parsed.problems, "no complete set of cache events (Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw)"],
    });
    return { result, counted: simulated !== null };
  }
  const parsed = parsePerfStat(text);
  const result = buildCountersResult({
    label: meta.label,
    command: meta.command,
    startedAt,
    source: "parsed",
    format: parsed.format,
    runs: parsed.runs,
    rows: parsed.rows,
    elapsed: parsed.elapsed,
    workItems: meta.workItems ?? null,
    perfMetricsOnly: parsed.perfMetricsOnly,
    notes: parsed.label ? [`perf measured '${parsed.label}'`] : [],
    problems: parsed.problems,
  });
  return { result, counted: parsed.rows.length > 0 || parsed.perfMetricsOnly.length > 0 };
}
