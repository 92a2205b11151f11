/**
 * The line-profile pane in the language the variant is written in. `p` profiles a built-in variant
 * where it runs: the JavaScript tsc compiled into @tsprof/diffusion's dist/ (the study measures
 * that code, so the profile is of the same). `tsprof line` reports those compiled lines; tsc's
 * source maps (shipped beside the variants with their .ts sources) take each line back to the
 * TypeScript line it came from. The rewriting of a result is pure (lineResultInSource, tested with
 * made-up origins); CompiledFileOrigins reads the maps.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { TraceMap, decodedMappings, type SourceMapSegment } from "@jridgewell/trace-mapping";
import type { FunctionLineProfile, FunctionSummaryRow, LineProfileResult, LineRecord } from "@tsprof/core";

export interface OriginalLine {
  file: string;
  line: number;
}

/** Where the lines of profiled files came from. */
export interface LineOrigins {
  /**
   * The original line of a line of `file`: undefined when the file has no source map (its lines
   * are the original), null when no original line maps to it (code the compiler added).
   */
  original(file: string, line: number): OriginalLine | null | undefined;
  /** The text of an original line, when the original can be read. */
  text(file: string, line: number): string | undefined;
}

/**
 * A line result with every function and summary row moved to the original source. Functions the
 * compiler wrote (tsc's `__createBinding`, `__importStar`, ...) have no original line and go.
 */
export function lineResultInSource(result: LineProfileResult, origins: LineOrigins): LineProfileResult {
  return {
    ...result,
    functions: result.functions.flatMap((fn) => functionInSource(fn, origins) ?? []),
    summary: result.summary.flatMap((row) => summaryRowInSource(row, origins) ?? []),
  };
}

function summaryRowInSource(row: FunctionSummaryRow, origins: LineOrigins): FunctionSummaryRow | null {
  const start = origins.original(row.file, row.line);
  if (start === undefined) return row;
  return start === null ? null : { ...row, file: start.file, line: start.line };
}

/**
 * One function's table in original lines. Compiled lines that map to the same original line (tsc
 * puts a one-line `for (...) body` on two lines) become one; lines only the compiler wrote go.
 * Every original line from the function's first to its last is listed, as `tsprof line` does.
 */
export function functionInSource(fn: FunctionLineProfile, origins: LineOrigins): FunctionLineProfile | null {
  const start = origins.original(fn.file, fn.line);
  if (start === undefined) return fn;
  if (start === null) return null;
  const merged = new Map<number, LineRecord>();
  for (const record of fn.lines) {
    const at = origins.original(fn.file, record.line);
    if (!at || at.file !== start.file) continue;
    const before = merged.get(at.line);
    merged.set(at.line, before ? mergeRecords(before, record) : { ...record, line: at.line, source: origins.text(at.file, at.line) ?? record.source });
  }
  const first = Math.min(start.line, ...merged.keys());
  const last = Math.max(start.line, ...merged.keys());
  // A line with no statement: no hits, and the time the other lines have where time was measured.
  const timed = fn.lines.some((l) => l.timeNs !== null);
  const lines: LineRecord[] = [];
  for (let line = first; line <= last; line++) {
    lines.push(merged.get(line) ?? { line, hits: null, timeNs: timed ? 0 : null, source: origins.text(start.file, line) ?? "" });
  }
  return { ...fn, file: start.file, line: start.line, lines };
}

/**
 * Two compiled lines of one original line: times and samples add up; the hits are those of the
 * line's first statement, which runs at least as often as the rest (a loop header and its body).
 */
function mergeRecords(a: LineRecord, b: LineRecord): LineRecord {
  const sum = (x: number | null | undefined, y: number | null | undefined) => (x == null && y == null ? null : (x ?? 0) + (y ?? 0));
  const merged: LineRecord = {
    ...a,
    hits: a.hits === null ? b.hits : b.hits === null ? a.hits : Math.max(a.hits, b.hits),
    timeNs: sum(a.timeNs, b.timeNs),
  };
  const samples = sum(a.samples, b.samples);
  if (samples !== null) merged.samples = samples;
  return merged;
}

const FILE_MAP = /\/\/# sourceMappingURL=(?!data:)(\S+)\s*$/m;

interface CompiledFile {
  /** Per generated line (0-based), its segments: [column, source, line, column, name?]. */
  lines: readonly (readonly SourceMapSegment[])[];
  sources: string[];
}

/**
 * Origins from the source maps compiled files name in their `//# sourceMappingURL=` comment (tsc's
 * .js.map files), and original text from the map's `sourcesContent` or the original file.
 */
export class CompiledFileOrigins implements LineOrigins {
  private files = new Map<string, CompiledFile | null>();
  private texts = new Map<string, string[] | null>();

  original(file: string, line: number): OriginalLine | null | undefined {
    const compiled = this.compiled(file);
    if (!compiled) return undefined;
    // The line's first segment that has an original position: where its first statement came from.
    const segment = compiled.lines[line - 1]?.find((s) => s.length >= 4) as [number, number, number, number] | undefined;
    return segment ? { file: compiled.sources[segment[1]], line: segment[2] + 1 } : null;
  }

  text(file: string, line: number): string | undefined {
    if (!this.texts.has(file)) {
      try {
        this.texts.set(file, readFileSync(file, "utf8").split(/\r?\n/));
      } catch {
        this.texts.set(file, null);
      }
    }
    return this.texts.get(file)?.[line - 1];
  }

  private compiled(file: string): CompiledFile | null {
    if (this.files.has(file)) return this.files.get(file)!;
    let compiled: CompiledFile | null = null;
    try {
      const comment = FILE_MAP.exec(readFileSync(file, "utf8"));
      if (comment) compiled = this.readMap(path.resolve(path.dirname(file), comment[1]));
    } catch {
      // No readable file or map: the lines stay as they are.
    }
    this.files.set(file, compiled);
    return compiled;
  }

  private readMap(mapFile: string): CompiledFile {
    const map = new TraceMap(readFileSync(mapFile, "utf8"));
    const root = path.resolve(path.dirname(mapFile), map.sourceRoot ?? "");
    const sources = map.sources.map((s) => path.resolve(root, s ?? ""));
    // A map that carries its sources' text needs no .ts file on disk.
    map.sourcesContent?.forEach((content, i) => {
      if (typeof content === "string") this.texts.set(sources[i], content.split(/\r?\n/));
    });
    return { lines: decodedMappings(map), sources };
  }
}
