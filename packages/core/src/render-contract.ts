import type { ResultKind } from "./schema";
import type { LineProfileResult } from "./line";
import type { MemProfileResult, MemRecording } from "./mem";
import type { CountersCompareResult, CountersResult } from "./counters";
import type { StudyResult } from "./study";

/**
 * The contract between results and the renderers/exporters that format them. The registry itself
 * (which function renders which kind in which format) lives in @tsprof/report, because the
 * renderers live in the packages above core (line, mem, perf, diffusion, export) and core imports
 * none of them.
 */

/** Each saved kind and its model. */
export interface ResultByKind {
  line: LineProfileResult;
  mem: MemProfileResult;
  "mem-recording": MemRecording;
  counters: CountersResult;
  "counters-compare": CountersCompareResult;
  study: StudyResult;
}

/** Any saved result, discriminated by `kind`. */
export type TsprofResult = ResultByKind[ResultKind];

/** The output formats a renderer or exporter can produce. */
export const OUTPUT_FORMATS = ["text", "json", "markdown", "png", "speedscope", "pprof", "cpuprofile"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Options every renderer receives; each uses the ones that apply to it. */
export interface RenderOptions {
  /** ANSI colour (the caller decides with useColor()). */
  color: boolean;
  /** Terminal width in columns, for charts drawn in the terminal. */
  width?: number;
  /** Image size in pixels, for PNG. */
  size?: { width: number; height: number };
  /** Timer unit in seconds (line results); defaults to the result's own. */
  unit?: number;
  /** Hide functions that were never called. */
  skipZero?: boolean;
  /** Line results: only the user's own functions (no libraries, Node internals or runtime rows). */
  onlyUser?: boolean;
  /** Paths are shown relative to this folder when inside it. */
  cwd?: string;
}

/** What a renderer returns: text, or bytes (PNG, pprof). */
export type Rendered = string | Buffer;

/** A pure function from a validated result to its rendering. PNG drawing is asynchronous. */
export type Renderer<K extends ResultKind> = (result: ResultByKind[K], options: RenderOptions) => Rendered | Promise<Rendered>;
