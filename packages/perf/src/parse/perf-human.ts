// Reference: perf-stat(1) and tools/perf/util/stat-display.c (perf 6.1): the default, human format.
//   [interval] [location [cpus]] value [unit] event [(unit)] [cgroup]  # metric value unit   ( +- var% )  (running%)
// Values group digits with ","; older perf versions leave the unit column out (task-clock is msec)
// or print it after the event ("task-clock:u (msec)"). A second metric of the same counter is a line
// holding only "# value unit". `-I` adds a timestamp column, `--per-core`/`--per-socket` a location
// and a CPU count, `-A` "CPUn", `-G` the cgroup after the event; `--table` adds one line per run.
import {
  defaultUnit,
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

const KNOWN_UNITS = new Set(["msec", "ms", "ns", "us", "usec", "sec", "MiB", "MB", "KiB", "GiB", "Joules", "J", "Watts", "W"]);

const HEADER = /Performance counter stats for (?:'(.*)'|(.*?))(?:\s*\((\d+) runs\))?:\s*$/;
const ELAPSED =
  /^\s*([\d.,]+)(?:\s*\+-\s*([\d.,]+))?\s+seconds time elapsed(?:\s*\(\s*\+-\s*([\d.]+)\s*%\s*\))?\s*$/;
const USER_SYS = /^\s*([\d.,]+)\s+seconds (user|sys)\s*$/;
const TABLE_RUN = /^\s*([\d.]+)\s+\(([-+]?[\d.]+)\)\s*#*\s*$/;
const CONTINUATION = /^\s*#\s+(\S+)\s+(.*?)\s*$/;
const MULTIPLEX = /\(\s*([\d.]+)\s*%\s*\)\s*$/;
const VARIANCE = /\(\s*\+-\s*([\d.]+)\s*%\s*\)\s*$/;

/** Parse perf stat's default human output. Never throws: unreadable lines are listed in `problems`. */
export function parsePerfHuman(text: string): ParsedPerfStat {
  const out = emptyParse("human");
  const lines = splitLines(text);
  let intervalMode = false;
  let metricOnlyNames: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (trimmed.startsWith("#")) {
      const header = trimmed.replace(/^#\s*/, "");
      if (/^time\b/.test(header)) {
        intervalMode = true;
        if (!/\bcounts\b/.test(header)) {
          metricOnlyNames = header.split(/\s+/).slice(1).filter((t) => t !== "%" && t !== "");
        }
        continue;
      }
      const more = CONTINUATION.exec(line);
      if (more && parsePerfNumber(more[1]) !== null && out.rows.length > 0 && !/^#\s*(Table|Final|started)/.test(trimmed)) {
        out.rows[out.rows.length - 1].perfMetrics.push(metric(parsePerfNumber(more[1]), more[2]));
      }
      continue; // comments: "# started on", "# Table of individual measurements:", "# Final result:"
    }
    const header = HEADER.exec(line);
    if (header) {
      out.label = header[1] ?? header[2]?.trim() ?? null;
      out.runs = header[3] ? Number(header[3]) : 1;
      continue;
    }
    const elapsed = ELAPSED.exec(line);
    if (elapsed) {
      out.elapsed.seconds = parsePerfNumber(elapsed[1]);
      if (elapsed[3]) out.elapsed.variancePct = parsePerfNumber(elapsed[3]);
      continue;
    }
    const userSys = USER_SYS.exec(line);
    if (userSys) {
      if (userSys[2] === "user") out.elapsed.userSeconds = parsePerfNumber(userSys[1]);
      else out.elapsed.sysSeconds = parsePerfNumber(userSys[1]);
      continue;
    }
    const tableRun = TABLE_RUN.exec(line);
    if (tableRun) {
      const seconds = parsePerfNumber(tableRun[1]);
      if (seconds !== null && Number.isFinite(seconds)) out.elapsed.runSeconds.push(seconds);
      else out.problems.push(`line ${i + 1}: unreadable run time: ${excerpt(line)}`);
      continue;
    }
    if (metricOnlyNames && readMetricOnlyRow(out, trimmed, metricOnlyNames)) continue;
    if (!readCounterLine(out, line, intervalMode)) out.problems.push(`line ${i + 1}: not a counter line: ${excerpt(line)}`);
  }
  return finishRows(out);
}

function readMetricOnlyRow(out: ParsedPerfStat, trimmed: string, names: string[]): boolean {
  const tokens = trimmed.split(/\s+/);
  if (tokens.length !== names.length + 1) return false;
  const numbers = tokens.map((t) => parsePerfNumber(t));
  if (numbers.some((n) => n === null)) return false;
  const values: Record<string, number> = {};
  names.forEach((name, n) => {
    const v = numbers[n + 1] as number;
    if (!Number.isNaN(v)) values[name] = v;
  });
  out.perfMetricsOnly.push({ interval: numbers[0], values });
  return true;
}

function readCounterLine(out: ParsedPerfStat, line: string, intervalMode: boolean): boolean {
  let rest = line;
  let runningPct: number | null = null;
  let variancePct: number | null = null;
  const multiplex = MULTIPLEX.exec(rest);
  if (multiplex && !/\+-/.test(multiplex[0])) {
    runningPct = parsePerfNumber(multiplex[1]);
    rest = rest.slice(0, multiplex.index);
  }
  const variance = VARIANCE.exec(rest);
  if (variance) {
    variancePct = parsePerfNumber(variance[1]);
    rest = rest.slice(0, variance.index);
  }
  const hash = rest.indexOf("#");
  const left = hash >= 0 ? rest.slice(0, hash) : rest;
  const metricText = hash >= 0 ? rest.slice(hash + 1).trim() : "";

  const tokens = left
    .replace(/<not supported>/g, "<not_supported>")
    .replace(/<not counted>/g, "<not_counted>")
    .trim()
    .split(/\s+/)
    .map((t) => t.replace("<not_supported>", "<not supported>").replace("<not_counted>", "<not counted>"));
  if (tokens.length < 2 || tokens[0] === "") return false;

  let j = 0;
  let interval: number | null = null;
  if (/^\d+\.\d+$/.test(tokens[0]) && (intervalMode || isValueLike(tokens[1]) || LOCATION.test(tokens[1])) && tokens.length >= 3) {
    interval = Number(tokens[0]);
    j++;
  }
  let location: string | null = null;
  let cpus: number | null = null;
  if (LOCATION.test(tokens[j] ?? "")) {
    location = tokens[j++];
    if (!location.startsWith("CPU") && /^\d+$/.test(tokens[j] ?? "") && isValueLike(tokens[j + 1] ?? "")) {
      cpus = Number(tokens[j++]);
    }
  }
  const valueText = tokens[j++];
  if (valueText === undefined || !isValueLike(valueText)) return false;
  let unit = "";
  if (tokens.length - j >= 2 && KNOWN_UNITS.has(tokens[j])) unit = tokens[j++];
  const event = tokens[j++];
  if (event === undefined || isValueLike(event)) return false;
  const unitAfter = /^\((\w+)\)$/.exec(tokens[j] ?? "");
  if (unitAfter) {
    unit = unitAfter[1];
    j++;
  }
  const cgroup = j < tokens.length ? tokens.slice(j).join(" ") : null;

  const status = statusOfPlaceholder(valueText);
  const row = newRow({
    event,
    status: status ?? "counted",
    value: status ? null : parsePerfNumber(valueText),
    unit: unit || (status ? "" : defaultUnit(event)),
    variancePct,
    runningPct,
    interval,
    location,
    cpus,
    cgroup,
  });
  if (metricText !== "") {
    const m = /^([-+]?[\d.,]*\d|nan|[-+]?inf)\s*(.*)$/i.exec(metricText);
    row.perfMetrics.push(m ? metric(parsePerfNumber(m[1]), m[2]) : metric(null, metricText));
  }
  out.rows.push(row);
  return true;
}
