/**
 * `tsprof line --jit`: what V8's JIT made of each profiled function, from V8's JIT trace of the run
 * (core's v8-trace.ts), deoptimization positions mapped to the original source through the
 * instrumented compile's source maps (runner's readJitTrace). Pure: the mapped trace in, each
 * function's `jit` out.
 *
 * The trace names a function by V8's name and script, not by position: a traced function is the
 * profiled function of its file with that name (a method's name without its class); an anonymous
 * one, or one whose name several functions share, is the function its own deoptimizations are in.
 * A function only Sparkplug compiled is named without its script: matched where its name is unique.
 */
import { resolve } from "node:path";
import { tierRank, type FunctionDeopt, type FunctionJit, type FunctionLineProfile, type JitTier } from "@tsprof/core";
import type { MappedTracedFunction } from "@tsprof/runner/source-map";

const lastLine = (fn: FunctionLineProfile) => fn.line + Math.max(0, fn.lines.length - 1);

/** V8 names a method without its class, and a class's constructor by the class. */
function sameName(profiled: string, traced: string): boolean {
  return traced !== "" && (profiled === traced || profiled.endsWith(`.${traced}`) || profiled === `${traced}.constructor`);
}

/** The source function a profiled entry is (a function that ran on several threads has one entry per thread). */
const placeOf = (f: FunctionLineProfile) => `${resolve(f.file)}:${f.line}`;

/** The profiled function a traced one is (its entries, one per thread), or none where the trace cannot tell. */
function profiledOf(traced: MappedTracedFunction, functions: FunctionLineProfile[]): FunctionLineProfile[] {
  const one = (candidates: FunctionLineProfile[]) => (new Set(candidates.map(placeOf)).size === 1 ? candidates : null);
  // Only Sparkplug compiled it: that trace names no script, so the name alone must tell.
  if (traced.file === "") return one(functions.filter((f) => sameName(f.name, traced.name))) ?? [];
  const file = resolve(traced.file);
  const inFile = functions.filter((f) => resolve(f.file) === file);
  const named = inFile.filter((f) => sameName(f.name, traced.name));
  const byName = one(named);
  if (byName) return byName;
  // By where its own deoptimizations are (the innermost function holding them).
  const pool = named.length > 1 ? named : traced.name === "" ? inFile : [];
  const holding = pool.filter((f) => traced.deopts.some((d) => d.at && resolve(d.at.file) === file && d.at.line >= f.line && d.at.line <= lastLine(f)));
  holding.sort((a, b) => lastLine(a) - a.line - (lastLine(b) - b.line));
  return holding.length > 0 ? holding.filter((f) => placeOf(f) === placeOf(holding[0])) : [];
}

function highest(a: JitTier, b: JitTier): JitTier {
  return tierRank(b) > tierRank(a) ? b : a;
}

/** Deoptimizations, one entry per reason and place, most frequent first. */
function groupDeopts(traced: MappedTracedFunction[]): FunctionDeopt[] {
  const byPlace = new Map<string, FunctionDeopt>();
  for (const d of traced.flatMap((t) => t.deopts)) {
    const at = d.at ?? { file: "", line: 0, column: 0 };
    const key = [d.kind, d.reason, at.file, at.line, at.column].join("\u0000");
    const found = byPlace.get(key);
    if (found) found.count++;
    else byPlace.set(key, { count: 1, kind: d.kind, reason: d.reason, ...at });
  }
  return [...byPlace.values()].sort((a, b) => b.count - a.count || a.line - b.line || a.column - b.column);
}

/**
 * Each function's JIT state, in place: merged over every thread that ran it (each has its own
 * code, and V8's trace does not say which thread): a function that ran on several threads has the
 * same state in each thread's table. A function the trace never names ran in the interpreter only,
 * or did not run: `null`.
 */
export function attachJit(functions: FunctionLineProfile[], trace: MappedTracedFunction[]): void {
  const tracedOf = new Map<FunctionLineProfile, MappedTracedFunction[]>();
  for (const traced of trace) {
    for (const fn of profiledOf(traced, functions)) tracedOf.set(fn, [...(tracedOf.get(fn) ?? []), traced]);
  }
  for (const fn of functions) {
    const traced = tracedOf.get(fn);
    // Its table of a thread it never ran on: no code there.
    fn.jit = traced && fn.calls !== 0 ? jitOf(traced) : null;
  }
}

function jitOf(traced: MappedTracedFunction[]): FunctionJit {
  return {
    topTier: traced.map((t) => t.topTier).reduce(highest),
    finalTier: traced.map((t) => t.finalTier).reduce(highest),
    optimizations: traced.reduce((n, t) => n + t.optimizations, 0),
    deopts: groupDeopts(traced),
  };
}
