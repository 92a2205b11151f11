// Reference: perf-stat(1) "JSON FORMAT" (-j, --json) and tools/perf/util/stat-display.c: one JSON
// object per line with "counter-value", "unit", "event", "event-runtime", "pcnt-running",
// "metric-value", "metric-unit", plus "interval", "variance" (-r), "cgroup" (-G), and "core" /
// "socket" / "die" / "node" / "cpu" / "thread" with "aggregate-number" for aggregated output.
// perf 6.1 writes metric-value as a bare number; later versions as a quoted string, possibly "nan".
import type { CounterRow } from "@tsprof/core";
import { emptyParse, finishRows, excerpt, metric, newRow, parsePerfNumber, splitLines, statusOfPlaceholder, type ParsedPerfStat } from "./common";

const LOCATION_KEYS = ["core", "socket", "die", "node", "cpu", "cache", "cluster", "thread"] as const;

function asNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string") return parsePerfNumber(value);
  return null;
}

function asString(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}

/** Parse `perf stat -j` output. Never throws: unreadable lines are listed in `problems`. */
export function parsePerfJson(text: string): ParsedPerfStat {
  const out = emptyParse("json");
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      out.problems.push(`line ${i + 1}: not valid JSON: ${excerpt(line)}`);
      continue;
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      out.problems.push(`line ${i + 1}: not a JSON object: ${excerpt(line)}`);
      continue;
    }
    const fields = record as Record<string, unknown>;
    if (typeof fields.event !== "string" || fields.event === "") {
      // A metric on its own line (later perf versions), belonging to the previous counter.
      const previous = out.rows[out.rows.length - 1];
      if ("metric-value" in fields && previous) {
        previous.perfMetrics.push(metric(asNumber(fields["metric-value"]), asString(fields["metric-unit"])));
      } else {
        out.problems.push(`line ${i + 1}: no "event" field: ${excerpt(line)}`);
      }
      continue;
    }
    out.rows.push(readRecord(fields));
  }
  return finishRows(out);
}

function readRecord(fields: Record<string, unknown>): CounterRow {
  const row = newRow({ event: fields.event as string });
  const rawValue = fields["counter-value"];
  const status = typeof rawValue === "string" ? statusOfPlaceholder(rawValue) : null;
  row.status = status ?? "counted";
  row.value = status ? null : asNumber(rawValue);
  if (row.value === null) row.status = status ?? "not-counted";
  row.unit = asString(fields.unit);
  row.variancePct = asNumber(fields.variance);
  row.runningPct = asNumber(fields["pcnt-running"]);
  row.interval = asNumber(fields.interval);
  row.cgroup = typeof fields.cgroup === "string" ? fields.cgroup : null;
  for (const key of LOCATION_KEYS) {
    if (fields[key] !== undefined) {
      const where = asString(fields[key]);
      row.location = key === "cpu" && /^\d+$/.test(where) ? `CPU${where}` : where;
      break;
    }
  }
  row.cpus = asNumber(fields["aggregate-number"]);
  // perf 6.1 prints "metric-value": 0.000000 with an empty unit for events that did not count: no metric.
  const unit = asString(fields["metric-unit"]);
  if ("metric-value" in fields && (unit !== "" || row.status === "counted")) {
    const value = asNumber(fields["metric-value"]);
    if (unit !== "" || (value !== null && value !== 0)) row.perfMetrics.push(metric(value, unit));
  }
  return row;
}
