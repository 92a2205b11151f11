import { UsageError } from "@tsprof/core";

/** commander accumulator for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parsePositiveNumber(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} expects a positive number (got '${text}')`);
  return value;
}

export function parsePositiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${flag} expects a positive whole number (got '${text}')`);
  return value;
}

/**
 * Arguments for the user's script. Options after the script already pass through untouched; a
 * `--` right after it (`tsprof line s.ts -- --size 512`) only separates and is not passed on.
 */
export function scriptArgs(args: string[]): string[] {
  return args[0] === "--" ? args.slice(1) : args;
}
