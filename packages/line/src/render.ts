/**
 * Text rendering of a LineProfileResult in line_profiler's layout (`kernprof -l -v`), and the
 * cProfile-like function summary. Pure: result in, string out.
 */
import { relative, isAbsolute } from "node:path";
import { displaySourceLine, printableDeep, type FunctionJit, type FunctionLineProfile, type JitTier, type LineProfileResult } from "@tsprof/core";
import { originOf } from "./sampled-functions";

export interface RenderOptions {
  color: boolean;
  /** Hide functions never called (-z/--skip-zero). */
  skipZero: boolean;
  /** Timer unit in seconds; defaults to the result's. */
  unit?: number;
  /** Paths are shown relative to this folder when inside it. */
  cwd?: string;
  /** How many summary rows at most. */
  summaryRows?: number;
  /** Width of the output in characters: Line Contents is cut to fit (default: not cut). */
  width?: number;
  /** Show only the user's own functions: no libraries (node_modules), Node internals or runtime rows (--only-user). */
  onlyUser?: boolean;
}

const RESET = "\x1b[0m";
const paint = (on: boolean, code: string, text: string) => (on ? `\x1b[${code}m${text}${RESET}` : text);

export function displayPath(file: string, cwd = process.cwd()): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel.startsWith("..") ? file : rel;
}

/**
 * Where a function lives, as DevTools and 0x label it: a package's file by package
 * (`commander/lib/command.js`), Node's internals by their `node:` name, the user's files relative
 * to the working folder.
 */
export function siteLabel(file: string, cwd = process.cwd()): string {
  const at = file.lastIndexOf("/node_modules/");
  if (at >= 0) return file.slice(at + "/node_modules/".length);
  return displayPath(file, cwd);
}

/** Characters before Line Contents in a row: line_profiler's '%6s %9s %12s %8s %8s  '. */
const ROW_PREFIX = 6 + 1 + 9 + 1 + 12 + 1 + 8 + 1 + 8 + 2;

/** line_profiler's widths: '%6s %9s %12s %8s %8s  %s'. */
function row(line: string, hits: string, time: string, perHit: string, pct: string, contents: string): string {
  return `${line.padStart(6)} ${hits.padStart(9)} ${time.padStart(12)} ${perHit.padStart(8)} ${pct.padStart(8)}  ${contents}`;
}

/** What "Total time" of a function's table adds up, per mode (the summary's cumtime differs). */
function totalTimeMeaning(result: LineProfileResult): string {
  switch (result.mode) {
    case "hybrid":
      return "sum of the lines: wall time of lines that call, sampled self time of the rest";
    case "trace":
      return "sum of the lines: wall time between line events";
    case "sample":
      return "sampled self time";
  }
}

export function renderFunction(fn: FunctionLineProfile, result: LineProfileResult, options: RenderOptions): string {
  const unit = options.unit ?? result.timerUnit;
  const sampleMode = result.mode === "sample";
  const contentsWidth = Math.max(10, (options.width ?? Infinity) - ROW_PREFIX);
  const contents = (text: string) => displaySourceLine(text, contentsWidth);
  const out: string[] = [];
  out.push(`Total time: ${(fn.totalNs / 1e9).toFixed(6)} s (${totalTimeMeaning(result)})`);
  out.push(`File: ${siteLabel(fn.file, options.cwd)}`);
  if (hasWorkerThreads(result)) out.push(`Thread: ${fn.thread ?? "main"}`);
  out.push(`Function: ${fn.name} at line ${fn.line}${fn.calls !== null ? ` (${fn.calls} call${fn.calls === 1 ? "" : "s"})` : ""}`);
  out.push("");
  const header = row("Line #", sampleMode ? "Samples" : "Hits", "Time", sampleMode ? "Per Smp" : "Per Hit", "% Time", "Line Contents");
  out.push(paint(options.color, "1", header));
  out.push("=".repeat(header.length));
  for (const l of fn.lines) {
    const count = sampleMode ? (l.samples ?? 0) : l.hits;
    if ((count === null || count === 0) && !(l.timeNs && l.timeNs > 0)) {
      out.push(row(String(l.line), "", "", "", "", contents(l.source)));
      continue;
    }
    if (l.timeNs === null) {
      // Counted but not timed (the run was cut short): blank, not a measured 0.0.
      out.push(row(String(l.line), count === null ? "" : String(count), "", "", "", contents(l.source)));
      continue;
    }
    const time = l.timeNs / 1e9 / unit;
    const pct = fn.totalNs > 0 ? (100 * l.timeNs) / fn.totalNs : 0;
    const perHit = count ? time / count : 0;
    let pctText = pct.toFixed(1);
    if (pct >= 20) pctText = paint(options.color, "31;1", pctText.padStart(8));
    else if (pct >= 5) pctText = paint(options.color, "33", pctText.padStart(8));
    out.push(row(String(l.line), count === null ? "" : String(count), time.toFixed(1), count ? perHit.toFixed(1) : "", pctText, contents(l.source)));
  }
  if (fn.jit !== undefined) out.push("", ...renderJit(fn.jit, fn.file, options, fn.calls));
  return out.join("\n");
}

/** The program's worker threads were profiled: tables and rows say which thread they ran on. */
export function hasWorkerThreads(result: LineProfileResult): boolean {
  return result.functions.some((f) => f.thread !== undefined && f.thread !== "main") || result.summary.some((r) => r.thread !== undefined && r.thread !== "main");
}

const TIER_NAME: Record<JitTier, string> = { turbofan: "TurboFan", maglev: "Maglev", sparkplug: "Sparkplug", interpreter: "interpreter" };

/** The JIT lines under a function's table (--jit): its tiers, then each deoptimization's reason and original place. */
export function renderJit(jit: FunctionJit | null, file: string, options: Pick<RenderOptions, "cwd">, calls: number | null = null): string[] {
  if (jit === null && calls === 0) return ["JIT: not compiled (it did not run here)"];
  if (jit === null) return ["JIT: nothing recorded above the interpreter (V8's trace names functions: an anonymous one shows only through its deoptimizations)"];
  const optimized = jit.optimizations > 0 ? ` (optimized ${jit.optimizations}×)` : "";
  const end = jit.finalTier === jit.topTier ? "still there at the end" : `${TIER_NAME[jit.finalTier]} at the end`;
  const total = jit.deopts.reduce((n, d) => n + d.count, 0);
  const out = [`JIT: reached ${TIER_NAME[jit.topTier]}${optimized}, ${end}; ${total === 0 ? "no" : total} deoptimization${total === 1 ? "" : "s"}${total > 0 ? ":" : ""}`];
  for (const d of jit.deopts) {
    const where = d.file === "" ? "(no position)" : d.file === file ? `line ${d.line}:${d.column}` : `${siteLabel(d.file, options.cwd)}:${d.line}:${d.column}`;
    out.push(`  ${String(d.count).padStart(5)}× ${where}  ${d.reason} (${d.kind})`);
  }
  return out;
}

/** The summary's heading: what its columns measure, and the sampling interval asked for and measured. */
function summaryHeading(result: LineProfileResult): string {
  if (result.sampler === "none") {
    return "Function summary, ordered by cumulative time (tottime and cumtime from the line times above; ncalls exact)";
  }
  const measured = result.measuredIntervalUs ? `, measured mean ${formatMicros(result.measuredIntervalUs)} µs` : "";
  return (
    `Function summary, ordered by cumulative time (V8 CPU samples: tottime = self, cumtime = self + callees; ` +
    `sampled every ${result.samplingIntervalUs} µs requested${measured}; ncalls exact for profiled functions, - where only sampled)`
  );
}

function formatMicros(us: number): string {
  return us >= 100 ? String(Math.round(us)) : us.toFixed(1);
}

export function renderSummary(result: LineProfileResult, options: RenderOptions): string {
  const shown = options.onlyUser ? result.summary.filter((r) => originOf(r.file) === "user") : result.summary;
  const rows = shown.slice(0, options.summaryRows ?? 20);
  const threads = hasWorkerThreads(result);
  if (rows.length === 0) return "";
  const out: string[] = [];
  out.push(summaryHeading(result));
  out.push("");
  const head = `${"ncalls".padStart(9)} ${"tottime".padStart(9)} ${"percall".padStart(9)} ${"cumtime".padStart(9)} ${"percall".padStart(9)}  filename:lineno(function)`;
  out.push(paint(options.color, "1", head));
  for (const r of rows) {
    const tot = r.tottimeNs / 1e9;
    const cum = r.cumtimeNs / 1e9;
    const per = (v: number) => (r.ncalls ? (v / r.ncalls).toFixed(4) : "-");
    const site = r.file ? `${siteLabel(r.file, options.cwd)}:${r.line}(${r.name})` : r.name;
    const where = threads && r.thread && r.thread !== "main" ? `${site} [${r.thread}]` : site;
    out.push(`${(r.ncalls === null ? "-" : String(r.ncalls)).padStart(9)} ${tot.toFixed(4).padStart(9)} ${per(tot).padStart(9)} ${cum.toFixed(4).padStart(9)} ${per(cum).padStart(9)}  ${where}`);
  }
  return out.join("\n");
}

/** Hybrid: how often the shadow line stack was sampled, asked for and measured (older results: nothing). */
function stackSamplingText(result: LineProfileResult): string {
  const s = result.stackSampling;
  if (!s) return "";
  const measured = s.measuredUs ? `, measured mean ${formatMicros(s.measuredUs)} µs` : "";
  return ` every ${s.requestedUs} µs requested${measured}`;
}

/** The whole report: timer unit, one table per function, the summary, notes. */
export function renderLineProfile(untrusted: LineProfileResult, options: RenderOptions): string {
  // Source lines and function names come from the user's files: no escape sequence reaches the terminal.
  const result = printableDeep(untrusted);
  const unit = options.unit ?? result.timerUnit;
  const out: string[] = [];
  out.push(`Timer unit: ${formatUnit(unit)} s`);
  out.push(`Mode: ${modeDescription(result)}`);
  let functions = options.skipZero ? result.functions.filter((f) => (f.calls ?? 1) > 0 && f.totalNs >= 0 && (f.calls !== 0)) : result.functions;
  if (options.onlyUser) functions = functions.filter((f) => originOf(f.file) === "user");
  if (functions.length === 0) {
    out.push("");
    out.push(
      result.mode === "sample"
        ? "No function was sampled (the run may be too short for the sampling interval)."
        : "No function was profiled: mark one with @profile, profile(fn) or a /** @profile */ tag, or use --all / --module.",
    );
  }
  for (const fn of functions) {
    out.push("");
    out.push(renderFunction(fn, result, options));
  }
  const summary = renderSummary(result, options);
  if (summary) {
    out.push("");
    out.push(summary);
  }
  const notes = [...result.notes];
  if (result.functions.some((f) => f.lines.some((l) => l.timeNs === null))) {
    notes.push("times were cut short: V8's line ticks were not collected before the run ended, so only lines that call have a time; the others are blank");
  }
  if (notes.length > 0) {
    out.push("");
    for (const n of notes) out.push(`note: ${n}`);
  }
  return out.join("\n") + "\n";
}

function modeDescription(result: LineProfileResult): string {
  switch (result.mode) {
    case "hybrid":
      return `hybrid (exact hits; line time sampled from a shadow line stack${stackSamplingText(result)})`;
    case "trace":
      return "trace (exact hits; wall-clock time between line events)";
    case "sample":
      return `sample (V8 CPU sampler, ${result.sampler}; no instrumentation)`;
  }
}

/** 1e-06 like line_profiler prints it. */
export function formatUnit(unit: number): string {
  const exp = unit.toExponential();
  const m = /^(\d(?:\.\d+)?)e([+-])(\d+)$/.exec(exp);
  if (!m) return String(unit);
  return `${m[1]}e${m[2]}${m[3].padStart(2, "0")}`;
}
