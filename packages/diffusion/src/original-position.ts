/**
 * Positions in the JavaScript V8 ran, mapped back to the source the user wrote: through a compiled
 * file's own source map (tsc's .js.map next to dist files), or, for TypeScript that tsprof's loader
 * compiled in memory, through the map of the same compilation done again here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { compileFile, formatOf, isTypeScriptFile } from "@tsprof/runner";

export interface OriginalPosition {
  file: string;
  line: number;
  column: number;
}

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/m;
const FILE_MAP = /\/\/# sourceMappingURL=(?!data:)(\S+)\s*$/m;

function traceMapOf(file: string): TraceMap | null {
  let code: string;
  try {
    const source = fs.readFileSync(file, "utf8");
    code = isTypeScriptFile(file) ? compileFile(file, source, formatOf(file), null).code : source;
  } catch {
    return null;
  }
  const inline = INLINE_MAP.exec(code);
  if (inline) return new TraceMap(Buffer.from(inline[1], "base64").toString("utf8"));
  const external = FILE_MAP.exec(code);
  if (!external) return null;
  try {
    const mapFile = path.resolve(path.dirname(file), external[1]);
    return new TraceMap(fs.readFileSync(mapFile, "utf8"), mapFile);
  } catch {
    return null;
  }
}

/** Maps (file, 1-based line, 1-based column) positions, caching one map per file. */
export class OriginalPositions {
  private maps = new Map<string, TraceMap | null>();

  map(fileOrUrl: string, line: number, column: number): OriginalPosition {
    const file = fileOrUrl.startsWith("file:") ? fileURLToPath(fileOrUrl) : fileOrUrl;
    if (!this.maps.has(file)) this.maps.set(file, traceMapOf(file));
    const traceMap = this.maps.get(file);
    if (!traceMap) return { file, line, column };
    for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
      const pos = originalPositionFor(traceMap, { line, column: Math.max(0, column - 1), bias });
      if (pos.source !== null && pos.line !== null) {
        const original = pos.source.startsWith("file:") ? fileURLToPath(pos.source) : path.resolve(path.dirname(file), pos.source);
        return { file: original, line: pos.line, column: (pos.column ?? 0) + 1 };
      }
    }
    return { file, line, column };
  }
}
