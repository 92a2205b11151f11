/**
 * Every read of a saved result goes through here: the file's shape is checked against the schema
 * of its kind (schemas.ts), and a malformed file becomes one line naming the first problem (where,
 * and what was expected), never a crash further on. zod loads only when a result is read.
 */
import type { ResultByKind, TsprofResult } from "./render-contract";
import { SCHEMA_VERSION, type ResultKind } from "./schema";
import type { StudyCellStatus } from "./study";

/** Thrown for a file that is not a valid tsprof result; the message is one line for the user (exit 2). */
export class ResultFileError extends Error {}

const KINDS: readonly ResultKind[] = ["line", "mem", "mem-recording", "counters", "counters-compare", "study"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `results[3].status`, from zod's path. */
function pathText(path: ReadonlyArray<PropertyKey>): string {
  let text = "";
  for (const part of path) text += typeof part === "number" ? `[${part}]` : `${text ? "." : ""}${String(part)}`;
  return text || "(top level)";
}

/** A study cell from before cells had a status: read it from the cell's figures and error text. */
export function cellStatusFromError(seconds: unknown, error: unknown): StudyCellStatus {
  if (typeof seconds === "number") return "ok";
  if (typeof error === "string" && error.startsWith("unavailable")) return "unavailable";
  if (typeof error === "string" && /timed out/i.test(error)) return "timed-out";
  return "failed";
}

/** Cachegrind totals from before `llLocalMissPct` was stored: computed as buildCacheTotals does. */
function upgradeCacheTotals(totals: unknown): void {
  if (!isRecord(totals) || "llLocalMissPct" in totals) return;
  const { llMisses, llRefs } = totals;
  if (typeof llMisses !== "number" || typeof llRefs !== "number") return;
  totals.llLocalMissPct = llRefs !== 0 && Number.isFinite(llRefs) ? (llMisses / llRefs) * 100 : null;
}

function upgradeCounters(result: Record<string, unknown>): void {
  const sim = result.simulated;
  if (isRecord(sim)) for (const key of ["workload", "baseline", "net"]) upgradeCacheTotals(sim[key]);
}

/**
 * Fill in, in place, the fields that files written by earlier versions of the same schema lack
 * (optional additions do not bump SCHEMA_VERSION). Leaves anything malformed for the schema to report.
 */
export function upgradeResult(value: Record<string, unknown>): void {
  if (value.kind === "study" && Array.isArray(value.results)) {
    for (const cell of value.results) {
      if (isRecord(cell) && !("status" in cell)) cell.status = cellStatusFromError(cell.seconds, cell.error);
    }
  }
  if (value.kind === "counters") upgradeCounters(value);
  if (value.kind === "counters-compare" && Array.isArray(value.variants)) {
    for (const variant of value.variants) if (isRecord(variant)) upgradeCounters(variant);
  }
}

/** Check the header fields every result has: an object, a known kind, this schema version. */
function checkHeader(value: unknown, origin: string): ResultKind {
  if (Array.isArray(value)) throw new ResultFileError(`${origin}: not a tsprof result (a JSON array, expected an object)`);
  if (!isRecord(value)) throw new ResultFileError(`${origin}: not a tsprof result (expected a JSON object)`);
  if (typeof value.kind !== "string") throw new ResultFileError(`${origin}: not a tsprof result (no "kind" field)`);
  if (!(KINDS as readonly string[]).includes(value.kind)) {
    throw new ResultFileError(`${origin}: not a tsprof result (unknown kind "${value.kind}"; expected one of ${KINDS.join(", ")})`);
  }
  if (value.schemaVersion !== SCHEMA_VERSION) {
    throw new ResultFileError(
      `${origin}: schema version ${String(value.schemaVersion)} is not supported (this tsprof reads ${SCHEMA_VERSION})`,
    );
  }
  return value.kind as ResultKind;
}

/**
 * Check a parsed JSON value against the schema of its kind; return it typed, or throw a
 * ResultFileError naming the first problem. `expected`: the kind the caller needs, if any.
 */
export function validateResult<K extends ResultKind>(value: unknown, origin = "input", expected?: K): ResultByKind[K] {
  const kind = checkHeader(value, origin);
  if (expected !== undefined && kind !== expected) {
    throw new ResultFileError(`${origin}: a ${kind} result, expected a ${expected} result`);
  }
  upgradeResult(value as Record<string, unknown>);
  const { RESULT_SCHEMAS } = require("./schemas") as typeof import("./schemas");
  const checked = RESULT_SCHEMAS[kind].safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const message = issue.message.replace(/^Invalid input: /, "").replace(/^Invalid option: /, "");
    throw new ResultFileError(`${origin}: invalid ${kind} result at ${pathText(issue.path)}: ${message}`);
  }
  // The value as read (not zod's copy): fields a later version adds stay for whoever reads on.
  return value as ResultByKind[K];
}

/** Same as validateResult, for any kind. */
export function validateAnyResult(value: unknown, origin = "input"): TsprofResult {
  return validateResult(value, origin);
}
