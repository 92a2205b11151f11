/**
 * Text renderers of `tsprof mem` results: memory_profiler's per-line table (with RSS and heap
 * columns) and the allocation table. Pure: result in, text out.
 */
import { relative } from "node:path";
import { displaySourceLine, printableDeep, type AllocationSite, type FunctionMemProfile, type MemProfileResult, type MemRecording } from "@tsprof/core";
import { renderRecordingAscii } from "./render-plot";

export interface MemRenderOptions {
  /** Bold headers (ANSI); the caller decides with useColor(). */
  color?: boolean;
  /** Paths are shown relative to this folder when inside it. */
  cwd?: string;
  /** Hide functions that were never called. */
  skipZero?: boolean;
  /** Rows of the allocation table (default 15). */
  maxAllocations?: number;
  /** Width of the output in characters: Line Contents is cut to fit (default: not cut). */
  width?: number;
}

/** Characters before Line Contents in a row of the per-line table. */
const ROW_PREFIX = 6 + 5 * 13 + 2;

export const MEM_TABLE_HEADER =
  "Line #    RSS usage    Increment    Heap used    Increment  Occurrences  Line Contents";

function mib(value: number): string {
  // -0.000 reads as a change; memory_profiler prints 0.000.
  const text = value.toFixed(3);
  return `${text === "-0.000" ? "0.000" : text} MiB`;
}

function showPath(file: string, cwd: string | undefined): string {
  if (!cwd || !file) return file;
  const rel = relative(cwd, file);
  return rel.startsWith("..") ? file : rel;
}

function bold(text: string, color: boolean | undefined): string {
  return color ? `\x1b[1m${text}\x1b[0m` : text;
}

/** One function's table, memory_profiler's layout with two more columns. */
export function renderFunctionMemTable(fn: FunctionMemProfile, options: MemRenderOptions = {}): string {
  const out: string[] = [];
  out.push(`Filename: ${showPath(fn.file, options.cwd)}`);
  out.push(`Function: ${fn.name} at line ${fn.line} (${fn.calls} call${fn.calls === 1 ? "" : "s"})`);
  out.push("");
  out.push(bold(MEM_TABLE_HEADER, options.color));
  out.push("=".repeat(MEM_TABLE_HEADER.length));
  for (const row of fn.lines) {
    const ran = row.occurrences > 0 && row.rssMiB !== null;
    out.push(
      [
        String(row.line).padStart(6),
        (ran ? mib(row.rssMiB!) : "").padStart(13),
        (ran ? mib(row.rssIncrementMiB) : "").padStart(13),
        (ran && row.heapMiB !== null ? mib(row.heapMiB) : "").padStart(13),
        (ran ? mib(row.heapIncrementMiB) : "").padStart(13),
        (row.occurrences > 0 ? String(row.occurrences) : "").padStart(13),
        "  " + displaySourceLine(row.source, Math.max(10, (options.width ?? Infinity) - ROW_PREFIX)),
      ]
        .join("")
        .trimEnd(),
    );
  }
  return out.join("\n") + "\n";
}

/** The allocation table (V8 sampling heap profiler). */
export function renderAllocations(sites: AllocationSite[], options: MemRenderOptions = {}): string {
  const max = options.maxAllocations ?? 15;
  const total = sites.reduce((s, a) => s + a.bytes, 0);
  const out: string[] = [];
  out.push(bold("Where the program allocates (V8 sampling heap profiler, whole program)", options.color));
  if (sites.length === 0) {
    out.push("  (no samples)");
    return out.join("\n") + "\n";
  }
  const header = `${"MiB".padStart(10)}${"%".padStart(7)}${"Samples".padStart(9)}  Function / location`;
  out.push(header);
  out.push("=".repeat(Math.max(header.length, 60)));
  for (const site of sites.slice(0, max)) {
    const where = site.file ? `${showPath(site.file, options.cwd)}:${site.line}` : "";
    const pct = total > 0 ? (100 * site.bytes) / total : 0;
    out.push(
      `${(site.bytes / 1048576).toFixed(3).padStart(10)}${pct.toFixed(1).padStart(7)}${String(site.samples).padStart(9)}  ${site.functionName}${where ? `  ${where}` : ""}${site.lineLevel ? "  (line)" : ""}`,
    );
  }
  if (sites.length > max) {
    const rest = sites.slice(max).reduce((s, a) => s + a.bytes, 0);
    out.push(`${(rest / 1048576).toFixed(3).padStart(10)}${(total > 0 ? (100 * rest) / total : 0).toFixed(1).padStart(7)}${"".padStart(9)}  (${sites.length - max} more sites)`);
  }
  out.push(`${(total / 1048576).toFixed(3).padStart(10)}${"100.0".padStart(7)}${"".padStart(9)}  total sampled`);
  return out.join("\n") + "\n";
}

/** The whole per-line result as text: header, one table per function, allocations, notes. */
export function renderMemProfile(untrusted: MemProfileResult, options: MemRenderOptions = {}): string {
  // Source lines, function names and notes come from files and the child: printable only.
  const result = printableDeep(untrusted);
  const parts: string[] = [];
  const head = [result.heapDefinition];
  if (result.gc) head.push("A full GC ran before each measurement (--gc).");
  const share = result.toolShare;
  if (share && share.toolMiB !== null && share.plainNodeRssMiB !== null) {
    head.push(
      `tsprof's own share: ${share.toolMiB.toFixed(1)} MiB of the ${share.startRssMiB.toFixed(1)} MiB RSS when the script started ` +
        `(${share.plainNodeRssMiB.toFixed(1)} MiB before tsprof's loader); the RSS column includes it.`,
    );
  }
  head.push("Usage: value after the line ran (largest over its occurrences). Increment: sum of its changes over all occurrences.");
  parts.push(head.join("\n") + "\n");
  const functions = options.skipZero ? result.functions.filter((f) => f.calls > 0) : result.functions;
  if (functions.length === 0) {
    parts.push(
      "No profiled functions. Mark one with /** @profile */, @profile or profile(fn), or use --all / --module <file>.\n",
    );
  }
  for (const fn of functions) parts.push(renderFunctionMemTable(fn, options));
  parts.push(renderAllocations(result.allocations, options));
  if (result.notes.length > 0) parts.push(result.notes.map((n) => `note: ${n}`).join("\n") + "\n");
  return parts.join("\n");
}

/** A recording as text (terminal chart and brackets), for `tsprof show` on a recording. */
export function renderMemRecording(rec: MemRecording, size?: { width: number; height: number }): string {
  return renderRecordingAscii(rec, size);
}
