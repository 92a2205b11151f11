import { resolve } from "node:path";
import { Option } from "commander";
import {
  OUTPUT_FORMATS,
  UsageError,
  checkOutputPath,
  writeFileAtomic,
  type OutputFormat,
  type Rendered,
  type RenderOptions,
  type ResultKind,
  type TsprofResult,
} from "@tsprof/core";
import { formatFromPath, formatsFor, renderResult } from "@tsprof/report";

/** `--format <f>`, one of the registry's formats (commander checks the spelling). */
export function formatOption(description = "output format"): Option {
  return new Option("--format <format>", description).choices(OUTPUT_FORMATS);
}

/**
 * The format to render `kind` in: the one asked for with --format, else the one the output file's
 * name implies (when this kind has it), else the kind's first format (text).
 */
export function chooseFormat(kind: ResultKind, asked: string | undefined, output: string | undefined): OutputFormat {
  if (asked !== undefined) return asked as OutputFormat;
  const byName = output === undefined ? null : formatFromPath(output);
  const available = formatsFor(kind);
  if (byName !== null && available.includes(byName)) return byName;
  return available[0];
}

/** Write rendered output to a file; a failure is one line, exit 1. */
export function writeOutput(path: string, data: Rendered): void {
  // Exclusive temp file + rename (never a predictable name); failures are an OutputError, exit 1.
  writeFileAtomic(resolve(path), data);
  process.stderr.write(`tsprof: wrote ${path}\n`);
}

/** Print rendered output; bytes (PNG, pprof) are never sent to a terminal. */
export function printOutput(data: Rendered, format: OutputFormat): void {
  if (typeof data !== "string" && process.stdout.isTTY) {
    throw new UsageError(`${format} output is binary: write it to a file with -o <file>`);
  }
  process.stdout.write(data);
}

/**
 * `-o/--output <file>`: render a result through the registry in the format asked for, else the one
 * the file's name implies, else the kind's JSON, and write it.
 */
export async function saveResult(result: TsprofResult, path: string, asked?: string, options: Partial<RenderOptions> = {}): Promise<void> {
  const byName = formatFromPath(path);
  const format = asked ?? (byName !== null && formatsFor(result.kind).includes(byName) ? byName : "json");
  writeOutput(path, await renderResult(result, format, { color: false, cwd: process.cwd(), ...options }));
}

/** `--json [file.json]`: a file, or true for "print the JSON instead of the text" ("-" means the same). */
export function jsonTarget(value: string | boolean | undefined): string | true | undefined {
  if (value === undefined || value === false) return undefined;
  return value === true || value === "-" ? true : value;
}

/**
 * Check `-o <file>` before the run: a name (or --format) asking for a format this kind does not
 * have is a usage error now, not after a long measurement.
 */
export function checkOutputFormat(kind: ResultKind, path: string | undefined, asked?: string, hint = ""): void {
  const wanted = asked ?? (path === undefined ? null : formatFromPath(path));
  if (wanted === null || formatsFor(kind).includes(wanted as OutputFormat)) return;
  const what = asked !== undefined ? `--format ${asked}` : `--output ${path}`;
  throw new UsageError(`${what}: '${kind}' results have no '${wanted}' format (available: ${formatsFor(kind).join(", ")})${hint}`);
}

/** Check every output file before a run: its format for this kind, and that its path can be written. */
export function checkOutputs(kind: ResultKind, files: { json?: string | true; output?: string; hint?: string }): void {
  checkOutputFormat(kind, files.output, undefined, files.hint);
  if (typeof files.json === "string") checkOutputPath(files.json, "--json");
  if (files.output !== undefined) checkOutputPath(files.output, "--output");
}

/** Run a write after the tables are out; hand back its error instead of throwing, so the rest still comes. */
export async function attempt(write: () => unknown): Promise<Error | null> {
  try {
    await write();
    return null;
  } catch (err) {
    return err as Error;
  }
}
