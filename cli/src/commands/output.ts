import { resolve } from "node:path";
import { Option } from "commander";
import { OUTPUT_FORMATS, UsageError, writeFileAtomic, type OutputFormat, type Rendered, type ResultKind } from "@tsprof/core";
import { formatFromPath, formatsFor } from "@tsprof/report";

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
