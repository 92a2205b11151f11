/**
 * Child-side collector of `tsprof mem` (per-line mode), loaded by @tsprof/runner before the script
 * with instrumentation style "events": every statement of a profiled function reports its start.
 *
 * Like memory_profiler, memory is read at every line event of a profiled function; the change
 * since the previous event of the same call is that previous line's increment, and the value is its
 * usage ("after the line ran"). RSS and the V8 figures both come from one `process.memoryUsage()`
 * call. With `gc`, a full GC runs first (node --expose-gc), so freed memory shows on the line that
 * dropped it.
 *
 * A second measurement, for the whole program: V8's sampling heap profiler (node:inspector
 * HeapProfiler.startSampling), with the flags that keep objects already collected by minor and
 * major GCs, so short-lived garbage counts as allocation.
 */
import { writeSync } from "node:fs";
import { Session } from "node:inspector";
import { performance } from "node:perf_hooks";
import { createHeapReader } from "./heap-reader";
import { createRssReader } from "./rss-reader";
// Not @tsprof/core's index: the profiled process loads no renderers or tables (start-up, footprint).
import { writeResultFile } from "@tsprof/core/dist/io";
import { appendPlan, interruptRequested, postSync, profileSourceMaps, unprofiledNote, writeSnapshot } from "@tsprof/runner/child";
import type { SamplingHeapProfile } from "@tsprof/runner/source-map";
import type { MemRawBody } from "./allocation-sites";
import type { ChildExit, Collector, CollectorContext, EventSink, FileMeta } from "./collector-types";
import { TABLE_FIELDS, snapshotSections, type FileData } from "./line-tables";

export interface LineCollectorOptions {
  gc: boolean;
  /** Average bytes between heap samples; 0 turns the sampling heap profiler off. */
  samplingIntervalBytes: number;
}

/** What the child writes, raw: tsprof's parent builds the tables and the allocations (allocation-sites.ts). */
export type LineCollectorOutput = MemRawBody;

interface Frame {
  data: FileData;
  /** Slot whose line ran last in this call, -1 before the first statement. */
  previous: number;
  rss: number;
  heap: number;
  heapUsed: number;
  /** now[ATTRIBUTED_GROWTH] when this frame last measured: what profiled callees took since. */
  growthMark: number;
}

// The last measurement, and the running sum of heap growth credited to lines (see `record`). A
// typed array, not `let` numbers: writing a double to a closure variable boxes it in a new heap
// object each time, which the heap columns would then count as the user's.
const now = new Float64Array(4);
const RSS = 0;
const HEAP = 1;
const HEAP_USED = 2;
const ATTRIBUTED_GROWTH = 3;

export function create(options: LineCollectorOptions, context: CollectorContext): Collector {
  const files: FileData[] = [];
  const gc = options.gc ? (globalThis as { gc?: MinorOrMajorGc }).gc : undefined;
  const notes: string[] = [];
  if (options.gc && !gc) notes.push("--gc asked for, but global.gc is missing (node --expose-gc): no GC before measurements");

  const measure = createMeasure(gc);

  // Running sum of the heap growth credited to lines of any profiled function. A line that calls
  // another profiled function sees the callee's growth too (its increments are inclusive, like
  // memory_profiler's); for the allocation split only its own share counts, so what the callee's
  // lines were credited in between is taken off.
  now[ATTRIBUTED_GROWTH] = 0;
  const record = (data: FileData, slot: number, rssBefore: number, heapBefore: number, heapUsedBefore: number, growthMark: number): void => {
    if (now[RSS] > data.rssMax[slot]) data.rssMax[slot] = now[RSS];
    if (now[HEAP] > data.heapMax[slot]) data.heapMax[slot] = now[HEAP];
    data.rssIncrement[slot] += now[RSS] - rssBefore;
    data.heapIncrement[slot] += now[HEAP] - heapBefore;
    const grown = now[HEAP_USED] - heapUsedBefore - (now[ATTRIBUTED_GROWTH] - growthMark);
    if (grown > 0) {
      now[ATTRIBUTED_GROWTH] += grown;
      data.heapGrowth[slot] += grown;
      data.growthCount[slot]++;
      if (grown < data.growthMin[slot]) data.growthMin[slot] = grown;
    }
  };

  // The sampling heap profiler (whole program).
  const session = startSamplingHeapProfiler(options.samplingIntervalBytes, notes);

  // Ctrl-C in a busy loop: the signal handler waits for the event loop, which the loop never frees.
  // Line events keep coming, though: every 16384 of them, look at the parent's interrupt file and
  // deliver its signal to the handlers from here (the tables then print as for any Ctrl-C).
  let events = 0;
  const checkInterrupt = interruptChecker(context.interruptFile);

  // Snapshots for the parent, should the program die without running its exit code: as each
  // function is first called, then every 50 ms or more, from line events (the tables change only
  // there). Copies of typed arrays into a file: nothing the heap columns would count but a few bytes.
  const started = performance.now();
  let lastSnapshot = -Infinity;
  let snapshotEveryMs = 50;
  const snapshot = (): void => {
    const t = performance.now();
    lastSnapshot = t;
    try {
      writeSnapshot(context.snapshotFile, t - started, snapshotSections(files));
    } catch {
      // A full disk: the final write at exit may still succeed.
    }
    // This runs on the program's own thread: copying keeps to a small share of its time (≤ 5%).
    snapshotEveryMs = Math.max(50, (performance.now() - t) * 20);
  };

  const progress = createProgress();
  // What the line events do now and then, from one call site: every 64 events the progress clock
  // (a --gc run measures a few hundred events a second) and the snapshot clock (a tenth of an
  // event's cost), every 16384 the interrupt file; and a snapshot at a function's first call. Each
  // call here is first made within the first 64 events, before V8 optimizes the event code: a call
  // it has never seen made (the interrupt check at event 16384 was one) deoptimizes that code, and
  // events then run unoptimized for a while, boxing their numbers on the heap being measured.
  const now64 = (): void => {
    progress.tick(events);
    if ((events & 0x3fff) === 0x40) checkInterrupt();
    if (lastSnapshot === -Infinity || performance.now() - lastSnapshot >= snapshotEveryMs) snapshot();
  };
  let finished = false;
  // Everything of tsprof's is loaded and started: what the process holds beyond its RSS before the
  // loader is tsprof's own (the header says so; the RSS columns include it).
  const rssAtStart = process.memoryUsage.rss();
  return {
    registerFile(meta: FileMeta): EventSink<Frame> {
      const data = newFileData(meta);
      files.push(data);
      appendPlan(context.planFile, { meta });
      return {
        enter(fn: number): Frame {
          measure();
          if (data.calls[fn]++ === 0) lastSnapshot = -Infinity;
          const entry = meta.functions[fn].entrySlot;
          data.occurrences[entry]++;
          // The function's own line shows the memory on entry (memory_profiler's decorator row).
          record(data, entry, now[RSS], now[HEAP], now[HEAP_USED], now[ATTRIBUTED_GROWTH]);
          // Until the first statement, changes (the call's own set-up) belong to the function's line.
          return { data, previous: entry, rss: now[RSS], heap: now[HEAP], heapUsed: now[HEAP_USED], growthMark: now[ATTRIBUTED_GROWTH] };
        },
        line(frame: Frame, slot: number): void {
          if ((++events & 0x3f) === 0 || lastSnapshot === -Infinity) now64();
          measure();
          if (frame.previous >= 0) record(frame.data, frame.previous, frame.rss, frame.heap, frame.heapUsed, frame.growthMark);
          frame.data.occurrences[slot]++;
          frame.previous = slot;
          frame.rss = now[RSS];
          frame.heap = now[HEAP];
          frame.heapUsed = now[HEAP_USED];
          frame.growthMark = now[ATTRIBUTED_GROWTH];
        },
        exit(frame: Frame): void {
          if (frame.previous < 0 || finished) return;
          measure();
          record(frame.data, frame.previous, frame.rss, frame.heap, frame.heapUsed, frame.growthMark);
          frame.previous = -1;
        },
      };
    },
    finish(exit: ChildExit): void {
      if (finished) return;
      finished = true;
      progress.done(events);
      void exit;
      // mem measures the main thread: say so when the program's workers or children did work.
      const unprofiled = unprofiledNote();
      if (unprofiled) notes.push(unprofiled);
      // Raw, for the parent to build from: the program's end waits for no source-map library and
      // no mapping (which also ran with all of the program's memory still held).
      const output: LineCollectorOutput = {
        kind: "mem-raw",
        gc: Boolean(gc),
        notes,
        files: files.map((data) => ({ meta: data.meta, tables: tablesOf(data) })),
        allocationSampling: stopSamplingHeapProfiler(session, options.samplingIntervalBytes, notes),
        ...(context.rssBeforeTsprof ? { rssBeforeTsprof: context.rssBeforeTsprof, rssAtStart } : {}),
      };
      writeResultFile(context.outFile, output);
    },
  };
}

/**
 * The function that reads the memory into `now`: RSS, V8 heap used, and heap used plus external
 * (the figures process.memoryUsage() reports, read without allocating). With `gc`, a full GC first.
 */
/** global.gc of node --expose-gc. */
type MinorOrMajorGc = (options?: { type: "major" | "minor" }) => void;

function createMeasure(gc: MinorOrMajorGc | undefined): () => void {
  const readRss = createRssReader();
  const heapReader = createHeapReader();
  return gc
    ? (): void => {
        // Twice: V8 frees ArrayBuffer backing stores in a background sweep and only updates the
        // `external` counter at the start of the next GC, so after one GC RSS has dropped but
        // external still counts the freed buffer.
        gc();
        // The second only has to start a GC (which finishes the sweep and updates the counter): a
        // minor one does, at a fraction of a second full GC's cost.
        gc({ type: "minor" });
        heapReader.update();
        now[RSS] = readRss();
        now[HEAP_USED] = heapReader.used();
        now[HEAP] = now[HEAP_USED] + heapReader.external();
      }
    : (): void => {
        // The figures process.memoryUsage() reports (heapUsed, external), read without allocating.
        heapReader.update();
        now[RSS] = readRss();
        now[HEAP_USED] = heapReader.used();
        now[HEAP] = now[HEAP_USED] + heapReader.external();
      };
}

/** Delivers the parent's interrupt signal to the process's handlers, once. */
function interruptChecker(interruptFile: string): () => void {
  let interrupted = false;
  return () => {
    const signal = interrupted ? null : interruptRequested(interruptFile);
    if (!signal) return;
    interrupted = true;
    process.emit(signal as any, signal as any);
  };
}

/** Empty per-slot tables for one instrumented file (maxima start below any reading). Pure. */
export function newFileData(meta: FileMeta): FileData {
  const n = meta.slots.length;
  return {
    meta,
    calls: new Float64Array(meta.functions.length),
    occurrences: new Float64Array(n),
    rssMax: new Float64Array(n).fill(-1),
    rssIncrement: new Float64Array(n),
    heapMax: new Float64Array(n).fill(-1),
    heapIncrement: new Float64Array(n),
    heapGrowth: new Float64Array(n),
    growthCount: new Float64Array(n),
    growthMin: new Float64Array(n).fill(Infinity),
  };
}

/** Start V8's sampling heap profiler keeping GC'd objects; null (and a note) when it is off or unavailable. */
function startSamplingHeapProfiler(samplingIntervalBytes: number, notes: string[]): Session | null {
  if (samplingIntervalBytes <= 0) return null;
  try {
    const session = new Session();
    session.connect();
    postSync(session, "HeapProfiler.enable");
    postSync(session, "HeapProfiler.startSampling", {
      samplingInterval: samplingIntervalBytes,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    return session;
  } catch (err) {
    notes.push(`sampling heap profiler unavailable: ${(err as Error).message}`);
    return null;
  }
}

/** Stop the sampling heap profiler: its profile as V8 gives it, with the source maps that map it (null when it did not run or failed). */
function stopSamplingHeapProfiler(session: Session | null, samplingIntervalBytes: number, notes: string[]): MemRawBody["allocationSampling"] {
  if (!session) return null;
  try {
    const profile = postSync(session, "HeapProfiler.stopSampling").profile as SamplingHeapProfile;
    session.disconnect();
    const urls: string[] = [];
    const stack = [profile.head];
    while (stack.length > 0) {
      const node = stack.pop()!;
      urls.push(node.callFrame.url);
      stack.push(...(node.children ?? []));
    }
    return { profile, samplingIntervalBytes, sourceMaps: profileSourceMaps(urls) };
  } catch (err) {
    notes.push(`sampling heap profiler failed: ${(err as Error).message}`);
    return null;
  }
}

/** A file's per-slot arrays as plain numbers (for JSON). */
function tablesOf(data: FileData): MemRawBody["files"][number]["tables"] {
  const tables = {} as MemRawBody["files"][number]["tables"];
  for (const field of TABLE_FIELDS) tables[field] = Array.from(data[field]);
  return tables;
}

/**
 * Progress on stderr for a long run (a --gc run over millions of line events can take minutes):
 * from a few seconds in, the count of line occurrences measured and the time elapsed, on one line
 * rewritten in place on a terminal, or a line every ten seconds otherwise. Checked every 64 events,
 * from the events themselves (the program may never yield to a timer).
 */
function createProgress(): { tick(events: number): void; done(events: number): void } {
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  const firstAfterMs = tty ? 3000 : 5000;
  const everyMs = tty ? 500 : 10_000;
  let shownAt = 0;
  const write = (text: string) => {
    try {
      writeSync(2, text);
    } catch {
      // stderr closed: no progress to show
    }
  };
  const line = (events: number, elapsedMs: number) =>
    `[tsprof mem] ${events.toLocaleString("en-US")} line occurrences measured, ${(elapsedMs / 1000).toFixed(1)} s`;
  return {
    tick(events: number): void {
      const elapsed = performance.now() - started;
      if (elapsed < firstAfterMs || elapsed - shownAt < everyMs) return;
      shownAt = elapsed;
      write(tty ? `\r\x1b[K${line(events, elapsed)}` : `${line(events, elapsed)}\n`);
    },
    done(events: number): void {
      if (shownAt === 0) return;
      write(tty ? "\r\x1b[K" : `${line(events, performance.now() - started)}, done\n`);
    },
  };
}
