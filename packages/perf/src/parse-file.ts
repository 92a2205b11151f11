import { closeSync, openSync, readSync } from "node:fs";
import { UsageError, buildCountersResult, buildSimulatedCaches, describeFsError, type CountersResult } from "@tsprof/core";
import { cacheEventsOf, detectCachegrind, parseCachegrind } from "./parse/cachegrind";
import { parsePerfStat } from "./parse/detect";
import { emptyElapsed } from "./parse/common";

/** perf stat output is a few KiB; a cachegrind.out of a large program some MiB. Past this it is not ours. */
export const MAX_COUNTERS_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Read a saved counters file, never more than `limit` bytes (`/dev/zero` or a huge file must not eat
 * the memory): one clear UsageError when it cannot be read or is too large.
 */
export function readCountersFile(path: string, limit = MAX_COUNTERS_FILE_BYTES): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${describeFsError(err)}`);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) throw new UsageError(`${path}: larger than ${limit / (1024 * 1024)} MiB, not perf stat or cachegrind output`);
    }
    return Buffer.concat(chunks).toString("utf8");
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${path}: ${describeFsError(err)}`);
  } finally {
    closeSync(fd);
  }
}

/** perf and cachegrind write text: NUL bytes or undecodable bytes mean some other file. */
export function binaryProblem(text: string): string | null {
  if (text.includes("\u0000")) return "binary data (NUL bytes), not text";
  const sample = text.length > 1 << 20 ? text.slice(0, 1 << 20) : text;
  let bad = 0;
  for (const ch of sample) if (ch === "\ufffd" || (ch < " " && ch !== "\n" && ch !== "\r" && ch !== "\t")) bad++;
  return bad > 0 && bad * 100 > sample.length ? "binary data (control characters or bytes that are not UTF-8)" : null;
}

/**
 * Read saved perf stat output (human, -x CSV or -j JSON) or cachegrind output (summary,
 * cachegrind.out, cg_annotate), detected from the text, into a counters result. Pure.
 * `counted` is false when nothing at all could be read (the caller reports it as bad input).
 */
/** The fields of a parsed result that has no perf stat rows (binary input, or a cachegrind file). */
function parsedWithoutRows(meta: { label: string; command: string[]; workItems?: { count: number; label: string } | null }, startedAt: string) {
  return {
    label: meta.label,
    command: meta.command,
    startedAt,
    source: "parsed" as const,
    format: null,
    runs: null,
    rows: [],
    elapsed: emptyElapsed(),
    workItems: meta.workItems ?? null,
  };
}

export function countersFromText(
  text: string,
  meta: { label: string; command: string[]; startedAt?: string; workItems?: { count: number; label: string } | null },
): { result: CountersResult; counted: boolean } {
  const startedAt = meta.startedAt ?? new Date().toISOString();
  const binary = binaryProblem(text);
  if (binary) {
    const result = buildCountersResult({ ...parsedWithoutRows(meta, startedAt), notes: [], problems: [binary] });
    return { result, counted: false };
  }
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
      ...parsedWithoutRows(meta, startedAt),
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
