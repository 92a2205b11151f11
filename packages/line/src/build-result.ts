/**
 * From raw per-slot counts/times and V8's CPU profile to the LineProfileResult model. Runs in the
 * profiled process at exit (it needs the process's source maps to read V8's positions).
 */
import type { FunctionLineProfile, FunctionSummaryRow, LineProfileResult, LineRecord } from "@tsprof/core";
import type { CpuProfile, FileMeta } from "@tsprof/runner";
import { hitsOfSlots } from "@tsprof/runner/child";
// Only the parts this file needs (the package index would load more, also into the worker).
import { SourceLineMapper, mapCpuProfile } from "@tsprof/runner/source-map";

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
}

/** How many hottest functions `--mode sample` shows tables for. */
export const SAMPLE_TABLES = 8;

interface SampledFunction {
  key: string;
  name: string;
  file: string;
  line: number;
  selfMs: number;
  totalMs: number;
  /** Self time per original line. */
  lineMs: Map<number, number>;
  lineTicks: Map<number, number>;
  user: boolean;
}

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
  const sampled = profile ? summariseProfile(profile, helpers) : [];
  if (profile) result.measuredIntervalUs = measuredIntervalUs(profile);
  const isUser = (file: string) => !helpers.ownDirs.some((d) => file.startsWith(d)) && file.startsWith("/");
  const inProgress = new Set<number>();
  if (shadowStack) for (let d = 1; d <= Math.min(shadowStack[0], shadowStack.length - 1); d++) if (shadowStack[d] > 0) inProgress.add(shadowStack[d]);

  // Tables for the instrumented functions.
  for (const f of files) {
    const source = helpers.readSource(f.meta.file);
    let slotHits: ArrayLike<number> = f.hits;
    if (result.mode === "hybrid") {
      const escapes = Float64Array.from(f.escapes ?? new Float64Array(f.meta.slots.length));
      for (let i = 0; i < f.meta.slots.length; i++) if (inProgress.has(f.base + i)) escapes[i]++;
      slotHits = hitsOfSlots(f.meta.slots, f.hits, escapes);
      // Hybrid counts calls in each function's entry slot.
      f.meta.functions.forEach((fn, i) => (f.calls[i] = f.hits[fn.entrySlot]));
    }
    f.meta.functions.forEach((fn, index) => {
      const lineHits = new Map<number, number>();
      const lineMs = new Map<number, number>();
      const callLines = new Set<number>();
      const entrySlots = new Set(f.meta.functions.map((g) => g.entrySlot));
      f.meta.slots.forEach((slot, i) => {
        if (slot.fn !== index) return;
        if (!entrySlots.has(i)) lineHits.set(slot.line, (lineHits.get(slot.line) ?? 0) + slotHits[i]);
        lineMs.set(slot.line, (lineMs.get(slot.line) ?? 0) + f.timeMs[i]);
        if (slot.call) callLines.add(slot.line);
      });
      // Hybrid run cut short before V8 handed over its profile: lines that do not call have no time.
      const untimed = new Set<number>();
      if (result.mode === "hybrid") {
        // Lines that call out: the shadow stack's wall time (callees included). Other lines: V8's
        // line ticks (self time); async functions and generators keep no shadow stack, so V8's
        // ticks give all their lines.
        const v8 = new Map<number, number>();
        for (const s of matchSampled(sampled, f.meta.file, fn.line, fn.bodyLine)) for (const [line, ms] of s.lineMs) v8.set(line, (v8.get(line) ?? 0) + ms);
        for (let line = fn.line; line <= fn.endLine; line++) {
          if (!fn.suspends && callLines.has(line)) continue;
          if (profile) lineMs.set(line, v8.get(line) ?? 0);
          else if (lineHits.get(line)) untimed.add(line);
        }
      }
      const lines: LineRecord[] = [];
      let totalMs = 0;
      for (let line = fn.line; line <= fn.endLine; line++) {
        const ms = untimed.has(line) ? null : (lineMs.get(line) ?? 0);
        totalMs += ms ?? 0;
        // A line no statement started on shows blank, as in line_profiler.
        lines.push({ line, hits: lineHits.get(line) || null, timeNs: ms === null ? null : Math.round(ms * 1e6), source: source[line - 1] ?? "" });
      }
      const profileFn: FunctionLineProfile = {
        name: fn.name,
        file: f.meta.file,
        line: fn.line,
        calls: f.calls[index],
        totalNs: Math.round(totalMs * 1e6),
        lines,
      };
      result.functions.push(profileFn);
    });
  }

  // --mode sample: tables for the hottest user functions, from V8's line ticks.
  if (result.mode === "sample") {
    const hottest = sampled.filter((s) => s.user && isUser(s.file) && s.selfMs > 0).sort((a, b) => b.selfMs - a.selfMs).slice(0, SAMPLE_TABLES);
    for (const s of hottest) {
      const source = helpers.readSource(s.file);
      const tickLines = [...s.lineMs.keys()];
      const last = Math.max(s.line, ...tickLines);
      const lines: LineRecord[] = [];
      for (let line = s.line; line <= last; line++) {
        lines.push({ line, hits: null, samples: s.lineTicks.get(line) ?? 0, timeNs: Math.round((s.lineMs.get(line) ?? 0) * 1e6), source: source[line - 1] ?? "" });
      }
      result.functions.push({ name: s.name, file: s.file, line: s.line, calls: null, totalNs: Math.round(s.selfMs * 1e6), lines });
    }
  }

  // The cProfile-like summary: exact calls for profiled functions, sampled times for all.
  const rows: FunctionSummaryRow[] = [];
  const claimed = new Set<SampledFunction>();
  for (const fn of result.functions) {
    if (result.mode === "sample") continue;
    const meta = files.flatMap((f) => f.meta.functions.map((m) => ({ f, m }))).find(({ f, m }) => f.meta.file === fn.file && m.line === fn.line && m.name === fn.name);
    const matches = meta ? matchSampled(sampled, fn.file, meta.m.line, meta.m.bodyLine) : [];
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
    if (claimed.has(s) || !s.user) continue;
    rows.push({ name: s.name, file: s.file, line: s.line, ncalls: null, tottimeNs: Math.round(s.selfMs * 1e6), cumtimeNs: Math.round(s.totalMs * 1e6) });
  }
  rows.sort((a, b) => b.cumtimeNs - a.cumtimeNs || b.tottimeNs - a.tottimeNs);
  result.summary = rows;
  // The sampled call tree in original positions, for the exports (speedscope, pprof, .cpuprofile).
  // (Empty when there was no profile to stop: a snapshot, the watchdog's save, a sampler that failed.)
  result.profiles = profile ? [mapCpuProfile(profile, { ownDirs: helpers.ownDirs, thread: "main" })] : [];
}

/** The interval V8 really sampled at: the profile's span over its samples (µs), null without samples. */
export function measuredIntervalUs(profile: CpuProfile): number | null {
  const n = profile.samples.length;
  return n > 0 ? Math.round(((profile.endTime - profile.startTime) / n) * 10) / 10 : null;
}

/** Sampled functions of `file` that V8 places between a function's first line and its body's start. */
function matchSampled(sampled: SampledFunction[], file: string, firstLine: number, bodyLine: number): SampledFunction[] {
  return sampled.filter((s) => s.file === file && s.line >= firstLine && s.line <= bodyLine);
}

/**
 * Per function (by original file, line and name): self and total time, and self time per line.
 * Total time counts each sample once per function even in recursion.
 */
export function summariseProfile(profile: CpuProfile, helpers: BuildHelpers): SampledFunction[] {
  const mapper = new SourceLineMapper();
  const byKey = new Map<string, SampledFunction>();
  const nodeFn = new Map<number, SampledFunction | null>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const sampleCount = profile.samples.length;
  const msPerSample = sampleCount > 0 ? (profile.endTime - profile.startTime) / 1000 / sampleCount : 0;

  for (const node of profile.nodes) {
    const cf = node.callFrame;
    if (!cf.url || cf.functionName === "(root)" || cf.functionName === "(program)" || cf.functionName === "(idle)") {
      nodeFn.set(node.id, cf.functionName === "(garbage collector)" ? getOrAdd("(garbage collector)", "", 0, "(garbage collector)", true) : null);
      continue;
    }
    if (cf.url.startsWith("node:")) {
      // Node's internals: counted in the time of the user functions that call them, not listed.
      nodeFn.set(node.id, getOrAdd(`${cf.url}:${cf.lineNumber}:${cf.functionName}`, cf.url, cf.lineNumber + 1, cf.functionName || "<anonymous>", false));
      continue;
    }
    const pos = mapper.map(cf.url, cf.lineNumber + 1, cf.columnNumber);
    const file = pos?.file ?? cf.url;
    const line = pos?.line ?? cf.lineNumber + 1;
    const own = helpers.ownDirs.some((d) => file.startsWith(d));
    // The top level of a module has no name in V8: call it <module> as cProfile does.
    const name = cf.functionName || (cf.lineNumber === 0 ? "<module>" : "<anonymous>");
    const fn = getOrAdd(`${file}:${line}:${cf.functionName}`, file, line, name, !own && !file.includes("/node_modules/"));
    nodeFn.set(node.id, fn);
    for (const tick of node.positionTicks ?? []) {
      const at = mapper.map(cf.url, tick.line, 0);
      const l = at && at.file === file ? at.line : line;
      fn.lineMs.set(l, (fn.lineMs.get(l) ?? 0) + tick.ticks * msPerSample);
      fn.lineTicks.set(l, (fn.lineTicks.get(l) ?? 0) + tick.ticks);
    }
  }
  // Self and total time from the samples (each sample's stack is its node's ancestors).
  for (const id of profile.samples) {
    const leaf = nodeFn.get(id);
    if (leaf) leaf.selfMs += msPerSample;
    const seen = new Set<SampledFunction>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const fn = nodeFn.get(n);
      if (fn && !seen.has(fn)) {
        seen.add(fn);
        fn.totalMs += msPerSample;
      }
    }
  }
  // Ticks recorded on nodes but samples not kept (should not happen): fall back to line ticks.
  return [...byKey.values()].filter((f) => f.totalMs > 0 || f.selfMs > 0);

  function getOrAdd(key: string, file: string, line: number, name: string, user: boolean): SampledFunction {
    let fn = byKey.get(key);
    if (!fn) {
      fn = { key, name, file, line, selfMs: 0, totalMs: 0, lineMs: new Map(), lineTicks: new Map(), user };
      byKey.set(key, fn);
    }
    return fn;
  }
}
