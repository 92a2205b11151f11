/**
 * Positions in the JavaScript V8 ran, mapped back to the source the user wrote, in the parent
 * (the profiled process is gone): through a compiled file's own source map (tsc's .js.map next to
 * dist files), or, for a file that tsprof's loader compiled, through the map of the same
 * compilation done again here, with the same instrumentation plan (it is then read from the
 * compile cache). Used for V8's code log by `tsprof line --jit` and the dashboard's JIT view.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
// The parsers alone, not @tsprof/core's index: the profiled process loads this module as it saves.
import { parseV8CodeLog } from "@tsprof/core/dist/v8-log";
import { parseV8JitTrace } from "@tsprof/core/dist/v8-trace";
import type { JitTier, TracedFunction } from "@tsprof/core";
import { compileFile, formatOf, isTypeScriptFile, wantsInstrumentation, type InstrumentPlan } from "./compile";

export interface OriginalPosition {
  file: string;
  /** 1-based line and column. */
  line: number;
  column: number;
}

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/m;
const FILE_MAP = /\/\/# sourceMappingURL=(?!data:)(\S+)\s*$/m;

/** The code V8 ran for `file`: what tsprof's loader compiled (TypeScript, or JavaScript it instrumented), else the file. */
function codeRunFor(file: string, plan: InstrumentPlan | null): string {
  const source = fs.readFileSync(file, "utf8");
  const compiled = isTypeScriptFile(file) || (plan !== null && wantsInstrumentation(file, source, plan));
  return compiled ? compileFile(file, source, formatOf(file), plan).code : source;
}

function traceMapOf(file: string, plan: InstrumentPlan | null): TraceMap | null {
  let code: string;
  try {
    code = codeRunFor(file, plan);
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

  /** @param plan the instrumentation the run compiled its files with (null: none). */
  constructor(private readonly plan: InstrumentPlan | null = null) {}

  map(fileOrUrl: string, line: number, column: number): OriginalPosition {
    const file = fileOrUrl.startsWith("file:") ? fileURLToPath(fileOrUrl) : fileOrUrl;
    if (!this.maps.has(file)) this.maps.set(file, traceMapOf(file, this.plan));
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

/** A function from V8's code log, at its original position. */
export interface MappedJitFunction extends OriginalPosition {
  /** "" for an anonymous function or a module's top level. */
  name: string;
  /** The line in the JavaScript V8 ran (1 or 2 with no name: a module's top-level code). */
  generatedLine: number;
  tier: JitTier;
  finalTier: JitTier;
  optimizations: number;
}

/** A deoptimization from V8's code log: the failed check, and the function whose code was dropped, at original positions. */
export interface MappedJitDeopt extends OriginalPosition {
  function: string;
  /** Where that function starts (null when V8's log did not name its code). */
  owner: OriginalPosition | null;
  kind: string;
  reason: string;
}

/** V8's code log (`--log-code --log-deopt`) with every position mapped to the source the user wrote. */
export function mapV8CodeLog(text: string, positions: OriginalPositions): MappedCodeLog {
  const log = parseV8CodeLog(text);
  const functions = log.functions.map((fn) => ({
    ...positions.map(fn.file, fn.line, fn.column),
    name: fn.name,
    generatedLine: fn.line,
    tier: fn.tier,
    finalTier: fn.finalTier,
    optimizations: fn.optimizations,
  }));
  const deopts = log.deopts.map((d) => ({
    ...positions.map(d.file, d.line, d.column),
    function: d.function,
    owner: d.functionFile ? positions.map(d.functionFile, d.functionLine, d.functionColumn) : null,
    kind: d.kind,
    reason: d.reason,
  }));
  return { functions, deopts };
}

export interface MappedCodeLog {
  /** One entry per function and thread (isolate) that compiled it. */
  functions: MappedJitFunction[];
  deopts: MappedJitDeopt[];
}

const LOG_NAME = "v8.log";

/**
 * Node flags that make V8 write its code log into `dir` (a private folder), one file per isolate:
 * the main thread and each worker (with one shared file the isolates would overwrite each other's),
 * and send the deoptimization traces that --log-deopt also prints on stdout, where the program's
 * own output goes, to a file there.
 */
export function codeLogNodeArgs(dir: string): string[] {
  return ["--log-code", "--log-deopt", `--logfile=${path.join(dir, LOG_NAME)}`, "--redirect-code-traces", `--redirect-code-traces-to=${path.join(dir, "deopt-trace.txt")}`];
}

/** The code logs V8 wrote into `dir` (see codeLogNodeArgs), each mapped, merged; null when there is none. */
export function readCodeLogs(dir: string, positions: OriginalPositions): MappedCodeLog | null {
  // V8 names them isolate-<address>-<pid>-v8.log.
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(`-${LOG_NAME}`) || f === LOG_NAME);
  if (files.length === 0) return null;
  const merged: MappedCodeLog = { functions: [], deopts: [] };
  for (const f of files.sort()) {
    const log = mapV8CodeLog(fs.readFileSync(path.join(dir, f), "utf8"), positions);
    merged.functions.push(...log.functions);
    merged.deopts.push(...log.deopts);
  }
  return merged;
}

/** A traced function, its deoptimizations' positions in the source the user wrote. */
export interface MappedTracedFunction extends Omit<TracedFunction, "deopts"> {
  deopts: Array<{ kind: string; reason: string; at: OriginalPosition | null }>;
}

/** V8's JIT trace text (see jit-trace.ts), positions mapped to the source the user wrote. */
export function mapJitTrace(text: string, positions: OriginalPositions): MappedTracedFunction[] {
  return parseV8JitTrace(text).map((fn) => ({
    ...fn,
    file: fn.file.startsWith("file:") ? fileURLToPath(fn.file) : fn.file,
    deopts: fn.deopts.map((d) => ({ kind: d.kind, reason: d.reason, at: d.file === null ? null : positions.map(d.file, d.line, d.column) })),
  }));
}
