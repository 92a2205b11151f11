/**
 * Instrumentation inserts text on the lines it counts, so esbuild's source map points at columns
 * of the instrumented text. These helpers move every mapped column back to the original file's,
 * so stack traces (`throws.ts:6:21`) and exported profiles show the column the user wrote.
 */
import { decode, encode, type SourceMapMappings } from "@jridgewell/sourcemap-codec";
import type { Insertion } from "./instrument-plan";

/** Instrumented column -> original column, per 0-based line of the original source. */
export type ColumnMapper = (line: number, column: number) => number;

export function columnMapper(source: string, insertions: readonly Insertion[]): ColumnMapper {
  const lineStarts = [0];
  for (let i = source.indexOf("\n"); i !== -1; i = source.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const lineOfPos = (pos: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  // Per line: [original column, inserted length], in the order the text was inserted.
  const byLine = new Map<number, Array<[number, number]>>();
  const sorted = [...insertions].sort((a, b) => a.pos - b.pos || a.order - b.order);
  for (const ins of sorted) {
    const line = lineOfPos(ins.pos);
    let list = byLine.get(line);
    if (!list) byLine.set(line, (list = []));
    list.push([ins.pos - lineStarts[line], ins.text.length]);
  }
  return (line, column) => {
    let shift = 0;
    for (const [at, length] of byLine.get(line) ?? []) {
      const start = at + shift;
      if (column < start) break;
      // Inside inserted text: the original position it was inserted at.
      if (column < start + length) return at;
      shift += length;
    }
    return column - shift;
  };
}

/** esbuild's source map (JSON text) with original columns restored; lines never move. */
export function remapSourceMapColumns(mapJson: string, mapColumn: ColumnMapper): string {
  const map = JSON.parse(mapJson) as { mappings: string };
  const lines: SourceMapMappings = decode(map.mappings);
  for (const segments of lines) {
    for (const seg of segments) if (seg.length >= 4) seg[3] = mapColumn(seg[2]!, seg[3]!);
  }
  map.mappings = encode(lines);
  return JSON.stringify(map);
}
