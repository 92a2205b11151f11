/**
 * V8's sampled profiles, in the positions of the user's original source.
 *
 * V8 reports the JavaScript it ran: the output of esbuild (and of our instrumenter), where a
 * function at line 26 of the .ts sits at line 20 and line ticks fall past the end of the .ts.
 * These functions rewrite every position (function start, line ticks, url) through the source map
 * our loader inlined, and leave out two kinds of frames that are not the user's program:
 * - tsprof's own code (and what only it calls): its samples are folded into the nearest frame kept
 *   above it, so every sample still counts; where none of the program's code is above it (tsprof
 *   waiting for its sampler thread from a Node event, say), into one "(tsprof)" pseudo-frame
 *   under the root instead, as V8 names its "(garbage collector)", so Node's internals are not
 *   charged with tsprof's time; for allocations, its bytes are left out, as the mem table leaves
 *   them out;
 * - compiler helpers esbuild generates (`__decorateElement`, `__toCommonJS`): positions that no
 *   source line maps to. Their samples go to their caller; their callees stay.
 * Sibling frames that become identical once mapped (or once a frame between them is gone) merge.
 *
 * Needs the profiled process's source maps: read there (node:module findSourceMap), or saved by it
 * at its end (child-helpers' profileSourceMaps) for tsprof's parent, which maps the line profiler's
 * CPU profile after the program has ended (off the program's critical path).
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import type { SampledAllocationNode, SampledAllocationProfile, SampledCallFrame, SampledCpuNode, SampledCpuProfile } from "@tsprof/core";
import type { CpuProfile } from "./sampler";
import { SourceLineMapper, type SavedSourceMaps } from "./source-lines";

export interface MapProfileOptions {
  /** Directories of tsprof's own code (with a trailing slash). */
  ownDirs: string[];
  /** The thread the profile was taken on. */
  thread: string;
  /** The profiled process's source maps, saved at its end (mapping in tsprof's parent); default: this process's. */
  sourceMaps?: SavedSourceMaps;
}

interface RawFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** What becomes of one V8 frame: a frame in original positions, or dropped (own code, helper). */
type FrameFate = { keep: SampledCallFrame; own: boolean } | { keep: null; own: boolean };

/** Classifies and maps frames; one per profile (it caches the source maps it reads). */
class FrameMapper {
  private readonly lines: SourceLineMapper;
  constructor(
    private readonly ownDirs: string[],
    sourceMaps: SavedSourceMaps | null = null,
  ) {
    this.lines = new SourceLineMapper(sourceMaps);
  }

  fileOf(url: string): string {
    return url.startsWith("file:") ? fileURLToPath(url) : url;
  }

  isOwn(url: string): boolean {
    const file = this.fileOf(url);
    return file !== "" && this.ownDirs.some((d) => file.startsWith(d));
  }

  /** A script of the user's (not tsprof's, not Node's, not a package's): ownership stops there. */
  isUserScript(url: string): boolean {
    const file = this.fileOf(url);
    return file.startsWith("/") && !file.includes("/node_modules/") && !this.isOwn(url);
  }

  /** @param insideOwn the nearest frame above is tsprof's (so Node internals here are tsprof's). */
  fate(cf: RawFrame, insideOwn: boolean): FrameFate {
    if (this.isOwn(cf.url)) return { keep: null, own: true };
    if (insideOwn && !this.isUserScript(cf.url)) return { keep: null, own: true };
    if (!cf.url || cf.url.startsWith("node:") || cf.lineNumber < 0 || !this.lines.hasSourceMap(cf.url)) {
      return { keep: { functionName: cf.functionName, url: cf.url, lineNumber: cf.lineNumber, columnNumber: cf.columnNumber }, own: false };
    }
    // A module's top level starts at 0:0 of the generated text, which esbuild may not map.
    const topLevel = cf.functionName === "" && cf.lineNumber === 0 && cf.columnNumber === 0;
    const at = this.lines.map(cf.url, cf.lineNumber + 1, cf.columnNumber, true);
    if (!at) {
      if (topLevel) return { keep: { ...cf, url: this.urlOf(cf.url, this.fileOf(cf.url)) }, own: false };
      return { keep: null, own: false };
    }
    return {
      keep: { functionName: cf.functionName, url: this.urlOf(cf.url, at.file), lineNumber: topLevel ? 0 : at.line - 1, columnNumber: topLevel ? 0 : at.column },
      own: false,
    };
  }

  /** A 1-based generated line of `url` as a 1-based line of `frame`'s file (the frame's line if elsewhere). */
  tickLine(url: string, line: number, frame: SampledCallFrame): number {
    if (!this.lines.hasSourceMap(url)) return line;
    const at = this.lines.map(url, line, 0);
    return at && this.urlOf(url, at.file) === frame.url ? at.line : frame.lineNumber + 1;
  }

  /** The original file named the way V8 named the generated one (file: URL or path). */
  private urlOf(generatedUrl: string, file: string): string {
    return generatedUrl.startsWith("file:") && file.startsWith("/") ? pathToFileURL(file).href : file;
  }
}

/**
 * Node's Module._compile running a module's top level whose script V8 no longer names (collected
 * by the end, so no url). tsprof's require hook calls Module._compile for the user's files, so
 * such a module under tsprof's frames is taken as the user's: tsprof's own modules and its
 * dependencies keep their urls (their code stays loaded), and are told apart by them.
 */
function runsUnknownModule(parent: RawFrame, child: RawFrame | undefined): boolean {
  return parent.functionName === "Module._compile" && parent.url.startsWith("node:internal/modules/") && child?.url === "";
}

/**
 * tsprof's CommonJS require hook (runner's register.js) handing a module to Node's own loader: the
 * program required it (the hook was not called from tsprof's code), so the module it loads is the
 * program's, as it would be without tsprof (a package's top level, not Node's Module.load).
 */
function handsModuleToNode(parent: RawFrame, parentInsideOwn: boolean, child: RawFrame | undefined): boolean {
  return !parentInsideOwn && /[\\/]runner[\\/]dist[\\/]register\.js$/.test(parent.url) && !!child?.url.startsWith("node:internal/modules/");
}

/**
 * A collector's registerFile: called by the first line of each instrumented file, it sets up that
 * file's counters and, the first time, waits for tsprof's sampler thread to start (up to seconds on
 * a busy machine): tsprof's time, not the module's top level.
 */
const isSetUp = (cf: RawFrame): boolean => cf.functionName === "registerFile";

/** A frame of the program's code (the user's or a package's), not Node's internals or V8's pseudo-frames. */
const isProgramCode = (url: string): boolean => url !== "" && !url.startsWith("node:");

const frameKey = (cf: SampledCallFrame) => `${cf.functionName}\u0000${cf.url}\u0000${cf.lineNumber}\u0000${cf.columnNumber}`;

/** The CPU sampler's profile in original positions, without tsprof's frames or compiler helpers. */
export function mapCpuProfile(profile: CpuProfile, options: MapProfileOptions): SampledCpuProfile {
  const frames = new FrameMapper(options.ownDirs, options.sourceMaps ?? null);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const isChild = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  const nodes: SampledCpuNode[] = [];
  const ticks: Array<Map<number, number>> = [];
  const childByKey = new Map<string, number>();
  /** Old node id -> index of the node that now holds its samples. */
  const target = new Map<number, number>();

  const add = (callFrame: SampledCallFrame, parent: number | null): number => {
    const key = `${parent}\u0000${frameKey(callFrame)}`;
    const found = childByKey.get(key);
    if (found !== undefined) return found;
    const index = nodes.length;
    nodes.push({ id: index + 1, callFrame, hitCount: 0, children: [] });
    ticks.push(new Map());
    childByKey.set(key, index);
    if (parent !== null) nodes[parent].children!.push(index + 1);
    return index;
  };

  let ownWork: number | null = null;
  const ownWorkNode = (): number => (ownWork ??= add({ functionName: "(tsprof)", url: "", lineNumber: -1, columnNumber: -1 }, 0));

  // Depth first from the root(s), with an explicit stack: real call trees can be deep.
  // programAbove: some kept frame above is the program's own code (so tsprof's frames here run on its behalf);
  // setUp: inside a collector's registerFile (tsprof's one-off set-up, which waits for its sampler thread).
  const roots = profile.nodes.filter((n) => !isChild.has(n.id));
  const stack: Array<{ id: number; parent: number | null; insideOwn: boolean; programAbove: boolean; setUp: boolean }> = roots
    .map((n) => ({ id: n.id, parent: null, insideOwn: false, programAbove: false, setUp: false }))
    .reverse();
  while (stack.length > 0) {
    const { id, parent, insideOwn, programAbove, setUp: setUpAbove } = stack.pop()!;
    const node = byId.get(id);
    if (!node) continue;
    const fate = frames.fate(node.callFrame, insideOwn);
    // A dropped root has nowhere to fold into: keep it as it is.
    const here = fate.keep ? add(fate.keep, parent) : parent ?? add({ ...node.callFrame }, null);
    const setUp = setUpAbove || (fate.own && isSetUp(node.callFrame));
    // tsprof's own work that the program did not call, or its set-up that the program's first line
    // triggers: its samples are "(tsprof)"'s; its callees stay where they are.
    const selfAt = !fate.keep && (fate.own || insideOwn) && (setUp || !programAbove) && parent !== null ? ownWorkNode() : here;
    target.set(id, selfAt);
    nodes[selfAt].hitCount += node.hitCount;
    if (fate.keep) {
      for (const t of node.positionTicks ?? []) {
        const line = frames.tickLine(node.callFrame.url, t.line, fate.keep);
        ticks[here].set(line, (ticks[here].get(line) ?? 0) + t.ticks);
      }
    }
    const childInsideOwn = fate.keep ? false : fate.own || insideOwn;
    const childProgramAbove = programAbove || (fate.keep !== null && isProgramCode(fate.keep.url));
    for (const c of [...(node.children ?? [])].reverse()) {
      const child = byId.get(c)?.callFrame;
      const own = childInsideOwn && !runsUnknownModule(node.callFrame, child) && !handsModuleToNode(node.callFrame, insideOwn, child);
      stack.push({ id: c, parent: here, insideOwn: own, programAbove: childProgramAbove, setUp: setUp && !fate.keep });
    }
  }
  const samples = profile.samples.map((id) => nodes[target.get(id) ?? 0].id);
  // V8's hitCounts and its samples array disagree by a few samples (a sample taken as profiling
  // starts, "(program)" ticks counted but not recorded): count from the samples, which carry the
  // time, so the two always agree.
  if (samples.length > 0) {
    for (const n of nodes) n.hitCount = 0;
    for (const id of samples) nodes[id - 1].hitCount++;
  }
  nodes.forEach((n, i) => {
    if (ticks[i].size > 0) n.positionTicks = [...ticks[i]].sort((a, b) => a[0] - b[0]).map(([line, t]) => ({ line, ticks: t }));
  });
  return {
    thread: options.thread,
    nodes,
    startTime: profile.startTime,
    endTime: profile.endTime,
    samples,
    timeDeltas: profile.timeDeltas.slice(),
  };
}

// Reference: https://chromedevtools.github.io/devtools-protocol/tot/HeapProfiler/#type-SamplingHeapProfile
export interface SamplingHeapProfileNode {
  callFrame: RawFrame;
  selfSize: number;
  id: number;
  children: SamplingHeapProfileNode[];
}
export interface SamplingHeapProfile {
  head: SamplingHeapProfileNode;
  samples?: Array<{ size: number; nodeId: number; ordinal: number }>;
}

/**
 * The sampling heap profiler's tree in original positions. tsprof's measuring code and everything
 * it calls are left out with their bytes; compiler helpers fold into their caller.
 */
export function mapAllocationProfile(
  profile: SamplingHeapProfile,
  options: MapProfileOptions & { samplingIntervalBytes: number },
): SampledAllocationProfile {
  const frames = new FrameMapper(options.ownDirs, options.sourceMaps ?? null);
  const sampleCount = new Map<number, number>();
  for (const s of profile.samples ?? []) sampleCount.set(s.nodeId, (sampleCount.get(s.nodeId) ?? 0) + 1);
  let nextId = 1;
  const make = (callFrame: SampledCallFrame): SampledAllocationNode => ({ id: nextId++, callFrame, selfSize: 0, sampleCount: 0, children: [] });
  const head = make({ ...profile.head.callFrame });
  const childByKey = new Map<SampledAllocationNode, Map<string, SampledAllocationNode>>();
  const childOf = (parent: SampledAllocationNode, cf: SampledCallFrame): SampledAllocationNode => {
    let kids = childByKey.get(parent);
    if (!kids) childByKey.set(parent, (kids = new Map()));
    let child = kids.get(frameKey(cf));
    if (!child) {
      child = make(cf);
      kids.set(frameKey(cf), child);
      parent.children.push(child);
    }
    return child;
  };
  head.selfSize = profile.head.selfSize;
  head.sampleCount = sampleCount.get(profile.head.id) ?? 0;
  type Pending = { node: SamplingHeapProfileNode; parent: SampledAllocationNode; insideOwn: boolean };
  const stack: Pending[] = (profile.head.children ?? []).map((node) => ({ node, parent: head, insideOwn: false })).reverse();
  while (stack.length > 0) {
    const { node, parent, insideOwn } = stack.pop()!;
    const fate = frames.fate(node.callFrame, insideOwn);
    const here = fate.keep ? childOf(parent, fate.keep) : parent;
    // tsprof's own allocations are left out; a helper's are its caller's.
    if (!fate.own) {
      here.selfSize += node.selfSize;
      here.sampleCount += sampleCount.get(node.id) ?? 0;
    }
    const childInsideOwn = fate.keep ? false : fate.own || insideOwn;
    for (const child of [...(node.children ?? [])].reverse()) {
      stack.push({ node: child, parent: here, insideOwn: childInsideOwn && !runsUnknownModule(node.callFrame, child.callFrame) });
    }
  }
  return { thread: options.thread, samplingIntervalBytes: options.samplingIntervalBytes, head };
}
