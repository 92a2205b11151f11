import { readFileSync, writeFileSync, renameSync } from "node:fs";
import type { ResultKind } from "./schema";
import type { ResultByKind, TsprofResult } from "./render-contract";
import { ResultFileError, validateResult } from "./validate";

export { ResultFileError };

/** A saved result of any kind: what `tsprof show` reads. */
export interface AnyResult {
  kind: ResultKind;
  schemaVersion: number;
  [key: string]: unknown;
}

/** Serialize a result as JSON text (stable, indented). */
export function resultToJSON(result: object): string {
  return JSON.stringify(result, null, 2) + "\n";
}

/** Parse a saved result and check it against its kind's schema. Never returns a partial object silently. */
export function resultFromJSON(text: string, origin?: string): TsprofResult;
export function resultFromJSON<K extends ResultKind>(text: string, origin: string, expected: K): ResultByKind[K];
export function resultFromJSON(text: string, origin = "input", expected?: ResultKind): TsprofResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ResultFileError(`${origin}: not a tsprof result (invalid JSON: ${(err as Error).message})`);
  }
  return validateResult(value, origin, expected);
}

/** Write a result atomically (temp file + rename), so a reader never sees half a file. */
export function writeResultFile(path: string, result: object): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, resultToJSON(result));
  renameSync(tmp, path);
}

/** Read and validate a saved result; with `expected`, a result of another kind is an error too. */
export function readResultFile(path: string): TsprofResult;
export function readResultFile<K extends ResultKind>(path: string, expected: K): ResultByKind[K];
export function readResultFile(path: string, expected?: ResultKind): TsprofResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ResultFileError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return expected === undefined ? resultFromJSON(text, path) : resultFromJSON(text, path, expected);
}
