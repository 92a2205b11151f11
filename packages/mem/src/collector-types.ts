/**
 * The child-side collector contract of @tsprof/runner (see .dev/RUNNER_API.md), restated here so
 * the collectors of this package type-check on their own. Structural types: the runner's own
 * declarations are compatible.
 */
export interface CollectorContext {
  outFile: string;
  tempDir: string;
}

export interface FileMeta {
  file: string;
  functions: Array<{ name: string; line: number; bodyLine: number; endLine: number; entrySlot: number }>;
  slots: Array<{ line: number; fn: number }>;
}

export interface EventSink<Frame = unknown> {
  enter(fn: number): Frame;
  line(frame: Frame, slot: number): void;
  exit(frame: Frame): void;
}

export interface ChildExit {
  exitCode: number;
  signal: string | null;
  error: string | null;
}

export interface Collector {
  registerFile(meta: FileMeta): Float64Array | EventSink<any>;
  finish(exit: ChildExit): void;
}
