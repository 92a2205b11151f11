// Reference: perf-stat(1), "CSV FORMAT" (tools/perf/Documentation/perf-stat.txt) and
// tools/perf/util/stat-display.c (perf 6.1). Field order, with optional parts in brackets:
//   [interval] [location [cpus]] value, unit, event, [cgroup], [variance%], run time, running%, metric value, metric unit
// perf 6.1 puts the `-r` variance right after the event name (and cgroup), before the run time,
// whatever the man page says. The separator is whatever `-x` was given.
import {
  emptyParse,
  finishRows,
  excerpt,
  isValueLike,
  LOCATION,
  metric,
  newRow,
  parsePerfNumber,
  splitLines,
  statusOfPlaceholder,
  type ParsedPerfStat,
} from "./common";

const SEPARATOR_CANDIDATES = [",", ";", "\t", "|", ":", " "];

/**
 * Find the `-x` separator: the character after the first field of a counter line (a value, a
 * timestamp, a location or a placeholder), checked against the line splitting into >= 5 fields.
 */
export function detectCsvSeparator(lines: string[]): string | null {
  const data = lines.filter((l) => l.trim() !== "" && !l.startsWith("#"));
  for (const line of data.slice(0, 20)) {
    const lead = /^\s*(<not supported>|<not counted>|[-+]?\d[\d.]*(?:e[-+]?\d+)?|S\d+[-\w]*|CPU\d+|N\d+|)(.)/i.exec(line);
    if (!lead) continue;
    const sep = lead[2];
    if (/[\w.<>-]/.test(sep)) continue;
    if (line.split(sep).length >= 5) return sep;
  }
  // No recognisable first field (e.g. metric-only tables): the candidate splitting lines most evenly.
  let best: { sep: string; fields: number } | null = null;
  for (const sep of SEPARATOR_CANDIDATES) {
    const counts = data.slice(0, 10).map((l) => l.split(sep).length);
    if (counts.length === 0 || counts.some((c) => c < 3)) continue;
    if (counts.every((c) => c === counts[0]) && (!best || counts[0] > best.fields)) best = { sep, fields: counts[0] };
  }
  return best?.sep ?? null;
}

function isEventLike(text: string): boolean {
  const t = text.trim();
  return t !== "" && !isValueLike(t) && !t.endsWith("%") && !LOCATION.test(t);
}

/** Index of the value field: the first k where value, unit, event line up. */
function findValueIndex(fields: string[]): number {
  for (let k = 0; k <= Math.min(4, fields.length - 3); k++) {
    const value = fields[k].trim();
    const unit = fields[k + 1].trim();
    if (!isValueLike(value)) continue;
    if (unit !== "" && isValueLike(unit)) continue;
    if (!isEventLike(fields[k + 2])) continue;
    return k;
  }
  return -1;
}

/** Parse `perf stat -x<sep>` output. Never throws: unreadable lines are listed in `problems`. */
export function parsePerfCsv(text: string, separator?: string): ParsedPerfStat {
  const out = emptyParse("csv");
  const lines = splitLines(text);
  const sep = separator ?? detectCsvSeparator(lines);
  if (sep === null) {
    if (lines.some((l) => l.trim() !== "" && !l.startsWith("#"))) out.problems.push("no field separator found");
    return out;
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "" || line.startsWith("#")) continue;
    const fields = line.split(sep);
    const k = findValueIndex(fields);
    if (k < 0) {
      if (attachContinuation(out, fields)) continue;
      const table = readMetricOnlyTable(lines, i, sep);
      if (table) {
        out.perfMetricsOnly.push(...table.rows);
        i = table.end;
        continue;
      }
      out.problems.push(`line ${i + 1}: not a counter line: ${excerpt(line)}`);
      continue;
    }
    const row = newRow({ event: fields[k + 2].trim() });
    readPrefix(fields.slice(0, k), row);
    const status = statusOfPlaceholder(fields[k]);
    row.status = status ?? "counted";
    row.value = status ? null : parsePerfNumber(fields[k]);
    row.unit = fields[k + 1].trim();
    readTail(fields.slice(k + 3), row);
    out.rows.push(row);
  }
  return finishRows(out);
}

/** Prefix fields before the value: interval timestamp, location, aggregated CPU count. */
function readPrefix(prefix: string[], row: ReturnType<typeof newRow>): void {
  let j = 0;
  if (j < prefix.length && /^\s*\d+\.\d+\s*$/.test(prefix[j])) {
    row.interval = Number(prefix[j].trim());
    j++;
  }
  if (j < prefix.length) {
    row.location = prefix[j].trim() || null;
    j++;
    if (j < prefix.length && row.location !== null && !/^CPU\d+$/.test(row.location)) {
      const cpus = parsePerfNumber(prefix[j]);
      if (cpus !== null) row.cpus = cpus;
    }
  }
}

/** After the event: [cgroup] [variance%] run-time running% metric-value metric-unit. */
function readTail(tail: string[], row: ReturnType<typeof newRow>): void {
  let j = 0;
  const at = (n: number) => (tail[n] ?? "").trim();
  if (j < tail.length && at(j) !== "" && !isValueLike(at(j)) && !at(j).endsWith("%")) {
    row.cgroup = at(j);
    j++;
  }
  if (/^[-+]?[\d.]+%$/.test(at(j))) {
    row.variancePct = parsePerfNumber(at(j).slice(0, -1));
    j++;
  }
  j++; // run time (ns the counter ran); its share is the next field
  const running = parsePerfNumber(at(j));
  if (running !== null && !Number.isNaN(running)) row.runningPct = running;
  j++;
  const metricValue = at(j);
  const metricUnit = at(j + 1);
  if (metricValue !== "" || metricUnit !== "") {
    const value = parsePerfNumber(metricValue);
    if (value !== null || metricUnit !== "") row.perfMetrics.push(metric(value, metricUnit));
  }
  // Old perf (before 4.x) put the variance last.
  if (row.variancePct === null && /^[-+]?[\d.]+%$/.test(at(j + 2))) row.variancePct = parsePerfNumber(at(j + 2).slice(0, -1));
}

/**
 * perf prints a counter's second metric ("stalled cycles per insn") as its own line with every
 * counter field empty: `,,,,,0.29,stalled cycles per insn` (plus location/interval prefixes).
 */
function attachContinuation(out: ParsedPerfStat, fields: string[]): boolean {
  const nonEmpty = fields.map((f) => f.trim()).filter((f) => f !== "");
  if (fields.length < 4 || nonEmpty.length < 2) return false;
  const unit = nonEmpty[nonEmpty.length - 1];
  const value = parsePerfNumber(nonEmpty[nonEmpty.length - 2]);
  if (value === null || isValueLike(unit)) return false;
  // Everything before the metric must be prefix material (interval, location, cpu count).
  const before = nonEmpty.slice(0, -2);
  if (!before.every((f) => LOCATION.test(f) || parsePerfNumber(f) !== null)) return false;
  const previous = out.rows[out.rows.length - 1];
  if (!previous) return false;
  previous.perfMetrics.push(metric(value, unit));
  return true;
}

/** `--topdown` / `--metric-only` CSV: a header of metric names, then rows of numbers. */
function readMetricOnlyTable(
  lines: string[],
  start: number,
  sep: string,
): { rows: ParsedPerfStat["perfMetricsOnly"]; end: number } | null {
  const names = lines[start].split(sep).map((f) => f.trim());
  const named = names.filter((n) => n !== "");
  if (named.length < 2 || named.some((n) => parsePerfNumber(n) !== null || n.startsWith("<"))) return null;
  const rows: ParsedPerfStat["perfMetricsOnly"] = [];
  let i = start + 1;
  for (; i < lines.length; i++) {
    const fields = lines[i].split(sep).map((f) => f.trim());
    if (lines[i].trim() === "") continue;
    if (fields.length !== names.length) break;
    let interval: number | null = null;
    let offset = 0;
    if (names[0] !== "" && /time/i.test(names[0])) {
      interval = parsePerfNumber(fields[0]);
      offset = 1;
    }
    const values: Record<string, number> = {};
    let ok = true;
    names.forEach((name, n) => {
      if (name === "" || n < offset) return;
      const v = parsePerfNumber(fields[n] ?? "");
      if (v === null) ok = false;
      else if (!Number.isNaN(v)) values[name] = v;
    });
    if (!ok) break;
    rows.push({ interval, values });
  }
  if (rows.length === 0) return null;
  return { rows, end: i - 1 };
}
