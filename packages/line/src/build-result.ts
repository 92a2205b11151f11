/**
 * From raw per-slot counts/times and V8's CPU profile to the LineProfileResult model. Runs in
 * tsprof's parent after the program ended (raw-result.ts; the profiled process saved the source maps
 * that V8's positions need), or in the profiled process's watchdog thread as a last resort; the
 * steps after mapping are pure and unit-tested.
 */
import type { FunctionLineProfile, FunctionSummaryRow, LineMode, LineProfileResult, LineRecord, SampledCpuProfile } from "@tsprof/core";
import type { CpuProfile, FileMeta, FunctionMeta } from "@tsprof/runner";
import { hitsOfSlots, lineHits } from "@tsprof/runner/child";
// Only the parts this file needs (the package index would load more, also into the worker).
import { mapCpuProfile } from "@tsprof/runner/source-map";
import { matchSampled, summariseProfile, type SampledFunction } from "./sampled-functions";
export { summariseProfile, originOf, matchSampled, type SampledFunction, type CodeOrigin } from "./sampled-functions";

export interface FileData {
  meta: FileMeta;
  /** First global slot of this file (hybrid shared arrays). */
  base: number;
  /** Per slot: starts (and, for entry slots, calls). */
  hits: Float64Array;
  /** Per slot: milliseconds. */
  timeMs: Float64Array;
  /** Hybrid: per slot, exceptions that left a straight-line run at this statement. */
  escapes?: Float64Array;
  calls: Float64Array;
}

export interface BuildHelpers {
  readSource(file: string): string[];
  /** Directories whose functions are tsprof's own, left out of the summary. */
  ownDirs: string[];
  /** The profiled process's source maps, saved with its profile (default: this process's own). */
  sourceMaps?: Record<string, object>;
}

/** How many hottest functions `--mode sample` shows tables for (user code; as many again for libraries). */
export const SAMPLE_TABLES = 8;

/**
 * @param shadowStack hybrid mode: the shadow line stack at the moment of building. A call statement
 *   still in progress there (process.exit() inside it, a snapshot, Ctrl-C) has not finished its run:
 *   the statements after it in that run are not counted as started.
 */
export function buildLineResult(
  result: LineProfileResult,
  files: FileData[],
  profile: CpuProfile | null,
  helpers: BuildHelpers,
  shadowStack: Int32Array | null = null,
): void {
  const mapped = profile ? mapCpuProfile(profile, { ownDirs: helpers.ownDirs, thread: "main", sourceMaps: helpers.sourceMaps }) : null;
  if (profile) result.measuredIntervalUs = measuredIntervalUs(profile);
  buildFromMapped(result, files, mapped, helpers, inProgressSlots(shadowStack));
  // The sampled call tree in original positions, for the exports (speedscope, pprof, .cpuprofile).
  // (Empty when there was no profile to stop: a snapshot, the watchdog's save, a sampler that failed.)
  result.profiles = mapped ? [mapped] : [];
}

/** The pure part: tables, sample tables and the summary from counts and a mapped profile. */
export function buildFromMapped(
  result: LineProfileResult,
  files: FileData[],
  mapped: SampledCpuProfile | null,
  helpers: Pick<BuildHelpers, "readSource">,
  inProgress: ReadonlySet<number> = new Set(),
): void {
  const sampled = mapped ? summariseProfile(mapped) : [];
  for (const f of files) result.functions.push(...fileTables(result.mode, f, sampled, helpers, inProgress, mapped !== null));
  if (result.mode === "sample") result.functions.push(...sampleTables(sampled, helpers));
  result.summary = summaryRows(result, files, sampled);
}

/** Global slots on the shadow stack: call statements still in progress. */
export function inProgressSlots(shadowStack: Int32Array | null): Set<number> {
  const out = new Set<number>();
  if (shadowStack) for (let d = 1; d <= Math.min(shadowStack[0], shadowStack.length - 1); d++) if (shadowStack[d] > 0) out.add(shadowStack[d]);
  return out;
}

/** The interval V8 really sampled at: the profile's span over its samples (µs), null without samples. */
export function measuredIntervalUs(profile: CpuProfile): number | null {
  const n = profile.samples.length;
  return n > 0 ? Math.round(((profile.endTime - profile.startTime) / n) * 10) / 10 : null;
}

/** Per slot, how often its statement started (hybrid: from run counters, escapes and the shadow stack). */
export function slotHits(mode: LineMode, f: FileData, inProgress: ReadonlySet<number>): ArrayLike<number> {
  if (mode !== "hybrid") return f.hits;
  const escapes = Float64Array.from(f.escapes ?? new Float64Array(f.meta.slots.length));
  for (let i = 0; i < f.meta.slots.length; i++) if (inProgress.has(f.base + i)) escapes[i]++;
  return hitsOfSlots(f.meta.slots, f.hits, escapes);
}

/** One table per instrumented function of a file. */
function fileTables(
  mode: LineMode,
  f: FileData,
  sampled: SampledFunction[],
  helpers: Pick<BuildHelpers, "readSource">,
  inProgress: ReadonlySet<number>,
  haveProfile: boolean,
): FunctionLineProfile[] {
  const source = helpers.readSource(f.meta.file);
  const hits = slotHits(mode, f, inProgress);
  // Hybrid counts calls in each function's entry slot.
  if (mode === "hybrid") f.meta.functions.forEach((fn, i) => (f.calls[i] = f.hits[fn.entrySlot]));
  return f.meta.functions.map((fn, index) => {
    const lineMs = new Map<number, number>();
    const callLines = new Set<number>();
    f.meta.slots.forEach((slot, i) => {
      if (slot.fn !== index) return;
      lineMs.set(slot.line, (lineMs.get(slot.line) ?? 0) + f.timeMs[i]);
      if (slot.call) callLines.add(slot.line);
    });
    const perLine = lineHits(f.meta.slots, hits, index, fn.entrySlot);
    const untimed = mode === "hybrid" ? hybridLineTimes(fn, f.meta.file, sampled, lineMs, callLines, perLine, haveProfile) : new Set<number>();
    const lines: LineRecord[] = [];
    let totalMs = 0;
    for (let line = fn.line; line <= fn.endLine; line++) {
      const ms = untimed.has(line) ? null : (lineMs.get(line) ?? 0);
      totalMs += ms ?? 0;
      // A line where no statement starts has no count (blank); one whose statements never ran has 0.
      const h = perLine.get(line);
      lines.push({ line, hits: h === undefined ? null : h, timeNs: ms === null ? null : Math.round(ms * 1e6), source: source[line - 1] ?? "" });
    }
    return { name: fn.name, file: f.meta.file, line: fn.line, calls: f.calls[index], totalNs: Math.round(totalMs * 1e6), lines };
  });
}

/**
 * Hybrid line times: lines that call out keep the shadow stack's wall time (callees included);
 * other lines take V8's line ticks (self time). Async functions and generators keep no shadow
 * stack, so V8's ticks give all their lines. Returns the lines left untimed (a run cut short before
 * V8 handed over its profile).
 */
function hybridLineTimes(
  fn: FunctionMeta,
  file: string,
  sampled: SampledFunction[],
  lineMs: Map<number, number>,
  callLines: Set<number>,
  perLine: Map<number, number>,
  haveProfile: boolean,
): Set<number> {
  const untimed = new Set<number>();
  const v8 = new Map<number, number>();
  for (const s of matchSampled(sampled, file, fn.line, fn.bodyLine, fn.name)) for (const [line, ms] of s.lineMs) v8.set(line, (v8.get(line) ?? 0) + ms);
  for (let line = fn.line; line <= fn.endLine; line++) {
    if (!fn.suspends && callLines.has(line)) continue;
    if (haveProfile) lineMs.set(line, v8.get(line) ?? 0);
    else if (perLine.get(line)) untimed.add(line);
  }
  return untimed;
}

/**
 * --mode sample: tables for the hottest functions from V8's line ticks, the user's own and those
 * of libraries (node_modules), whose source is on disk. Node's internals show in the summary only.
 */
function sampleTables(sampled: SampledFunction[], helpers: Pick<BuildHelpers, "readSource">): FunctionLineProfile[] {
  const hottest = (origin: "user" | "library") =>
    sampled
      .filter((s) => s.origin === origin && s.selfMs > 0)
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, SAMPLE_TABLES);
  return [...hottest("user"), ...hottest("library")]
    .sort((a, b) => b.selfMs - a.selfMs)
    .map((s) => {
      const source = helpers.readSource(s.file);
      // Ticks past the file's end (V8 can credit an inlined callee's position to its caller) have no line to show.
      const last = Math.max(s.line, ...[...s.lineMs.keys()].filter((l) => source.length === 0 || l <= source.length));
      const lines: LineRecord[] = [];
      for (let line = s.line; line <= last; line++) {
        lines.push({ line, hits: null, samples: s.lineTicks.get(line) ?? 0, timeNs: Math.round((s.lineMs.get(line) ?? 0) * 1e6), source: source[line - 1] ?? "" });
      }
      return { name: s.name, file: s.file, line: s.line, calls: null, totalNs: Math.round(s.selfMs * 1e6), lines };
    });
}

/** The cProfile-like summary: exact calls for profiled functions, sampled times for every function V8 saw. */
function summaryRows(result: LineProfileResult, files: FileData[], sampled: SampledFunction[]): FunctionSummaryRow[] {
  const rows: FunctionSummaryRow[] = [];
  const claimed = new Set<SampledFunction>();
  const metas = files.flatMap((f) => f.meta.functions.map((m) => ({ file: f.meta.file, m })));
  for (const fn of result.mode === "sample" ? [] : result.functions) {
    const meta = metas.find(({ file, m }) => file === fn.file && m.line === fn.line && m.name === fn.name);
    const matches = meta ? matchSampled(sampled, fn.file, meta.m.line, meta.m.bodyLine, meta.m.name) : [];
    matches.forEach((m) => claimed.add(m));
    const selfMs = matches.reduce((a, m) => a + m.selfMs, 0);
    const totalMs = matches.reduce((a, m) => Math.max(a, m.totalMs), 0);
    rows.push({
      name: fn.name,
      file: fn.file,
      line: fn.line,
      ncalls: fn.calls,
      tottimeNs: Math.round((matches.length ? selfMs : fn.totalNs / 1e6) * 1e6),
      cumtimeNs: Math.round((matches.length ? totalMs : fn.totalNs / 1e6) * 1e6),
    });
  }
  for (const s of sampled) {
    if (claimed.has(s)) continue;
    rows.push({ name: s.name, file: s.file, line: s.line, ncalls: null, tottimeNs: Math.round(s.selfMs * 1e6), cumtimeNs: Math.round(s.totalMs * 1e6) });
  }
  return rows.sort((a, b) => b.cumtimeNs - a.cumtimeNs || b.tottimeNs - a.tottimeNs);
}
