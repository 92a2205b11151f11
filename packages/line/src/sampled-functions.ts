/**
 * Per function, from V8's sampled call tree (already in original positions, tsprof's own frames
 * and compiler helpers left out: runner's map-profile): self and total time and self time per
 * line, with where the code comes from (the user's files, a package in node_modules, Node's
 * internals, the runtime), as DevTools, 0x and clinic show them. Pure: profile in, rows out.
 */
// Not @tsprof/core's index: the profiled process loads this module as it saves its result.
import { fileOfUrl, sampleDurationsUs } from "@tsprof/core/dist/sampled";
import type { SampledCpuProfile } from "@tsprof/core";

export type CodeOrigin = "user" | "library" | "node" | "runtime";

export interface SampledFunction {
  key: string;
  name: string;
  file: string;
  line: number;
  selfMs: number;
  totalMs: number;
  /** Self time per original line. */
  lineMs: Map<number, number>;
  lineTicks: Map<number, number>;
  origin: CodeOrigin;
}

/** Where a function's code comes from, by its file. */
export function originOf(file: string): CodeOrigin {
  if (file === "") return "runtime";
  if (file.startsWith("node:")) return "node";
  if (file.includes("/node_modules/")) return "library";
  return "user";
}

/** V8 pseudo-frames that are not code: the tree's root, idle time, time outside JavaScript. */
const NOT_CODE = new Set(["(root)", "(program)", "(idle)"]);

/**
 * Per function (by original file, line and name). Total time counts each sample once per function
 * even in recursion. Sample times are V8's own (the time until the next sample).
 */
export function summariseProfile(profile: SampledCpuProfile): SampledFunction[] {
  const byKey = new Map<string, SampledFunction>();
  const nodeFn = new Map<number, SampledFunction | null>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);

  for (const node of profile.nodes) {
    const cf = node.callFrame;
    if (NOT_CODE.has(cf.functionName) && cf.url === "") {
      nodeFn.set(node.id, null);
      continue;
    }
    const file = fileOfUrl(cf.url);
    const line = cf.lineNumber + 1;
    // The top level of a module has no name in V8: call it <module> as cProfile does.
    const name = cf.functionName || (cf.lineNumber === 0 && cf.columnNumber === 0 ? "<module>" : "<anonymous>");
    const key = `${file}:${line}:${cf.functionName}`;
    let fn = byKey.get(key);
    if (!fn) byKey.set(key, (fn = { key, name, file, line, selfMs: 0, totalMs: 0, lineMs: new Map(), lineTicks: new Map(), origin: originOf(file) }));
    nodeFn.set(node.id, fn);
    for (const tick of node.positionTicks ?? []) fn.lineTicks.set(tick.line, (fn.lineTicks.get(tick.line) ?? 0) + tick.ticks);
  }
  const durations = sampleDurationsUs(profile);
  profile.samples.forEach((id, i) => {
    const ms = durations[i] / 1000;
    const leaf = nodeFn.get(id);
    if (leaf) leaf.selfMs += ms;
    const seen = new Set<SampledFunction>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const fn = nodeFn.get(at);
      if (fn && !seen.has(fn)) {
        seen.add(fn);
        fn.totalMs += ms;
      }
    }
  });
  const out = [...byKey.values()].filter((f) => f.totalMs > 0 || f.selfMs > 0);
  // Line ticks and samples can disagree by a few (V8 counts them apart): share the sampled self
  // time out by ticks, so a function's lines add up to its self time.
  for (const f of out) {
    let ticks = 0;
    for (const t of f.lineTicks.values()) ticks += t;
    for (const [line, t] of f.lineTicks) f.lineMs.set(line, ticks > 0 ? (f.selfMs * t) / ticks : 0);
  }
  return out;
}

/**
 * Sampled functions of `file` that V8 places between a function's first line and its body's start.
 * Where several functions share those lines (minified code puts dozens on one line), only those
 * V8 names as the profiled function are its own; without a name in common, all of them are.
 */
export function matchSampled(sampled: SampledFunction[], file: string, firstLine: number, bodyLine: number, name?: string): SampledFunction[] {
  const inRange = sampled.filter((s) => s.file === file && s.line >= firstLine && s.line <= bodyLine);
  if (inRange.length < 2 || name === undefined) return inRange;
  const named = inRange.filter((s) => sameFunctionName(s.name, name));
  return named.length > 0 ? named : inRange;
}

/** V8 names a method `mul` where tsprof's table says `Complex.mul`, or the reverse. */
function sameFunctionName(v8Name: string, name: string): boolean {
  return v8Name === name || name.endsWith(`.${v8Name}`) || v8Name.endsWith(`.${name}`);
}
