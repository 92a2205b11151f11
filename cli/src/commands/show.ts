import type { Command } from "commander";
import { UsageError, checkOutputPath, outputWidth, readResultFile, useColor, type TsprofResult } from "@tsprof/core";
import { renderResult } from "@tsprof/report";
import type { CommandContext } from "../main";
import { parsePositiveNumber } from "./options";
import { checkOutputFormat, chooseFormat, formatOption, printOutput, writeOutput } from "./output";

interface ShowFlags {
  unit?: string;
  skipZero?: boolean;
  onlyUser?: boolean;
  format?: string;
  output?: string;
}

/** Read a saved result: memory recordings are JSON lines written as they go, the rest one document. */
function readAnyResult(file: string): TsprofResult {
  if (file.endsWith(".jsonl")) return (require("@tsprof/mem") as typeof import("@tsprof/mem")).readRecording(file);
  return readResultFile(file) as unknown as TsprofResult;
}

export function registerShowCommand(program: Command, context: CommandContext): void {
  program
    .command("show")
    .description("render a saved result again (line, mem, mem --plot recordings, perf, dashboard), in any of its formats")
    .argument("<file>", "a result written by tsprof (--json, -o, or a .tsprof/ recording)")
    .addOption(formatOption("text (default), json, markdown, png, ...: what each kind offers"))
    .option("-o, --output <file>", "write to this file instead of printing (its name can imply the format: .json .md .png .txt)")
    .option("-u, --unit <seconds>", "timer unit for line results")
    .option("-z, --skip-zero", "hide functions that were never called")
    .option("--only-user", "line results: show only your own functions, hiding libraries (node_modules) and Node's internals")
    .action(async (file: string, flags: ShowFlags) => {
      if (flags.output !== undefined) checkOutputPath(flags.output, "--output");
      const result = readAnyResult(file);
      // `-o x.md` for a kind without Markdown is refused as `line -o x.md` is, never text in a .md.
      if (flags.format === undefined) checkOutputFormat(result.kind, flags.output);
      const format = chooseFormat(result.kind, flags.format, flags.output);
      if (flags.onlyUser && result.kind !== "line") throw new UsageError(`--only-user applies to line results, not to a ${result.kind} result`);
      const unit = flags.unit ? parsePositiveNumber(flags.unit, "--unit") : undefined;
      const color = flags.output === undefined && format === "text" && useColor(process.stdout);
      const rendered = await renderResult(result, format, {
        color,
        skipZero: !!flags.skipZero,
        onlyUser: !!flags.onlyUser,
        unit,
        cwd: process.cwd(),
        // Line Contents are cut to the terminal's width (not in files: -o keeps whole lines).
        width: flags.output === undefined ? outputWidth(process.stdout) : undefined,
      });
      if (flags.output !== undefined) writeOutput(flags.output, rendered);
      else printOutput(rendered, format);
      context.exitCode = 0;
    });
}
