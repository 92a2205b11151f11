/**
 * Version of every JSON document tsprof writes (line results, memory results, recordings,
 * counter results, study results). Bump it when a field changes meaning or disappears;
 * adding an optional field does not need a bump.
 */
export const SCHEMA_VERSION = 1;

/** The kinds of saved result; `tsprof show` dispatches on this field. */
export type ResultKind = "line" | "mem" | "mem-recording" | "counters" | "counters-compare" | "study";

/** Fields every saved result starts with. */
export interface ResultHeader {
  kind: ResultKind;
  schemaVersion: number;
  /** The tsprof command line that produced it, e.g. ["line", "--mode", "trace", "julia.ts"]. */
  command: string[];
  /** ISO time the measurement started. */
  startedAt: string;
}

/** How the profiled program ended: exit code, or the signal that killed it. */
export interface ProgramExit {
  exitCode: number | null;
  signal: string | null;
  /** The uncaught error's first line, when the script threw. */
  error?: string;
}

/**
 * A mistake in how tsprof was called (unknown option, missing file, bad value). The CLI prints its
 * message as one line on stderr and exits with `exitCode` (2), never with a stack trace.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/**
 * A failure of the measured program or of a tool tsprof drives (perf, valgrind) that the user must
 * see as one line; exits with `exitCode` (1 unless given).
 */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
