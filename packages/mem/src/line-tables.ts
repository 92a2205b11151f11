/**
 * The per-line tables of `tsprof mem` from the collector's per-slot arrays: built in the child at
 * exit, or in the parent from the latest snapshot when the child died without running its exit
 * code (SIGKILL, abort, out of memory).
 */
import type { FunctionMemProfile, MemLineRecord } from "@tsprof/core";
import type { FileMeta } from "@tsprof/runner";
import { sourceLines } from "@tsprof/runner/child-helpers";

const MiB = 1024 * 1024;

export interface FileData {
  meta: FileMeta;
  calls: Float64Array;
  occurrences: Float64Array;
  rssMax: Float64Array;
  rssIncrement: Float64Array;
  heapMax: Float64Array;
  heapIncrement: Float64Array;
  /** Sum of the positive changes of V8 heap used only: where JS objects were allocated (for the
   *  allocation split; array-buffer backing stores are not in the sampling heap profile). */
  heapGrowth: Float64Array;
  /** How many of the changes were positive, and the smallest of them (for the measuring floor). */
  growthCount: Float64Array;
  growthMin: Float64Array;
}

/** Every per-slot array, as the profiled process's final write carries them (allocation-sites.ts). */
export const TABLE_FIELDS = [
  "calls",
  "occurrences",
  "rssMax",
  "rssIncrement",
  "heapMax",
  "heapIncrement",
  "heapGrowth",
  "growthCount",
  "growthMin",
] as const satisfies ReadonlyArray<Exclude<keyof FileData, "meta">>;

/** The arrays a snapshot carries (what the tables need), per file. */
export const SNAPSHOT_FIELDS = ["calls", "occurrences", "rssMax", "rssIncrement", "heapMax", "heapIncrement"] as const;

/** A file's counters, as snapshot sections named `<file index>.<field>`. */
export function snapshotSections(files: FileData[]): Array<[string, Float64Array]> {
  return files.flatMap((data, i) => SNAPSHOT_FIELDS.map((field): [string, Float64Array] => [`${i}.${field}`, data[field]]));
}

/** Parent side: the tables from a snapshot and the plan (one `{ meta }` per registered file). */
export function functionsFromSnapshot(plan: Array<{ meta: FileMeta }>, sections: Map<string, Float64Array>): FunctionMemProfile[] {
  return plan.flatMap(({ meta }, i) => {
    const field = (name: string, length: number): Float64Array => sections.get(`${i}.${name}`) ?? new Float64Array(length);
    const n = meta.slots.length;
    const data = {
      meta,
      calls: field("calls", meta.functions.length),
      occurrences: field("occurrences", n),
      rssMax: field("rssMax", n),
      rssIncrement: field("rssIncrement", n),
      heapMax: field("heapMax", n),
      heapIncrement: field("heapIncrement", n),
    };
    return buildFunctions(data);
  });
}

/** One table per profiled function: every line from its table start to its last line. */
export function buildFunctions(data: Pick<FileData, "meta" | (typeof SNAPSHOT_FIELDS)[number]>): FunctionMemProfile[] {
  const { meta } = data;
  const text = sourceLines(meta.file);
  return meta.functions.map((fn, fnIndex) => {
    const lines: MemLineRecord[] = [];
    for (let line = fn.line; line <= fn.endLine; line++) {
      lines.push({
        line,
        occurrences: 0,
        rssMiB: null,
        rssIncrementMiB: 0,
        heapMiB: null,
        heapIncrementMiB: 0,
        source: text[line - 1] ?? "",
      });
    }
    for (let slot = 0; slot < meta.slots.length; slot++) {
      const s = meta.slots[slot];
      if (s.fn !== fnIndex || data.occurrences[slot] === 0) continue;
      const row = lines[s.line - fn.line];
      if (!row) continue;
      // Several statements on one line: increments add up, usage is the largest, and occurrences
      // count the line's starts, as `tsprof line` counts hits and memory_profiler line events: a
      // statement that only ever follows another on its line (`if (x) y++;`) adds none.
      if (!s.continues) row.occurrences += data.occurrences[slot];
      row.rssIncrementMiB += data.rssIncrement[slot] / MiB;
      row.heapIncrementMiB += data.heapIncrement[slot] / MiB;
      const rss = data.rssMax[slot] / MiB;
      const heap = data.heapMax[slot] / MiB;
      row.rssMiB = row.rssMiB === null ? rss : Math.max(row.rssMiB, rss);
      row.heapMiB = row.heapMiB === null ? heap : Math.max(row.heapMiB, heap);
    }
    return { name: fn.name, file: meta.file, line: fn.line, calls: data.calls[fnIndex], lines };
  });
}

