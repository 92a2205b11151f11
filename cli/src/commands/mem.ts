import { Option, type Command } from "commander";
import { UsageError, checkOutputPath, type MemProfileResult, type MemRecording } from "@tsprof/core";
import type { CommandContext } from "../main";
import { collect, recordedCommandLine } from "./options";
import { checkOutputs, jsonTarget, saveResult } from "./output";

interface MemFlags {
  plot?: boolean;
  list?: boolean;
  interval: string;
  includeChildren?: boolean;
  output?: string;
  size: string;
  terminal?: boolean;
  gc?: boolean;
  json?: string | true;
  all?: boolean;
  module: string[];
  skipZero?: boolean;
}

export function parseInterval(text: string): number {
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms < 1 || ms > 60000) throw new UsageError(`--interval: expected milliseconds between 1 and 60000, got '${text}'`);
  return ms;
}

export function parseSize(text: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--size: expected WIDTHxHEIGHT in pixels (e.g. 1200x600), got '${text}'`);
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width < 200 || height < 150 || width > 10000 || height > 10000) {
    throw new UsageError(`--size: width 200..10000 and height 150..10000 pixels, got '${text}'`);
  }
  return { width, height };
}

export function registerMemCommand(program: Command, context: CommandContext): void {
  program
    .command("mem")
    .description("memory per line (like memory_profiler), or memory over time with --plot (like mprof run/plot)")
    .argument("[script]", "script to profile (.ts .mts .cts .js .mjs .cjs); with --plot, or a recording to plot")
    .argument("[args...]", "arguments passed to the script (put them after --)")
    .option("--plot", "record memory over time into .tsprof/ and draw it (no script: plot the latest recording)")
    .option("--list", "list the recordings in .tsprof/")
    .option("--interval <ms>", "--plot: sampling interval in milliseconds", "10")
    .option("--include-children", "--plot: add the RSS of the script's child processes")
    .option("-o, --output <file>", "write the result to a file, in the format its name implies (.json .txt; with --plot: .png, the default, or .json)")
    .option("--size <WxH>", "--plot: PNG size in pixels", "1200x600")
    .option("--terminal", "--plot: draw the chart in the terminal instead of a PNG")
    .option("--gc", "run a full GC before each measurement (slow; freed memory shows where it is freed)")
    .addOption(new Option("--json [file.json]", "save the whole result (with --plot, the recording) as JSON; no file: print it instead of the tables"))
    .option("--all", "profile every function of the script's own files")
    .option("--module <path>", "profile every function of this file (repeatable)", collect, [])
    .option("-z, --skip-zero", "hide functions that were never called")
    .addHelpText(
      "after",
      "\nExamples:\n  tsprof mem fixtures/mem/profileme.ts\n  tsprof mem --gc script.ts -- --size 512\n  tsprof mem --plot script.ts\n  tsprof mem --plot            # plot the latest recording again\n  tsprof mem --list",
    )
    .action(async (script: string | undefined, args: string[], flags: MemFlags, command: Command) => {
      // Bad output paths fail before the run, not after it.
      const json = jsonTarget(flags.json);
      if (!flags.plot && !flags.list) checkOutputs("mem", { json, output: flags.output, hint: "; a PNG needs --plot" });
      if (flags.plot && typeof json === "string") checkOutputPath(json, "--json");
      if (flags.plot && flags.output !== undefined && !flags.terminal) checkOutputPath(flags.output, "--output");
      const { runMemCommand } = require("@tsprof/mem") as typeof import("@tsprof/mem");
      const options = {
        script,
        args,
        command: recordedCommandLine(context, command),
        what: flags.list ? "list" : flags.plot ? "plot" : "lines",
        intervalMs: parseInterval(flags.interval),
        includeChildren: !!flags.includeChildren,
        output: flags.output,
        pngSize: parseSize(flags.size),
        terminal: !!flags.terminal,
        gc: !!flags.gc,
        json,
        all: !!flags.all,
        modules: flags.module,
        skipZero: !!flags.skipZero,
      } as const;
      const io = {
        stdout: process.stdout,
        stderr: process.stderr,
        cwd: process.cwd(),
        save: (result: MemProfileResult | MemRecording, path: string) => saveResult(result, path),
      };
      context.exitCode = await runMemCommand(options, io);
    });
}
