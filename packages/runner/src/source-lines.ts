/**
 * Map positions in the JavaScript V8 ran back to the user's original lines, with the source maps
 * our loader inlined (Node keeps them when run with --enable-source-maps).
 */
import { findSourceMap } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TraceMap, originalPositionFor, GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND } from "@jridgewell/trace-mapping";

export interface OriginalLine {
  file: string;
  line: number;
  /** 0-based column in the original file (the given column where the script has no source map). */
  column: number;
}

/** Source maps by profile url, as the profiled process saved them (see child-helpers' profileSourceMaps). */
export type SavedSourceMaps = Record<string, object>;

export class SourceLineMapper {
  private maps = new Map<string, TraceMap | null>();

  /**
   * @param saved the profiled process's source maps, when mapping in another process (tsprof's
   *   parent): without it, this process's own (node:module findSourceMap).
   */
  constructor(private readonly saved: SavedSourceMaps | null = null) {}

  /**
   * url: a CPU profile callFrame url (path or file: URL). line: 1-based; column: 0-based.
   * preferEarlier: take the nearest mapped position at or before the column first (a function's
   * start: V8 points inside the declaration, esbuild maps where it begins); by default the nearest
   * at or after it (a line's first statement).
   */
  map(url: string, line: number, column = 0, preferEarlier = false): OriginalLine | null {
    if (!url) return null;
    const file = url.startsWith("file:") ? fileURLToPath(url) : url;
    const traceMap = this.traceMapFor(url, file);
    if (!traceMap) return { file, line, column };
    const biases = preferEarlier ? ([GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) : ([LEAST_UPPER_BOUND, GREATEST_LOWER_BOUND] as const);
    for (const bias of biases) {
      const pos = originalPositionFor(traceMap, { line, column, bias });
      if (pos.source !== null && pos.line !== null) {
        return { file: pos.source.startsWith("file:") ? fileURLToPath(pos.source) : pos.source, line: pos.line, column: pos.column ?? 0 };
      }
    }
    return null;
  }

  /** Whether the script has a source map (then a position that maps nowhere is generated code). */
  hasSourceMap(url: string): boolean {
    if (!url) return false;
    return this.traceMapFor(url, url.startsWith("file:") ? fileURLToPath(url) : url) !== null;
  }

  private traceMapFor(url: string, file: string): TraceMap | null {
    if (this.maps.has(url)) return this.maps.get(url)!;
    let traceMap: TraceMap | null = null;
    if (this.saved) {
      const payload = Object.hasOwn(this.saved, url) ? this.saved[url] : undefined;
      traceMap = payload ? new TraceMap(payload as ConstructorParameters<typeof TraceMap>[0]) : null;
      this.maps.set(url, traceMap);
      return traceMap;
    }
    const candidates = url.startsWith("file:") ? [url, file] : [file, pathToFileURL(file).href];
    for (const key of candidates) {
      const sm = findSourceMap(key);
      if (sm) {
        traceMap = new TraceMap(sm.payload as unknown as ConstructorParameters<typeof TraceMap>[0]);
        break;
      }
    }
    this.maps.set(url, traceMap);
    return traceMap;
  }
}
