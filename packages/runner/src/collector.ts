/**
 * The child side's contract: a collector module (line, mem) exports `create(options, context)`
 * returning a Collector. register.ts loads it before the user's script, sets it as
 * `globalThis.__tsprof` (what instrumented code calls), and calls `finish` however the program ends.
 */
import type { FileMeta } from "./instrument";

export interface CollectorContext {
  /** Where the collector writes its result (JSON) for the parent. */
  outFile: string;
  /** The run's private temp dir. */
  tempDir: string;
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
  /** Synchronous: runs in process 'exit' (also after throw, process.exit, SIGINT/SIGTERM). */
  finish(exit: ChildExit): void;
}

export interface CollectorModule {
  create(options: unknown, context: CollectorContext): Collector;
}
