import { emptyParse, splitLines, type ParsedPerfStat } from "./common";
import { detectCsvSeparator, parsePerfCsv } from "./perf-csv";
import { parsePerfHuman } from "./perf-human";
import { parsePerfJson } from "./perf-json";

export type PerfFormat = "human" | "csv" | "json";

/** Which of perf stat's three output formats a text is in (sniffed, never told); null if none. */
export function detectPerfFormat(text: string): PerfFormat | null {
  const lines = splitLines(text);
  const data = lines.filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  if (data.length === 0) {
    return lines.some((l) => /^#\s+time\b/.test(l.trim())) ? "human" : null;
  }
  if (data[0].trimStart().startsWith("{")) return "json";
  if (lines.some((l) => /Performance counter stats for|seconds time elapsed|^\s*#\s+time\b/.test(l))) return "human";
  const sep = detectCsvSeparator(lines);
  // Human lines pad columns with runs of spaces; CSV lines (after an interval's left padding) do not.
  if (sep !== null && sep.trim() !== "") {
    const padded = data.slice(0, 10).filter((l) => /\S {2,}\S/.test(l.trim())).length;
    if (padded * 2 < Math.min(data.length, 10)) return "csv";
  }
  return "human";
}

/** Parse perf stat output in whichever format it is. Never throws. */
export function parsePerfStat(text: string): ParsedPerfStat {
  const format = detectPerfFormat(text);
  if (format === "json") return parsePerfJson(text);
  if (format === "csv") return parsePerfCsv(text);
  if (format === "human") return parsePerfHuman(text);
  const out = emptyParse("human");
  out.problems.push("empty input: no perf stat output");
  return out;
}
