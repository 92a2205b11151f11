import { SCHEMA_VERSION, type ProgramExit, type ResultHeader, type ResultKind } from "./schema";

/** What the parent knows about a profiled run: how it was asked for and how the program ended. */
export interface RunFacts {
  command: string[];
  startedAt: string;
  exitCode: number | null;
  signal: string | null;
  /** The script's uncaught error (full text); the header keeps its first line. */
  error?: string | null;
}

/**
 * The header of a result made from a child's report: the child sends only its measurements, the
 * parent stamps who, when and how it ended, the same way for every kind.
 */
export function stampHeader<K extends ResultKind>(kind: K, run: RunFacts): ResultHeader & ProgramExit & { kind: K } {
  return {
    kind,
    schemaVersion: SCHEMA_VERSION,
    command: run.command,
    startedAt: run.startedAt,
    exitCode: run.exitCode,
    signal: run.signal,
    ...(run.error ? { error: run.error.split("\n")[0] } : {}),
  };
}
