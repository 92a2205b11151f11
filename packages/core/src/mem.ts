import type { ProgramExit, ResultHeader } from "./schema";
import type { SampledAllocationProfile } from "./sampled";

/** One source line of one function profiled for memory (memory_profiler's row). */
export interface MemLineRecord {
  line: number;
  /** Exact number of times a statement on this line started (several statements on one line add
   *  up; a loop header counts each condition check, n + 1 for n iterations). 0: never ran. */
  occurrences: number;
  /** Process RSS after the line ran, MiB (largest over its occurrences); null if it never ran. */
  rssMiB: number | null;
  /** Sum of the RSS changes over all occurrences, MiB. */
  rssIncrementMiB: number;
  /** V8 heap used + external after the line ran, MiB (largest over occurrences). V8's `external`
   *  already includes ArrayBuffer/Buffer memory (process.memoryUsage().arrayBuffers is a part of it),
   *  so it is not added twice. */
  heapMiB: number | null;
  /** Sum of the heap changes over all occurrences, MiB. */
  heapIncrementMiB: number;
  source: string;
}

export interface FunctionMemProfile {
  name: string;
  file: string;
  line: number;
  calls: number;
  lines: MemLineRecord[];
}

/** Where the program allocates, from V8's sampling heap profiler. */
export interface AllocationSite {
  functionName: string;
  file: string;
  /** 1-based line: the function's line, or the allocating line inside a profiled function. */
  line: number;
  /** Bytes sampled as allocated here (including objects collected since), estimated by V8's sampler.
   *  Line-level rows share their function's bytes in proportion to the heap growth of each line. */
  bytes: number;
  samples: number;
  /** True when `line` is a line inside the function rather than the function's own line. */
  lineLevel: boolean;
}

/** Result of `tsprof mem` (per-line mode). */
export interface MemProfileResult extends ResultHeader, ProgramExit {
  kind: "mem";
  /** A full GC ran before each measurement. */
  gc: boolean;
  /** How "heap" is defined in this result, printed in the header. */
  heapDefinition: string;
  functions: FunctionMemProfile[];
  allocations: AllocationSite[];
  notes: string[];
  /**
   * tsprof's own share of the memory when the script started (loader, collector, heap sampler):
   * plainNodeRssMiB is the same process's RSS before tsprof's loader loaded.
   */
  toolShare?: ToolShare;
  /**
   * The sampling heap profiler's call tree in original positions: what the pprof and speedscope
   * exports are made from. Absent in results saved before tsprof kept it, and when the sampler was off.
   */
  allocationProfile?: SampledAllocationProfile;
}

/** One point of memory over time. All MiB. */
export interface MemSample {
  /** Milliseconds since the recording started. */
  tMs: number;
  rssMiB: number | null;
  heapUsedMiB: number | null;
  heapTotalMiB: number | null;
  externalMiB: number | null;
  arrayBuffersMiB: number | null;
}

/** One call of a profiled function, shaded as a bracket on the plot (mprof's brackets). */
export interface FunctionBracket {
  name: string;
  startMs: number;
  endMs: number;
  /** True when the recording ended inside this call (crash, kill): endMs is the last sample. */
  open?: boolean;
}

/**
 * How much of the memory at the start of the user's code is tsprof's own (its loader, collector and
 * sampler thread live in the profiled process): the process's RSS just before the script ran, plain
 * node's RSS at its first line measured beside it, and their difference.
 */
export interface ToolShare {
  startRssMiB: number;
  /** null when the plain-node reference could not be measured. */
  plainNodeRssMiB: number | null;
  /** startRssMiB - plainNodeRssMiB: tsprof's share of the baseline; null without the reference. */
  toolMiB: number | null;
}

/** The tool share from its two measurements (the one place the difference is computed). */
export function toolShareOf(startRssBytes: number, plainNodeRssBytes: number | null): ToolShare {
  const startRssMiB = startRssBytes / (1024 * 1024);
  const plainNodeRssMiB = plainNodeRssBytes === null ? null : plainNodeRssBytes / (1024 * 1024);
  return { startRssMiB, plainNodeRssMiB, toolMiB: plainNodeRssMiB === null ? null : Math.max(0, startRssMiB - plainNodeRssMiB) };
}

/** A `tsprof mem --plot` recording, written as it goes to `.tsprof/`. */
export interface MemRecording extends ResultHeader, ProgramExit {
  kind: "mem-recording";
  /** The profiled script as given on the command line. */
  script?: string;
  intervalMs: number;
  includeChildren: boolean;
  samples: MemSample[];
  brackets: FunctionBracket[];
  /** False while recording, or when tsprof itself died before the recording was closed. */
  complete: boolean;
  /** Lines of the recording file that could not be read (a line cut by a crash). */
  skippedLines?: number;
  /** tsprof's own share of the memory when the script started (absent in older recordings). */
  toolShare?: ToolShare;
}
