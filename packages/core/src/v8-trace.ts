/**
 * Parser of V8's JIT traces (`node --trace-opt --trace-baseline --trace-deopt-verbose
 * --trace-file-names`, sent to a file with --redirect-code-traces-to): which tier each function's
 * code reached, where it was at the end, and every deoptimization with its reason and position, in
 * the JavaScript V8 ran (map them through source maps afterwards). Pure: text in, model out.
 *
 * Why traces and not the code log (v8-log.ts): V8 turns its code log off while the CPU profiler
 * runs (CpuProfiler::StartProcessorIfNotStarted sets the logger's is_logging to false), and
 * `tsprof line` samples with it the whole run. Traces are written however the profiler is set.
 *
 * Reference: V8's src/codegen/compiler.cc (trace-opt), src/baseline/baseline.cc (trace-baseline),
 * src/deoptimizer/deoptimizer.cc (TraceDeoptBegin). The lines read (Node 20's V8 11.3, and Node
 * 22-24's, which name TurboFan TURBOFAN_JS, trace Maglev's code only as compiled, and Sparkplug's
 * concurrent compiles as installed):
 *   [completed compiling 0x.. <JSFunction f <file> (sfi = 0x..)> (target TURBOFAN) - took ...]   (or MAGLEV, "OSR")
 *   [compiling method 0x.. <SharedFunctionInfo f> (target BASELINE)]                       (the address is the SFI)
 *   [Concurrent Sparkplug Off Thread] Function 0x.. <SharedFunctionInfo f> installed
 *   [bailout (kind: deopt-eager, reason: wrong map): begin. deoptimizing 0x.. <JSFunction f <file> (sfi = 0x..)>, ...
 *               ;;; deoptimize at <file:line:column>                                       (--trace-deopt-verbose)
 */
import type { JitTier } from "./study";

export interface TracedDeopt {
  kind: string;
  reason: string;
  /** The failed check's position in the JavaScript V8 ran (1-based); null when the trace had none. */
  file: string | null;
  line: number;
  column: number;
}

export interface TracedFunction {
  /** V8's name for it ("" when anonymous; a method's name without its class). */
  name: string;
  /** Its script, as V8 names it (a path or a file: URL); "" for a function only Sparkplug compiled (that trace names no script). */
  file: string;
  /** The SharedFunctionInfo's address: one function of one thread. */
  sfi: string;
  /** The highest tier its code reached. */
  topTier: JitTier;
  /** Its tier after the last event of the trace (a deoptimization sends it back to Sparkplug or the interpreter). */
  finalTier: JitTier;
  /** Optimized code (TurboFan or Maglev) compiled for it, on-stack replacement included. */
  optimizations: number;
  deopts: TracedDeopt[];
}

const RANK: Record<JitTier, number> = { interpreter: 0, sparkplug: 1, maglev: 2, turbofan: 3 };
const JS_FUNCTION = /<JSFunction (.*?)(?: <([^<>]*)>)? \(sfi = (0x[0-9a-fA-F]+)\)>/;
const OPTIMIZED = /^\[completed compiling .*\(target (TURBOFAN|TURBOFAN_JS|MAGLEV)\)/;
const BASELINE = /^\[(?:compiling method|Concurrent Sparkplug Off Thread\] Function) (0x[0-9a-fA-F]+) <SharedFunctionInfo (.*?)>(?: \(target BASELINE\)| installed)/;
const BAILOUT = /^\[bailout \(kind: ([^,]+), reason: (.*?)\): begin/;
const DEOPT_AT = /^\s*;;; deoptimize at <(.+):(\d+):(\d+)>/;

interface State {
  fn: TracedFunction;
  baseline: boolean;
}

export function parseV8JitTrace(text: string): TracedFunction[] {
  const bySfi = new Map<string, State>();
  /** Baseline compilations name no script: kept until the function's first named event. */
  const baselineOnly = new Set<string>();
  const baselineNames = new Map<string, string>();
  const stateOf = (name: string, file: string, sfi: string): State => {
    let state = bySfi.get(sfi);
    if (!state) {
      const baseline = baselineOnly.delete(sfi);
      const tier: JitTier = baseline ? "sparkplug" : "interpreter";
      state = { fn: { name, file, sfi, topTier: tier, finalTier: tier, optimizations: 0, deopts: [] }, baseline };
      bySfi.set(sfi, state);
    }
    return state;
  };
  let pendingDeopt: TracedDeopt | null = null;
  for (const line of text.split("\n")) {
    const at = pendingDeopt ? DEOPT_AT.exec(line) : null;
    if (at && pendingDeopt) {
      Object.assign(pendingDeopt, { file: at[1], line: Number(at[2]), column: Number(at[3]) });
      pendingDeopt = null;
      continue;
    }
    if (!line.startsWith("[")) continue;
    pendingDeopt = null;
    const baseline = BASELINE.exec(line);
    if (baseline) {
      const state = bySfi.get(baseline[1]);
      if (!state) {
        baselineOnly.add(baseline[1]);
        baselineNames.set(baseline[1], baseline[2]);
      }
      else {
        state.baseline = true;
        raise(state.fn, "sparkplug");
        if (state.fn.finalTier === "interpreter") state.fn.finalTier = "sparkplug";
      }
      continue;
    }
    const fnMatch = JS_FUNCTION.exec(line);
    if (!fnMatch || fnMatch[2] === undefined) continue;
    const state = stateOf(fnMatch[1], fnMatch[2], fnMatch[3]);
    const optimized = OPTIMIZED.exec(line);
    if (optimized) {
      const tier: JitTier = optimized[1] === "MAGLEV" ? "maglev" : "turbofan";
      raise(state.fn, tier);
      state.fn.finalTier = tier;
      state.fn.optimizations++;
      continue;
    }
    const bailout = BAILOUT.exec(line);
    if (bailout) {
      pendingDeopt = { kind: bailout[1], reason: bailout[2], file: null, line: 0, column: 0 };
      state.fn.deopts.push(pendingDeopt);
      state.fn.finalTier = state.baseline ? "sparkplug" : "interpreter";
    }
  }
  const baselineNamed = [...baselineNames].filter(([sfi]) => baselineOnly.has(sfi));
  const onlyBaseline = baselineNamed.map(([sfi, name]): TracedFunction => ({ name, file: "", sfi, topTier: "sparkplug", finalTier: "sparkplug", optimizations: 0, deopts: [] }));
  return [...[...bySfi.values()].map((s) => s.fn), ...onlyBaseline];
}

function raise(fn: TracedFunction, tier: JitTier): void {
  if (RANK[tier] > RANK[fn.topTier]) fn.topTier = tier;
}
