/**
 * `tsprof line --jit`: what V8's JIT made of each profiled function, from V8's code log of the run
 * (--log-code --log-deopt), its positions mapped to the original source through the instrumented
 * compile's source maps (runner's mapV8CodeLog). Pure: the mapped log in, each function's `jit` out.
 */
import { resolve } from "node:path";
import { tierRank, type FunctionDeopt, type FunctionJit, type FunctionLineProfile } from "@tsprof/core";
import type { MappedCodeLog, MappedJitFunction, OriginalPosition } from "@tsprof/runner/source-map";

const samePosition = (a: OriginalPosition, b: OriginalPosition) => a.line === b.line && a.column === b.column && resolve(a.file) === resolve(b.file);

/**
 * The compiled function that is `fn`: the first one (by line, then column) that starts inside its
 * table's lines; a closure inside it starts later. null when V8 never compiled it.
 */
function codeOf(fn: FunctionLineProfile, log: MappedCodeLog): MappedJitFunction | null {
  const file = resolve(fn.file);
  const last = fn.line + Math.max(0, fn.lines.length - 1);
  let best: MappedJitFunction | null = null;
  for (const code of log.functions) {
    if (code.line < fn.line || code.line > last || resolve(code.file) !== file) continue;
    // A module's top level (its CommonJS wrapper) is not a function of the user's.
    if (code.name === "" && code.generatedLine <= 2) continue;
    if (!best || code.line < best.line || (code.line === best.line && code.column < best.column)) best = code;
  }
  return best;
}

/** Deoptimizations of the code that started at `code`, one entry per reason and place, most frequent first. */
function deoptsOf(code: MappedJitFunction, log: MappedCodeLog): FunctionDeopt[] {
  const byPlace = new Map<string, FunctionDeopt>();
  for (const d of log.deopts) {
    if (!d.owner || !samePosition(d.owner, code)) continue;
    const key = [d.kind, d.reason, d.file, d.line, d.column].join("\u0000");
    const found = byPlace.get(key);
    if (found) found.count++;
    else byPlace.set(key, { count: 1, kind: d.kind, reason: d.reason, file: d.file, line: d.line, column: d.column });
  }
  return [...byPlace.values()].sort((a, b) => b.count - a.count || a.line - b.line || a.column - b.column);
}

/** Each function's JIT state (null: never compiled), in place. */
export function attachJit(functions: FunctionLineProfile[], log: MappedCodeLog): void {
  for (const fn of functions) {
    const code = codeOf(fn, log);
    fn.jit = code ? jitOf(code, log) : null;
  }
}

/** The function's state over every thread that compiled it (each isolate logs its own code). */
function jitOf(code: MappedJitFunction, log: MappedCodeLog): FunctionJit {
  const copies = log.functions.filter((f) => samePosition(f, code));
  const highest = (tiers: MappedJitFunction["tier"][]) => tiers.reduce((a, b) => (tierRank(b) > tierRank(a) ? b : a));
  return {
    topTier: highest(copies.map((c) => c.tier)),
    finalTier: highest(copies.map((c) => c.finalTier)),
    optimizations: copies.reduce((n, c) => n + c.optimizations, 0),
    deopts: deoptsOf(code, log),
  };
}
