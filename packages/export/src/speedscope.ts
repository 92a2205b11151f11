/**
 * speedscope's file format (https://www.speedscope.app/file-format-schema.json): frames with the
 * original file, line and column; one sampled profile per thread for line results, weighted by
 * time (V8's "(idle)" samples, the thread waiting, left out); for mem results, one profile of the sampled allocations weighted by bytes.
 */
import { sampleDurationsUs, type SampledAllocationNode, type SampledCallFrame, type SampledCpuProfile } from "@tsprof/core";
import { allocationProfileOf, cpuProfilesOf, describe, displayName, frameFile, isPseudoFrame, requireKind, type ExportableResult } from "./common";

export const SPEEDSCOPE_SCHEMA = "https://www.speedscope.app/file-format-schema.json";

export interface SpeedscopeFrame {
  name: string;
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  col?: number;
}

export interface SpeedscopeSampledProfile {
  type: "sampled";
  name: string;
  unit: "microseconds" | "bytes";
  startValue: number;
  endValue: number;
  /** Per sample: frame indexes from the outermost to the innermost. */
  samples: number[][];
  weights: number[];
}

export interface SpeedscopeFile {
  $schema: typeof SPEEDSCOPE_SCHEMA;
  shared: { frames: SpeedscopeFrame[] };
  profiles: SpeedscopeSampledProfile[];
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

/** Frames shared by all profiles of the file, each once. */
class FrameTable {
  readonly frames: SpeedscopeFrame[] = [];
  private readonly index = new Map<string, number>();

  of(cf: SampledCallFrame): number {
    const key = `${cf.functionName}\u0000${cf.url}\u0000${cf.lineNumber}\u0000${cf.columnNumber}`;
    let i = this.index.get(key);
    if (i === undefined) {
      const frame: SpeedscopeFrame = { name: displayName(cf) };
      const file = frameFile(cf);
      if (file) frame.file = file;
      if (file && cf.lineNumber >= 0) {
        frame.line = cf.lineNumber + 1;
        frame.col = cf.columnNumber + 1;
      }
      i = this.frames.length;
      this.frames.push(frame);
      this.index.set(key, i);
    }
    return i;
  }
}

/** speedscope's document for a line result (time) or a mem result (allocated bytes). */
export function toSpeedscope(result: ExportableResult): SpeedscopeFile {
  requireKind(result, ["line", "mem"], "speedscope");
  const table = new FrameTable();
  const profiles =
    result.kind === "line"
      ? cpuProfilesOf(result, "speedscope").map((p) => cpuSpeedscope(p, table))
      : [allocationSpeedscope(allocationProfileOf(result, "speedscope"), table)];
  return {
    $schema: SPEEDSCOPE_SCHEMA,
    shared: { frames: table.frames },
    profiles,
    name: describe(result),
    activeProfileIndex: 0,
    exporter: "tsprof",
  };
}

/**
 * One thread's samples in time order, "(idle)" left out; runs of the same stack are merged
 * (speedscope draws them alike).
 */
function cpuSpeedscope(profile: SampledCpuProfile, table: FrameTable): SpeedscopeSampledProfile {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const stacks = new Map<number, number[]>();
  const stackOf = (id: number): number[] => {
    let stack = stacks.get(id);
    if (stack) return stack;
    const frames: number[] = [];
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const cf = byId.get(n)?.callFrame;
      if (cf && !(isPseudoFrame(cf) && cf.functionName === "(root)")) frames.push(table.of(cf));
    }
    stacks.set(id, (stack = frames.reverse()));
    return stack;
  };
  const durations = sampleDurationsUs(profile);
  const samples: number[][] = [];
  const weights: number[] = [];
  let previous = -1;
  const idle = new Set(profile.nodes.filter((n) => isPseudoFrame(n.callFrame) && n.callFrame.functionName === "(idle)").map((n) => n.id));
  profile.samples.forEach((id, i) => {
    // The thread waiting (V8's "(idle)") is not the program's time: left out, as in pprof.
    if (idle.has(id)) return;
    if (id === previous) weights[weights.length - 1] += durations[i];
    else {
      samples.push(stackOf(id));
      weights.push(durations[i]);
    }
    previous = id;
  });
  const total = weights.reduce((a, w) => a + w, 0);
  return { type: "sampled", name: `CPU, ${profile.thread} thread`, unit: "microseconds", startValue: 0, endValue: total, samples, weights };
}

/** Every node that allocated, weighted by its sampled bytes, with its call stack. */
function allocationSpeedscope(profile: { thread: string; head: SampledAllocationNode }, table: FrameTable): SpeedscopeSampledProfile {
  const samples: number[][] = [];
  const weights: number[] = [];
  const walk = (node: SampledAllocationNode, stack: number[]): void => {
    if (node.selfSize > 0) {
      samples.push(stack);
      weights.push(node.selfSize);
    }
    for (const child of node.children) walk(child, [...stack, table.of(child.callFrame)]);
  };
  walk(profile.head, []);
  const total = weights.reduce((a, w) => a + w, 0);
  return { type: "sampled", name: `Allocations (sampled), ${profile.thread} thread`, unit: "bytes", startValue: 0, endValue: total, samples, weights };
}
