import type { CounterRow, PerfMetric } from "@tsprof/core";
import { emptyParse, type ParsedPerfStat } from "../parse/common";

/**
 * perf's own `-r` statistics (tools/perf/util/stat.c): the mean, and the relative standard
 * deviation of the mean, 100 * sqrt(s^2 / n) / mean with the sample variance s^2. 0 for one run.
 */
export function meanAndVariancePct(values: number[]): { mean: number; variancePct: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, variancePct: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2 || mean === 0) return { mean, variancePct: 0 };
  const sampleVariance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return { mean, variancePct: (100 * Math.sqrt(sampleVariance / n)) / Math.abs(mean) };
}

function rowKey(r: CounterRow): string {
  return JSON.stringify([r.event, r.interval, r.location, r.cgroup]);
}

/**
 * Combine single perf stat runs the way `perf stat -r N` does: each counter's mean with its
 * variance, running % averaged. Runs are done one by one (not with perf's -r) so that Ctrl-C or a
 * failing workload stops the repeats and what was measured so far is still reported.
 */
export function aggregateRuns(runs: ParsedPerfStat[]): ParsedPerfStat {
  const out = emptyParse(runs[0]?.format ?? "csv");
  if (runs.length === 0) return out;
  if (runs.length === 1) return { ...runs[0], runs: 1 };
  const order: string[] = [];
  const byKey = new Map<string, CounterRow[]>();
  for (const run of runs) {
    for (const row of run.rows) {
      const key = rowKey(row);
      if (!byKey.has(key)) {
        byKey.set(key, []);
        order.push(key);
      }
      byKey.get(key)!.push(row);
    }
    out.problems.push(...run.problems);
  }
  for (const key of order) {
    const rows = byKey.get(key)!;
    const first = rows[0];
    const counted = rows.filter((r) => r.status === "counted" && r.value !== null);
    const row: CounterRow = { ...first, perfMetrics: [], variancePct: null, runningPct: null };
    if (counted.length === 0) {
      row.status = rows.some((r) => r.status === "not-supported") ? "not-supported" : "not-counted";
      row.value = null;
    } else {
      // A run where the counter never ran counts as 0, as perf's -r does.
      const values = rows.map((r) => (r.status === "counted" && r.value !== null ? r.value : 0));
      const stats = meanAndVariancePct(values);
      row.status = "counted";
      row.value = stats.mean;
      row.variancePct = stats.variancePct;
      row.unit = counted[0].unit;
    }
    const running = rows.map((r) => r.runningPct).filter((v): v is number => v !== null);
    row.runningPct = running.length > 0 ? running.reduce((s, v) => s + v, 0) / running.length : null;
    row.perfMetrics = averageMetrics(rows.map((r) => r.perfMetrics));
    out.rows.push(row);
  }
  out.runs = runs.length;
  const elapsed = runs.map((r) => r.elapsed.seconds).filter((v): v is number => v !== null);
  if (elapsed.length > 0) {
    const stats = meanAndVariancePct(elapsed);
    out.elapsed.seconds = stats.mean;
    out.elapsed.variancePct = stats.variancePct;
    out.elapsed.runSeconds = elapsed;
  }
  return out;
}

/** perf's printed metrics, averaged position by position where every run printed the same unit. */
function averageMetrics(lists: PerfMetric[][]): PerfMetric[] {
  const first = lists[0] ?? [];
  return first.map((m, i) => {
    const same = lists.map((l) => l[i]).filter((x): x is PerfMetric => !!x && x.unit === m.unit && x.value !== null);
    if (same.length !== lists.length) return { value: null, unit: m.unit };
    return { value: same.reduce((s, x) => s + (x.value as number), 0) / same.length, unit: m.unit };
  });
}
