import type { CounterRow, CounterStatus, ElapsedTime, PerfMetric } from "@tsprof/core";

/** What a perf stat parser read: rows plus everything around them, and what it could not read. */
export interface ParsedPerfStat {
  format: "human" | "csv" | "json";
  /** The measured command from "Performance counter stats for '...'", when printed. */
  label: string | null;
  runs: number | null;
  rows: CounterRow[];
  elapsed: ElapsedTime;
  /** Metric-only output (--topdown, --metric-only), by metric name per interval. */
  perfMetricsOnly: Array<{ interval: number | null; values: Record<string, number> }>;
  /** "line N: why" for every line that was not understood. */
  problems: string[];
}

export function emptyElapsed(): ElapsedTime {
  return { seconds: null, variancePct: null, userSeconds: null, sysSeconds: null, runSeconds: [] };
}

export function emptyParse(format: ParsedPerfStat["format"]): ParsedPerfStat {
  return { format, label: null, runs: null, rows: [], elapsed: emptyElapsed(), perfMetricsOnly: [], problems: [] };
}

/** `<not supported>` / `<not counted>` (perf's placeholders for a value), or null. */
export function statusOfPlaceholder(text: string): CounterStatus | null {
  const t = text.trim();
  if (t === "<not supported>") return "not-supported";
  if (t === "<not counted>") return "not-counted";
  return null;
}

const NUMBER = /^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

/**
 * A perf number: "329,155,359,015" (human format groups digits), "0.45", "1e-3", "nan"/"inf" (-> NaN).
 * null when the text is not a number at all; never +-Infinity.
 */
export function parsePerfNumber(text: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  if (/^[-+]?nan$/i.test(t)) return Number.NaN;
  // An infinite metric (perf divided by zero) says no more than nan does.
  if (/^[-+]?inf(inity)?$/i.test(t)) return Number.NaN;
  if (!NUMBER.test(t) || !/\d/.test(t)) return null;
  const value = Number(t.replace(/,/g, ""));
  // Out of range ("1e309") is unreadable; "-0" reads as 0 (JSON would turn -0 into 0 anyway).
  return Number.isFinite(value) ? value + 0 : null;
}

export function isValueLike(text: string): boolean {
  return statusOfPlaceholder(text) !== null || parsePerfNumber(text) !== null;
}

/** Location prefixes of aggregated output: S0, S0-D0, S0-D0-C1 (socket/die/core), CPU3, N0 (node), S0-D0-L2-ID3 (cache). */
export const LOCATION = /^(?:S\d+(?:-D\d+)?(?:-(?:C|L\d+-ID)\d+)?|CPU\d+|N\d+)$/;

export function newRow(partial: Partial<CounterRow> & { event: string }): CounterRow {
  return {
    event: partial.event,
    value: partial.value ?? null,
    unit: partial.unit ?? "",
    variancePct: partial.variancePct ?? null,
    runningPct: partial.runningPct ?? null,
    status: partial.status ?? "counted",
    perfMetrics: partial.perfMetrics ?? [],
    interval: partial.interval ?? null,
    location: partial.location ?? null,
    cpus: partial.cpus ?? null,
    cgroup: partial.cgroup ?? null,
  };
}

/** perf prints clocks in msec and duration_time in ns; old versions left the unit out. */
export function defaultUnit(event: string): string {
  const base = event.replace(/:[a-z]+$/, "");
  if (base === "task-clock" || base === "cpu-clock") return "msec";
  if (base === "duration_time" || base === "user_time" || base === "system_time") return "ns";
  return "";
}

export function metric(value: number | null, unit: string): PerfMetric {
  return { value: value !== null && !Number.isFinite(value) ? null : value, unit: unit.trim().replace(/\s+/g, " ") };
}

/** Lines of a text, without a trailing "\r"; a final empty line dropped. */
export function splitLines(text: string): string[] {
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Shorten a bad line for a problem message. */
export function excerpt(line: string): string {
  const clean = line.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?").trim();
  return clean.length > 60 ? `${clean.slice(0, 57)}...` : clean;
}

/** Last touches common to all formats: a default unit, no variance on what did not count. */
export function finishRows(parsed: ParsedPerfStat): ParsedPerfStat {
  parsed.rows = parsed.rows.filter((row) => {
    // An event name is perf's own text: control characters or undecodable bytes mean garbage read as a row.
    if (row.event.trim() === "" || /[\u0000-\u001f\u007f-\u009f\ufffd]/.test(row.event)) {
      parsed.problems.push(`not an event name: ${excerpt(row.event)}`);
      return false;
    }
    if (row.status === "counted" && (row.value === null || !Number.isFinite(row.value))) {
      parsed.problems.push(`event ${row.event}: unreadable value`);
      return false;
    }
    return true;
  });
  const finite = (v: number | null) => (v !== null && Number.isFinite(v) ? v : null);
  parsed.elapsed.seconds = finite(parsed.elapsed.seconds);
  parsed.elapsed.variancePct = finite(parsed.elapsed.variancePct);
  parsed.elapsed.userSeconds = finite(parsed.elapsed.userSeconds);
  parsed.elapsed.sysSeconds = finite(parsed.elapsed.sysSeconds);
  parsed.elapsed.runSeconds = parsed.elapsed.runSeconds.filter((v) => Number.isFinite(v));
  if (parsed.runs !== null && !Number.isFinite(parsed.runs)) parsed.runs = null;
  for (const row of parsed.rows) {
    if (row.runningPct !== null && !Number.isFinite(row.runningPct)) row.runningPct = null;
    if (row.variancePct !== null && !Number.isFinite(row.variancePct)) row.variancePct = null;
    if (row.interval !== null && !Number.isFinite(row.interval)) row.interval = null;
    if (row.cpus !== null && !Number.isFinite(row.cpus)) row.cpus = null;
    if (row.unit === "" && row.status === "counted") row.unit = defaultUnit(row.event);
    if (row.status !== "counted") {
      row.value = null;
      row.variancePct = null;
    }
  }
  return parsed;
}
