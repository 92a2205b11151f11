import type { Command } from "commander";
import { UsageError } from "@tsprof/core";
import type { CommandContext } from "../main";

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

/**
 * The command line a saved result records, for every command alike: the words after `tsprof` as
 * the user typed them (before json-flag.ts rewrites a lone `--json`). A program built without
 * main() (in-process tests) has only commander's raw words to go by.
 */
export function recordedCommandLine(context: CommandContext, cmd: Command): string[] {
  if (context.commandLine) return context.commandLine;
  let root = cmd;
  while (root.parent) root = root.parent;
  return ((root as unknown as { rawArgs?: string[] }).rawArgs ?? []).slice(2);
}
