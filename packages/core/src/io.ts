import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { SCHEMA_VERSION, type ResultKind } from "./schema";

/** A saved result of any kind: what `tsprof show` reads. */
export interface AnyResult {
  kind: ResultKind;
  schemaVersion: number;
  [key: string]: unknown;
}

/** Thrown for a file that is not a tsprof result; the message is one line for the user. */
export class ResultFileError extends Error {}

/** Serialize a result as JSON text (stable, indented). */
export function resultToJSON(result: object): string {
  return JSON.stringify(result, null, 2) + "\n";
}

/** Parse and check a saved result's header. Never returns a partial object silently. */
export function resultFromJSON(text: string, origin = "input"): AnyResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ResultFileError(`${origin}: not a tsprof result (invalid JSON: ${(err as Error).message})`);
  }
  if (typeof value !== "object" || value === null || typeof (value as AnyResult).kind !== "string") {
    throw new ResultFileError(`${origin}: not a tsprof result (no "kind" field)`);
  }
  const result = value as AnyResult;
  if (result.schemaVersion !== SCHEMA_VERSION) {
    throw new ResultFileError(
      `${origin}: schema version ${String(result.schemaVersion)} is not supported (this tsprof reads ${SCHEMA_VERSION})`,
    );
  }
  return result;
}

/** Write a result atomically (temp file + rename), so a reader never sees half a file. */
export function writeResultFile(path: string, result: object): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, resultToJSON(result));
  renameSync(tmp, path);
}

export function readResultFile(path: string): AnyResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ResultFileError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return resultFromJSON(text, path);
}
