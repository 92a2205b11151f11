/**
 * The line profiler's child side: loaded by @tsprof/runner before the user's script, it receives
 * every instrumented file, counts and times lines while the script runs, and at exit (whatever the
 * cause) writes a LineProfileResult for the parent.
 *
 * All counters and times live in SharedArrayBuffers, so the worker (line-worker.ts) can sample,
 * snapshot and, on Ctrl-C during a busy loop, save them without the main thread's help.
 */
import { join } from "node:path";
import { MessageChannel, Worker } from "node:worker_threads";
import { performance } from "node:perf_hooks";
// The child loads only what it needs to run: not @tsprof/core's renderers and tables (start-up).
import { writeResultFile } from "@tsprof/core/dist/io";
import type { LineMode } from "@tsprof/core";
import type { CollectorContext, EventSink, FileMeta, ModuleGroup } from "@tsprof/runner";
import { CpuSampler, appendPlan, unloadedModuleWarnings, unprofiledNote, markOwnThread } from "@tsprof/runner/child";
import type { FileData } from "./build-result";
import { readSource, sharedViews, fileViews, OWN_DIRS, Control, emptyResult, bodyOf, type PlanEntry, type SharedBuffers, type WorkerInput } from "./shared";

export interface LineCollectorOptions {
  mode: LineMode;
  /** V8 CPU sampler interval, microseconds. */
  samplingIntervalUs: number;
  /** Hybrid mode: how often the worker looks at the shadow line stack, microseconds. */
  lineSampleUs: number;
  timerUnit: number;
  /** The `--module` arguments: one that the program never loads gets a note. */
  moduleGroups?: ModuleGroup[];
}

/** Slots (statements) and functions of all files share these arrays. */
const MAX_SLOTS = 1 << 18;
const MAX_FUNCTIONS = 1 << 15;
const STACK_DEPTH = 1 << 14;

interface Frame {
  slot: number;
  t: number;
  ev: number;
}

export function create(options: LineCollectorOptions, context: CollectorContext) {
  const files: FileData[] = [];
  const loaded = new Set<string>();
  /** Markings the instrumenter could not honour, one line each. */
  const warnings: string[] = [];
  // Global slot 0 means "no statement" on the shadow stack: slots start at 1.
  let nextSlot = 1;
  let nextFunction = 0;
  const sampler = new CpuSampler(options.samplingIntervalUs);
  const startNs = process.hrtime.bigint();

  const shared: SharedBuffers = {
    control: new SharedArrayBuffer(16),
    hits: new SharedArrayBuffer(MAX_SLOTS * 8),
    time: new SharedArrayBuffer(MAX_SLOTS * 8),
    escapes: new SharedArrayBuffer(MAX_SLOTS * 8),
    calls: new SharedArrayBuffer(MAX_FUNCTIONS * 8),
    stack: options.mode === "hybrid" ? new SharedArrayBuffer(STACK_DEPTH * 4) : null,
  };
  const views = sharedViews(shared);
  const { control, stack } = views;

  const channel = new MessageChannel();
  const workerInput: WorkerInput = {
    buffers: shared,
    port: channel.port2,
    lineSampleUs: options.lineSampleUs,
    mode: options.mode,
    timerUnit: options.timerUnit,
    snapshotMs: 50,
    graceMs: 300,
    outFile: context.outFile,
    snapshotFile: context.snapshotFile,
    interruptFile: context.interruptFile,
    hookState: context.hookState,
    parentPid: context.parentPid,
  };
  const worker = new Worker(join(__dirname, "line-worker.js"), {
    workerData: workerInput,
    transferList: [channel.port2],
    // Not the runner's preload: the worker must not load tsprof's loader and hooks again (start-up).
    execArgv: [],
    stdout: false,
    stderr: false,
  });
  // It must never keep the profiled program alive.
  worker.unref();
  markOwnThread(worker.threadId);
  // Hybrid: before the first instrumented file runs, wait (briefly) until the worker samples, so
  // line time at the very start is not missed. Waiting here at start-up instead would put the
  // worker's whole start on every run's critical path, even when nothing is instrumented.
  // Trace too: the worker takes the snapshots, which must exist however early the program dies.
  let workerReady = options.mode === "sample";

  // Trace: per-line wall time between line events, minus the cost of our own events.
  const eventCostMs = options.mode === "trace" ? calibrateEventCost() : 0;
  const traceSink = traceSinks(eventCostMs);

  sampler.start();

  return {
    registerFile(meta: FileMeta) {
      loaded.add(meta.file);
      for (const w of meta.warnings ?? []) warnings.push(w);
      const base = nextSlot;
      const fnBase = nextFunction;
      nextSlot += meta.slots.length;
      nextFunction += meta.functions.length;
      if (nextSlot > MAX_SLOTS || nextFunction > MAX_FUNCTIONS) {
        throw new Error(`tsprof: too many profiled lines (more than ${MAX_SLOTS}); profile fewer functions`);
      }
      if (!workerReady) {
        Atomics.wait(control, Control.Ready, 0, 2000);
        workerReady = true;
      }
      const data = fileViews(views, meta, base, fnBase);
      files.push(data);
      // The plan first, so that any snapshot of these counters can be read back.
      const entry: PlanEntry = { meta, base, fnBase };
      appendPlan(context.planFile, entry);
      channel.port1.postMessage(entry);
      if (options.mode === "hybrid") return { counters: data.hits, stack, base, escapes: data.escapes };
      return traceSink(data);
    },

    finish(exit: { exitCode: number; signal: string | null; error: string | null }): void {
      // Stop the worker and wait until no snapshot write is in flight, so ours is the last.
      Atomics.store(control, Control.Stop, 1);
      Atomics.notify(control, Control.Stop);
      // (A worker that never started its loop cannot be writing: no need to wait for it.)
      if (Atomics.load(control, Control.Ready) === 1) Atomics.wait(control, Control.Acknowledged, 0, 1000);
      const profile = sampler.stop();
      const unprofiled = unprofiledNote();
      const notes = [...warnings, ...unloadedModuleWarnings(options.moduleGroups ?? [], loaded), ...(unprofiled ? [unprofiled] : [])];
      if (sampler.fallbackReason) notes.push(`V8 sampling through node:inspector: ${sampler.fallbackReason}`);
      if (options.mode === "trace") notes.push(`timer cost calibrated at ${(eventCostMs * 1e6).toFixed(0)} ns per line event and subtracted`);
      void exit;
      const result = emptyResult(options.mode, options.timerUnit, Number(process.hrtime.bigint() - startNs), notes);
      result.sampler = sampler.kind;
      result.samplingIntervalUs = options.samplingIntervalUs;
      // Loaded at the end only: source maps and the result builder are no part of the run.
      const { buildLineResult } = require("./build-result") as typeof import("./build-result");
      buildLineResult(result, files, profile, { readSource, ownDirs: OWN_DIRS }, stack);
      // The body only: the parent stamps the header (command, start, how the program ended).
      writeResultFile(context.outFile, bodyOf(result));
    },
  };
}

/**
 * Trace mode's event sinks, one per file, sharing one event counter: each line's wall time runs
 * until the next line event, minus the calibrated cost of the events in between.
 */
function traceSinks(eventCostMs: number): (data: FileData) => EventSink<Frame> {
  let events = 0;
  const charge = (data: FileData, frame: Frame, t: number): void => {
    if (frame.slot < 0) return;
    const dt = t - frame.t - eventCostMs * (events - frame.ev + 1);
    data.timeMs[frame.slot] += dt > 0 ? dt : 0;
  };
  return (data) => ({
    enter(fn: number): Frame {
      events++;
      data.calls[fn]++;
      return { slot: -1, t: performance.now(), ev: events };
    },
    line(frame: Frame, slot: number): void {
      const t = performance.now();
      data.hits[slot]++;
      charge(data, frame, t);
      events++;
      frame.slot = slot;
      frame.t = t;
      frame.ev = events;
    },
    exit(frame: Frame): void {
      charge(data, frame, performance.now());
      events++;
      frame.slot = -1;
    },
  });
}

/** Cost of one line event (clock read + bookkeeping), measured here, in milliseconds. */
function calibrateEventCost(): number {
  const hitsArr = new Float64Array(2);
  const times = new Float64Array(2);
  let fake = 0;
  const frame = { slot: -1, t: 0, ev: 0 };
  const round = (n: number) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      hitsArr[i & 1]++;
      if (frame.slot >= 0) times[frame.slot] += t - frame.t;
      fake++;
      frame.slot = i & 1;
      frame.t = t;
      frame.ev = fake;
    }
    return (performance.now() - t0) / n;
  };
  round(20000);
  const samples = [round(50000), round(50000), round(50000)].sort((a, b) => a - b);
  return samples[1];
}
