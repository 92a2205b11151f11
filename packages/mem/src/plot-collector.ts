/**
 * Child-side collector of `tsprof mem --plot` (loaded by @tsprof/runner before the script, style
 * "calls"). It starts the sampler thread (heap-worker) and turns enter/exit of profiled functions
 * into bracket lines of the recording. Everything goes straight to the recording file with
 * O_APPEND writes, so nothing is lost if the program dies.
 */
import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { BracketTable, epochNow, SAMPLER_CLOSED, SAMPLER_CONNECTED, SAMPLER_IDLE } from "./brackets";
import type { ChildExit, Collector, CollectorContext, EventSink, FileMeta } from "./collector-types";
import { recordingLine } from "./recording";

export interface PlotCollectorOptions {
  recordingPath: string;
  intervalMs: number;
  /** Start the sampler thread (V8 heap series). */
  heap: boolean;
}

/** Functions beyond this many get no brackets (the table is shared memory of fixed size). */
const BRACKET_CAPACITY = 4096;

/** The sampler thread (heap-worker.js): the V8 heap series, and the closing of idle brackets. */
function startHeapSampler(options: PlotCollectorOptions, context: CollectorContext, table: BracketTable, stopFlag: SharedArrayBuffer): Worker {
  const worker = new Worker(join(__dirname, "heap-worker.js"), {
    workerData: {
      recordingPath: options.recordingPath,
      // The run's one interrupt file (runner's scheme): the sampler thread passes its signal on.
      interruptPath: context.interruptFile,
      intervalMs: options.intervalMs,
      brackets: table.buffer,
      stopFlag,
      hookState: context.hookState,
    },
    // Do not inherit the runner's preload flags: the worker must not load tsprof's child bootstrap.
    execArgv: [],
    stdout: false,
    stderr: false,
  });
  // The sampler must never keep the program alive.
  worker.unref();
  worker.on("error", () => {
    // The heap series stops; RSS from the parent goes on. Nothing to report from inside the child.
  });
  return worker;
}

/**
 * Stop the sampler thread before the process exits. A sampler that has not connected yet never
 * will; one that has must disconnect first, else node prints "Waiting for the debugger to
 * disconnect..." and waits at exit.
 */
function stopHeapSampler(worker: Worker, stopFlag: SharedArrayBuffer): void {
  const state = new Int32Array(stopFlag);
  if (Atomics.compareExchange(state, 0, SAMPLER_IDLE, SAMPLER_CLOSED) === SAMPLER_CONNECTED) {
    worker.postMessage("stop");
    Atomics.wait(state, 0, SAMPLER_CONNECTED, 500);
  }
}

/**
 * tsprof's loader and sampler thread are up, and the script has not started loading: the memory
 * the script starts from. What of it is tsprof's own is the difference to plain node, which the
 * parent measures beside the run. (Taken at the first instrumented file instead, it would count
 * everything that file imports, a whole `typescript` say, as tsprof's.)
 */
function writeBaseline(fd: number, samplerState: SharedArrayBuffer | null): void {
  // The heap sampler is given a moment to connect first: its thread is tsprof's memory, and a
  // program that dies fast (out of memory) still has its heap series.
  if (samplerState) Atomics.wait(new Int32Array(samplerState), 0, SAMPLER_IDLE, 1000);
  writeSync(fd, recordingLine({ type: "baseline", t: epochNow(), rss: process.memoryUsage.rss() }));
}

interface BracketWriter {
  fd: number;
  table: BracketTable;
  gapMs: number;
  writeClose: (id: number, t: number) => void;
  /** Set once the program has ended: calls after that open no brackets. */
  finished: boolean;
}

/**
 * Enter/exit of one file's profiled functions as brackets: the outermost call of a function opens
 * one (or continues the last, within the gap), the sampler thread closes it once it has returned.
 */
function bracketSink(meta: FileMeta, writer: BracketWriter): EventSink<number> {
  const { fd, table, gapMs, writeClose } = writer;
  const slots = meta.functions.map(() => table.allocate());
  const names = meta.functions.map((f) => f.name);
  const { depth, lastExit } = table;
  return {
    enter(fn: number): number {
      const slot = slots[fn];
      if (slot < 0 || writer.finished) return -1;
      if (Atomics.add(depth, slot, 1) === 0) {
        const now = epochNow();
        const id = table.enter(slot, now, gapMs, writeClose);
        if (id !== 0) writeSync(fd, recordingLine({ type: "open", t: now, id, name: names[fn] }));
      }
      return slot;
    },
    line(): void {
      // Not used in "calls" style.
    },
    exit(slot: number): void {
      if (slot < 0) return;
      // lastExit first, then the depth (a full barrier), so the sampler never pairs depth 0
      // with the previous call's exit time.
      if (Atomics.load(depth, slot) === 1) lastExit[slot] = epochNow();
      Atomics.sub(depth, slot, 1);
    },
  };
}

export function create(options: PlotCollectorOptions, context: CollectorContext): Collector {
  const fd = openSync(options.recordingPath, "a");
  const table = BracketTable.create(BRACKET_CAPACITY);
  const stopFlag = new SharedArrayBuffer(4);
  const worker = options.heap ? startHeapSampler(options, context, table, stopFlag) : null;
  writeBaseline(fd, worker ? stopFlag : null);
  const writer: BracketWriter = {
    fd,
    table,
    gapMs: options.intervalMs,
    writeClose: (id, t) => writeSync(fd, recordingLine({ type: "close", t, id })),
    finished: false,
  };

  return {
    registerFile(meta: FileMeta): EventSink<number> {
      return bracketSink(meta, writer);
    },
    finish(exit: ChildExit): void {
      if (writer.finished) return;
      writer.finished = true;
      // An abort ends the program inside its calls: leave them open ("not returned"), as a kill does.
      if (exit.signal !== "SIGABRT") table.closeAll(epochNow(), writer.writeClose);
      // From here the process tears down: RSS read after this is not the program's.
      writeSync(fd, recordingLine({ type: "exit", t: epochNow() }));
      if (worker) stopHeapSampler(worker, stopFlag);
      closeSync(fd);
      try {
        writeFileSync(context.outFile, JSON.stringify({ kind: "mem-plot-child", exitCode: exit.exitCode }));
      } catch {
        // The parent knows how the child ended from the process itself.
      }
    },
  };
}
