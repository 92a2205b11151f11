/** What the collector (main thread) and its worker share. */
import type { FileMeta } from "@tsprof/runner";
// Not @tsprof/core's index: the child and its worker load no renderers (start-up).
import { SCHEMA_VERSION } from "@tsprof/core/dist/schema";
import type { LineMode, LineProfileResult, ProgramExit, ResultHeader } from "@tsprof/core";
import type { CpuProfile } from "@tsprof/runner";
import type { FileData } from "./build-result";

/** Indexes into the shared control array. */
export const enum Control {
  /** Set by the main thread at exit: the worker stops. */
  Stop = 0,
  /** Set by the worker once it runs. */
  Ready = 1,
  /** Set by the worker when it has stopped (no write in flight); by a program's worker thread when it has saved. */
  Acknowledged = 2,
  /** Set by a program's worker thread as it starts saving (see saveBeforeTerminate). */
  Saving = 3,
  /** Hybrid: the mean time between the worker's shadow-stack samples, ns; 0 until it stops, or with fewer than two. */
  StackPeriodNs = 4,
}

/** Hybrid: the shadow-stack sampling the result reports, once the worker has stopped. */
export function stackSampling(control: Int32Array, requestedUs: number): { requestedUs: number; measuredUs: number | null } {
  const periodNs = Atomics.load(control, Control.StackPeriodNs);
  return { requestedUs, measuredUs: periodNs > 0 ? periodNs / 1000 : null };
}

export interface WorkerInput {
  buffers: SharedBuffers;
  port: unknown;
  mode: LineMode;
  timerUnit: number;
  lineSampleUs: number;
  /** Shortest time between two snapshots, ms. */
  snapshotMs: number;
  graceMs: number;
  outFile: string;
  snapshotFile: string;
  interruptFile: string;
  hookState: SharedArrayBuffer;
  /** tsprof's pid: when our parent changes, tsprof has died. */
  parentPid: number;
  /** The channel the program's worker threads post their buffers on (hybrid: their shadow stacks). */
  threadChannel: string;
}

/** What the child reports: the result without the header, which the parent stamps. */
export type LineChildBody = Omit<LineProfileResult, keyof ResultHeader | keyof ProgramExit>;

/**
 * What the child writes at its end (its result file), for the parent to build the result from
 * (raw-result.ts): everything that only the profiled process can give, nothing it would have to
 * compute. The counters are in the counters file beside it (snapshot format, written just before
 * this file, both atomically), the files' plan in the plan file.
 */
export interface LineRawBody {
  raw: "line";
  mode: LineMode;
  timerUnit: number;
  durationNs: number;
  notes: string[];
  sampler: LineProfileResult["sampler"];
  samplingIntervalUs: number;
  /** Hybrid: the shadow line stack's sampling, asked for and measured. */
  stackSampling?: LineProfileResult["stackSampling"];
  /** The main thread's CPU profile as V8 gave it (generated positions), null without one. */
  profile: CpuProfile | null;
  /** Source maps of the profile's scripts, by url (see runner's profileSourceMaps). */
  sourceMaps: Record<string, object>;
  /** The counters file's takenAtMs: the counters file that belongs to this write. */
  countersTakenAtMs: number;
  /** The plan file's name, in the result file's folder. */
  planFile: string;
  /** The program's worker threads: their plan entries; their counters are the counters file's `thread <id>:` sections. */
  threads: Array<{ threadId: number; entries: PlanEntry[] }>;
}

export const isRawBody = (body: unknown): body is LineRawBody => (body as Partial<LineRawBody> | null)?.raw === "line";

/** The final counters, beside the result file (not the snapshot file: a child process of the program has none). */
export const COUNTERS_FILE = "counters.bin";

/** A worker thread's counter sections in the counters file are named with this prefix. */
export const threadSection = (threadId: number, name: string): string => `thread ${threadId}:${name}`;

/** A result to fill with buildLineResult; its header fields are placeholders the parent replaces. */
export function emptyResult(mode: LineMode, timerUnit: number, durationNs: number, notes: string[]): LineProfileResult {
  return {
    kind: "line",
    schemaVersion: SCHEMA_VERSION,
    command: [],
    startedAt: "",
    exitCode: null,
    signal: null,
    mode,
    timerUnit,
    sampler: "none",
    samplingIntervalUs: null,
    durationNs,
    functions: [],
    summary: [],
    notes,
  };
}

export function bodyOf(result: LineProfileResult): LineChildBody {
  const { kind, schemaVersion, command, startedAt, exitCode, signal, error, ...body } = result;
  void [kind, schemaVersion, command, startedAt, exitCode, signal, error];
  return body;
}

/** One file's place in the shared arrays, as the plan file records it. */
export interface PlanEntry {
  meta: FileMeta;
  base: number;
  fnBase: number;
}

/** The counters of the registered files, for a snapshot (only the parts in use). */
export function snapshotSections(views: ReturnType<typeof sharedViews>, files: FileData[]): Array<[string, Float64Array]> {
  let slots = 1;
  let functions = 0;
  for (const f of files) {
    slots = Math.max(slots, f.base + f.meta.slots.length);
    functions = Math.max(functions, f.calls.byteOffset / 8 + f.meta.functions.length);
  }
  const sections: Array<[string, Float64Array]> = [
    ["hits", views.hits.subarray(0, slots)],
    ["time", views.timeMs.subarray(0, slots)],
    ["escapes", views.escapes.subarray(0, slots)],
    ["calls", views.calls.subarray(0, functions)],
  ];
  if (views.stack) {
    const depth = Math.min(Math.max(views.stack[0], 0), views.stack.length - 1);
    sections.push(["stack", Float64Array.from(views.stack.subarray(0, depth + 1))]);
  }
  return sections;
}

/** Parent side: the files of a snapshot, as views over its arrays (the same shape as in the child). */
export function snapshotFiles(plan: PlanEntry[], sections: Map<string, Float64Array>): { files: FileData[]; stack: Int32Array | null } {
  const get = (name: string, length: number): Float64Array => {
    const values = sections.get(name) ?? new Float64Array(0);
    if (values.length >= length) return values;
    const grown = new Float64Array(length);
    grown.set(values);
    return grown;
  };
  let slots = 1;
  let functions = 0;
  for (const e of plan) {
    slots = Math.max(slots, e.base + e.meta.slots.length);
    functions = Math.max(functions, e.fnBase + e.meta.functions.length);
  }
  const views = {
    hits: get("hits", slots),
    timeMs: get("time", slots),
    escapes: get("escapes", slots),
    calls: get("calls", functions),
  };
  const files = plan.map((e) => fileViews(views, e.meta, e.base, e.fnBase));
  const stack = sections.get("stack");
  return { files, stack: stack ? Int32Array.from(stack) : null };
}

/** tsprof's own code and its compilers: left out of the summary, they are not the user's program. */
// (child-helpers alone: the child side's index would load the sampler and the watchdog into tsprof's own process.)
export { OWN_DIRS, sourceLines as readSource } from "@tsprof/runner/child-helpers";

/** The counter arrays (shared in the child, copies from a snapshot in the parent). */
export interface CounterViews {
  hits: Float64Array;
  timeMs: Float64Array;
  escapes: Float64Array;
  calls: Float64Array;
}

/** One file's part of the shared arrays: its slots start at `base`, its functions at `fnBase`. */
export function fileViews(views: CounterViews, meta: FileMeta, base: number, fnBase: number): FileData {
  const slots = meta.slots.length;
  return {
    meta,
    base,
    hits: views.hits.subarray(base, base + slots),
    timeMs: views.timeMs.subarray(base, base + slots),
    escapes: views.escapes.subarray(base, base + slots),
    calls: views.calls.subarray(fnBase, fnBase + meta.functions.length),
  };
}

/** The shared buffers the collector allocates and its worker receives. */
export interface SharedBuffers {
  control: SharedArrayBuffer;
  hits: SharedArrayBuffer;
  time: SharedArrayBuffer;
  escapes: SharedArrayBuffer;
  calls: SharedArrayBuffer;
  stack: SharedArrayBuffer | null;
}

/** Typed views over the shared buffers: the same in the main thread and in the worker. */
export function sharedViews(buffers: SharedBuffers) {
  return {
    control: new Int32Array(buffers.control),
    hits: new Float64Array(buffers.hits),
    timeMs: new Float64Array(buffers.time),
    escapes: new Float64Array(buffers.escapes),
    calls: new Float64Array(buffers.calls),
    stack: buffers.stack ? new Int32Array(buffers.stack) : null,
  };
}

/**
 * The worker's watch for first calls (it snapshots the counters after each, so a program killed
 * in its first moments still shows what ran). It looks at a few functions per wake-up, in turn:
 * with `--all` over 3,000 functions, scanning (and copying) the whole list at every wake-up took
 * the program's other threads (this worker, V8's profiler, GC) from about 0.12 to 0.30 of a core.
 */
export class FirstCallWatch {
  /** [entry slot, function index] of the functions not called yet. */
  private readonly uncalled: Array<[number, number]> = [];
  private cursor = 0;

  constructor(
    private readonly views: Pick<CounterViews, "hits" | "calls">,
    private readonly perCheck = 256,
  ) {}

  add(entrySlot: number, fnIndex: number): void {
    this.uncalled.push([entrySlot, fnIndex]);
  }

  get waiting(): number {
    return this.uncalled.length;
  }

  /** True when one of the functions looked at has been called; it is then no longer watched. */
  check(): boolean {
    const list = this.uncalled;
    let found = false;
    for (let k = Math.min(this.perCheck, list.length); k > 0 && list.length > 0; k--) {
      if (this.cursor >= list.length) this.cursor = 0;
      const [slot, fn] = list[this.cursor];
      if (this.views.hits[slot] === 0 && this.views.calls[fn] === 0) {
        this.cursor++;
        continue;
      }
      // Called: the last one takes its place (and is looked at next).
      list[this.cursor] = list[list.length - 1];
      list.pop();
      found = true;
    }
    return found;
  }
}

/** Slots (statements) and functions of all files of one thread share these arrays. */
export const MAX_SLOTS = 1 << 18;
export const MAX_FUNCTIONS = 1 << 15;
const STACK_DEPTH = 1 << 14;

/** One thread's counter buffers (the main thread's and each worker's are alike). */
export function allocateBuffers(mode: LineMode): SharedBuffers {
  return {
    control: new SharedArrayBuffer(32),
    hits: new SharedArrayBuffer(MAX_SLOTS * 8),
    time: new SharedArrayBuffer(MAX_SLOTS * 8),
    escapes: new SharedArrayBuffer(MAX_SLOTS * 8),
    calls: new SharedArrayBuffer(MAX_FUNCTIONS * 8),
    stack: mode === "hybrid" ? new SharedArrayBuffer(STACK_DEPTH * 4) : null,
  };
}

/** Hands out each registering file's place in its thread's arrays. Global slot 0 means "no statement" on the shadow stack: slots start at 1. */
export class SlotAllocator {
  private nextSlot = 1;
  private nextFunction = 0;

  place(meta: FileMeta): { base: number; fnBase: number } {
    const base = this.nextSlot;
    const fnBase = this.nextFunction;
    this.nextSlot += meta.slots.length;
    this.nextFunction += meta.functions.length;
    if (this.nextSlot > MAX_SLOTS || this.nextFunction > MAX_FUNCTIONS) {
      throw new Error(`tsprof: too many profiled lines (more than ${MAX_SLOTS}); profile fewer functions`);
    }
    return { base, fnBase };
  }
}

/**
 * What a worker thread's collector posts to the main thread's (runner's threads.ts): its buffers as
 * it starts (the main thread then holds them, however the worker ends), each file's plan entry as
 * it registers.
 */
export type ThreadMessage = { kind: "buffers"; threadId: number; buffers: SharedBuffers } | { kind: "plan"; threadId: number; entry: PlanEntry };

export interface WorkerThreadData {
  buffers: SharedBuffers;
  /** Its files, in registration order. */
  entries: PlanEntry[];
}

/** The threads that reported, by thread id, from their messages. */
export function collectThreads(messages: ThreadMessage[]): Map<number, WorkerThreadData> {
  const threads = new Map<number, WorkerThreadData>();
  for (const m of messages) {
    if (m.kind === "buffers") threads.set(m.threadId, { buffers: m.buffers, entries: threads.get(m.threadId)?.entries ?? [] });
    else {
      const t = threads.get(m.threadId);
      // Buffers always come first from one thread (one channel keeps a sender's order).
      if (t) t.entries.push(m.entry);
    }
  }
  return threads;
}

/**
 * The worker threads' counters as counters-file sections, copied at one moment: a worker can still
 * be running (the main thread called process.exit; Node ends the workers after the main thread's
 * exit handlers), and tables built from live counters would mix moments (more calls than the counts
 * of their first lines).
 */
export function threadCounterSections(threads: Map<number, WorkerThreadData>): Array<[string, Float64Array]> {
  const out: Array<[string, Float64Array]> = [];
  for (const [id, { buffers, entries }] of threads) {
    const views = sharedViews(buffers);
    const live = entries.map((e) => fileViews(views, e.meta, e.base, e.fnBase));
    for (const [name, values] of snapshotSections(views, live)) out.push([threadSection(id, name), values.slice()]);
  }
  return out;
}

/** One worker thread's counters from the counters file's sections (its files as views over them). */
export function threadCounts(threadId: number, entries: PlanEntry[], sections: Map<string, Float64Array>): { files: FileData[]; stack: Int32Array | null } {
  const prefix = threadSection(threadId, "");
  const own = new Map<string, Float64Array>();
  for (const [name, values] of sections) if (name.startsWith(prefix)) own.set(name.slice(prefix.length), values);
  return snapshotFiles(entries, own);
}

/**
 * What a worker's finish writes for the main thread: what only the worker's isolate can give, raw
 * (its CPU profile unmapped, with the source maps of this isolate's scripts); tsprof's parent maps it.
 */
export interface ThreadSaved {
  profile: CpuProfile | null;
  sourceMaps: Record<string, object>;
  sampler: LineProfileResult["sampler"];
}
