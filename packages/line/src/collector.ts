/**
 * The line profiler's child side: loaded by @tsprof/runner before the user's script, it receives
 * every instrumented file, counts and times lines while the script runs, and at exit (whatever the
 * cause) writes a LineProfileResult for the parent.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Worker } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import { SCHEMA_VERSION, writeResultFile, type LineMode, type LineProfileResult } from "@tsprof/core";
import { CpuSampler, type FileMeta } from "@tsprof/runner";
import { buildLineResult, type FileData } from "./build-result";
import { LINE_SAMPLER_SOURCE } from "./line-sampler";

export interface LineCollectorOptions {
  mode: LineMode;
  /** V8 CPU sampler interval, microseconds. */
  samplingIntervalUs: number;
  /** Hybrid mode: how often the line sampler thread looks at the shadow stack, microseconds. */
  lineSampleUs: number;
  timerUnit: number;
  command: string[];
  startedAt: string;
}

/** Slots of all files share one space in the shared arrays; this many fit. */
const MAX_SLOTS = 1 << 18;
const STACK_DEPTH = 1 << 14;

interface Frame {
  fn: number;
  file: FileData;
  slot: number;
  t: number;
  ev: number;
  start: number;
}

export function create(options: LineCollectorOptions, context: { outFile: string; tempDir: string }) {
  const files: FileData[] = [];
  let nextBase = 0;
  const sampler = new CpuSampler(options.samplingIntervalUs);
  sampler.start();
  const startNs = process.hrtime.bigint();

  // Hybrid: a shadow stack of "which line is each profiled frame on", read by a sampler thread.
  let stack: Int32Array | null = null;
  let slotTimeMs: Float64Array | null = null;
  let control: Int32Array | null = null;
  let worker: Worker | null = null;
  const startLineSampler = () => {
    const stackBuffer = new SharedArrayBuffer(STACK_DEPTH * 4);
    const timeBuffer = new SharedArrayBuffer(MAX_SLOTS * 8);
    const controlBuffer = new SharedArrayBuffer(8); // [0]: stop flag, [1]: sampler ready
    stack = new Int32Array(stackBuffer);
    slotTimeMs = new Float64Array(timeBuffer);
    control = new Int32Array(controlBuffer);
    worker = new Worker(LINE_SAMPLER_SOURCE, {
      eval: true,
      workerData: { stackBuffer, timeBuffer, controlBuffer, intervalUs: options.lineSampleUs },
      stdout: false,
      stderr: false,
    });
    // It must never keep the profiled program alive.
    worker.unref();
    // Wait (briefly) until it samples, so short functions at the start are not missed.
    Atomics.wait(control, 1, 0, 2000);
  };

  // Trace: per-line wall time between line events, minus the cost of our own events.
  let events = 0;
  let eventCostMs = 0;
  const traceFile = (data: FileData) => ({
    enter(fn: number): Frame {
      events++;
      data.calls[fn]++;
      const t = performance.now();
      return { fn, file: data, slot: -1, t, ev: events, start: t };
    },
    line(frame: Frame, slot: number): void {
      const t = performance.now();
      data.hits[slot]++;
      if (frame.slot >= 0) {
        const dt = t - frame.t - eventCostMs * (events - frame.ev + 1);
        data.timeMs[frame.slot] += dt > 0 ? dt : 0;
      }
      events++;
      frame.slot = slot;
      frame.t = t;
      frame.ev = events;
    },
    exit(frame: Frame): void {
      const t = performance.now();
      if (frame.slot >= 0) {
        const dt = t - frame.t - eventCostMs * (events - frame.ev + 1);
        data.timeMs[frame.slot] += dt > 0 ? dt : 0;
      }
      events++;
      frame.slot = -1;
    },
  });

  if (options.mode === "trace") eventCostMs = calibrateEventCost();
  if (options.mode === "hybrid") startLineSampler();

  return {
    registerFile(meta: FileMeta) {
      const base = nextBase;
      nextBase += meta.slots.length;
      const data: FileData = {
        meta,
        base,
        hits: new Float64Array(meta.slots.length),
        timeMs: new Float64Array(meta.slots.length),
        calls: new Float64Array(meta.functions.length),
      };
      files.push(data);
      if (options.mode === "hybrid") {
        if (base + meta.slots.length > MAX_SLOTS) throw new Error("tsprof: too many profiled lines (more than 262144)");
        return { counters: data.hits, stack, base };
      }
      return traceFile(data);
    },

    finish(exit: { exitCode: number; signal: string | null; error: string | null }): void {
      if (control) Atomics.store(control, 0, 1);
      const profile = sampler.stop();
      const durationNs = Number(process.hrtime.bigint() - startNs);
      if (options.mode === "hybrid" && slotTimeMs) {
        for (const f of files) {
          for (let i = 0; i < f.meta.slots.length; i++) f.timeMs[i] = slotTimeMs[f.base + i];
          // Calls are counted in each function's entry slot.
          f.meta.functions.forEach((fn, i) => (f.calls[i] = f.hits[fn.entrySlot]));
        }
      }
      const notes: string[] = [];
      if (sampler.fallbackReason) notes.push(`V8 sampling through node:inspector: ${sampler.fallbackReason}`);
      if (options.mode === "trace") notes.push(`timer cost calibrated at ${(eventCostMs * 1e6).toFixed(0)} ns per line event and subtracted`);
      const result: LineProfileResult = {
        kind: "line",
        schemaVersion: SCHEMA_VERSION,
        command: options.command,
        startedAt: options.startedAt,
        mode: options.mode,
        timerUnit: options.timerUnit,
        sampler: sampler.kind,
        samplingIntervalUs: options.samplingIntervalUs,
        durationNs,
        exitCode: exit.exitCode,
        signal: exit.signal,
        ...(exit.error ? { error: exit.error.split("\n")[0] } : {}),
        functions: [],
        summary: [],
        notes,
      };
      buildLineResult(result, files, profile, { readSource, ownDirs: OWN_DIRS });
      if (profile) writeFileSync(`${context.tempDir}/profile.cpuprofile`, JSON.stringify(profile));
      writeResultFile(context.outFile, result);
      void worker;
    },
  };
}

/** tsprof's own code and its compilers: left out of the summary, they are not the user's program. */
const OWN_DIRS = [dirname(dirname(__dirname)), dirname(require.resolve("esbuild/package.json")), dirname(require.resolve("typescript/package.json"))].map(
  (d) => d + "/",
);

const sourceCache = new Map<string, string[]>();
function readSource(file: string): string[] {
  let lines = sourceCache.get(file);
  if (!lines) {
    try {
      lines = readFileSync(file, "utf8").split(/\r?\n/);
    } catch {
      lines = [];
    }
    sourceCache.set(file, lines);
  }
  return lines;
}

/** Cost of one line event (clock read + bookkeeping), measured here, in milliseconds. */
function calibrateEventCost(): number {
  const data: FileData = {
    meta: { file: "", functions: [], slots: [] },
    base: 0,
    hits: new Float64Array(2),
    timeMs: new Float64Array(2),
    calls: new Float64Array(1),
  };
  let fake = 0;
  const frame = { slot: -1, t: 0, ev: 0 };
  const round = (n: number) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      data.hits[i & 1]++;
      if (frame.slot >= 0) data.timeMs[frame.slot] += t - frame.t;
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
