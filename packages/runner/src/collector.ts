/**
 * The child side's contract: a collector module (line, mem) exports `create(options, context)`
 * returning a Collector. register.ts loads it before the user's script, sets it as
 * `globalThis.__tsprof` (what instrumented code calls), and calls `finish` however the program ends.
 *
 * How a collector reports (the same for every collector):
 * - final result: `finish` writes the collector's body (no header) to `outFile`; the parent stamps
 *   the header (command, start, how the program ended) through core's `stampHeader`;
 * - plan and snapshots: as files register, their static plan goes to `planFile` (appendPlan), and
 *   the counters are copied to `snapshotFile` often (writeSnapshot), so a child that dies without
 *   running any code (SIGKILL, abort, out of memory) still leaves a partial result the parent
 *   rebuilds from the latest snapshot and the plan;
 * - interrupt: the parent writes the signal's name to `interruptFile` (interrupt.ts). A collector
 *   with a worker thread runs an InterruptWatchdog (watchdog.ts) over `hookState`; one without looks
 *   at the file from its own events (interruptRequested) and emits the signal.
 */
import type { FileMeta } from "./instrument";

export interface CollectorContext {
  /** Where the collector writes its final result body (JSON) for the parent. */
  outFile: string;
  /** The run's private temp dir. */
  tempDir: string;
  /** The one interrupt file (interrupt.ts). */
  interruptFile: string;
  /** Snapshot files (snapshot.ts). */
  planFile: string;
  snapshotFile: string;
  /** Int32Array(1) state shared with the interrupt hook (interrupt.ts HookState), for a watchdog thread. */
  hookState: SharedArrayBuffer;
  /** tsprof's pid, so a watchdog thread can tell when it is gone. */
  parentPid: number;
  /** The child's RSS before tsprof's loader loaded (bytes); absent when run outside register.ts. */
  rssBeforeTsprof?: number;
}

/** What instrumented code of style "events" or "calls" calls. */
export interface EventSink<Frame = unknown> {
  enter(fn: number): Frame;
  line(frame: Frame, slot: number): void;
  exit(frame: Frame): void;
}

export interface ChildExit {
  exitCode: number;
  signal: string | null;
  /** The uncaught error's text, if the script threw. */
  error: string | null;
}

export interface Collector {
  /** Called by each instrumented file as it loads; returns what its inserted code uses. */
  registerFile(meta: FileMeta): unknown;
  /**
   * The program starts now: start clocks and samplers here, not in `create`, which an early-started
   * child runs before it waits for the parent's go (register.ts; see CollectorModule.createsEarly).
   */
  start?(): void;
  /** Synchronous: runs in process 'exit' (also after throw, process.exit, a signal, the interrupt hook). */
  finish(exit: ChildExit): void;
}

/** What a collector's thread side gets in a worker thread of the profiled program (threads.ts). */
export interface ThreadContext {
  tempDir: string;
  threadId: number;
  /** The BroadcastChannel the main thread's collector listens on. */
  channel: string;
  /** Where the thread's finish writes what only its isolate can give (its sampled profile). */
  resultFile: string;
}

export interface CollectorModule {
  create(options: unknown, context: CollectorContext): Collector;
  /**
   * `create` may run while the child waits for the parent's go (an early start): the collector
   * prepares there (its thread starts meanwhile) and starts its clocks in `start`. Without this
   * flag the collector is created after the go, as the program starts.
   */
  createsEarly?: boolean;
  /** The collector's side in the program's worker threads; without it, workers run unprofiled. */
  createThread?(options: unknown, context: ThreadContext): Collector;
}
