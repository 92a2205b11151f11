import type { Command } from "commander";
import { UsageError, checkOutputPath, outputWidth, useColor, writeResultFile, type LineMode } from "@tsprof/core";
import { profileLines, renderLineProfile } from "@tsprof/line";
import { exitCodeOf } from "@tsprof/runner";
import type { CommandContext } from "../main";
import { parsePositiveNumber, collect, scriptArgs } from "./options";

interface LineFlags {
  unit: string;
  skipZero?: boolean;
  mode: LineMode;
  all?: boolean;
  module: string[];
  json?: string;
  cpuprofile?: string;
  interval?: string;
  onlyUser?: boolean;
}

export function registerLineCommand(program: Command, context: CommandContext): void {
  program
    .command("line")
    .description("line profiler: per-line hits and time of marked functions (like kernprof -l -v)")
    .argument("<script>", "TypeScript or JavaScript file to run")
    .argument("[args...]", "arguments for the script (after --, or after the script)")
    .option("-u, --unit <seconds>", "timer unit of the Time column, in seconds", "1e-6")
    .option("-z, --skip-zero", "hide functions that were never called")
    .option("--mode <mode>", "hybrid (exact hits, sampled time) | trace (exact wall time per line) | sample (V8 sampler only)", "hybrid")
    .option("--all", "profile every function in the script's own files")
    .option("--module <path>", "profile every function of this file (repeatable)", collect, [])
    .option("--json <file>", "save the whole result as JSON (render again with tsprof show)")
    .option("--cpuprofile <file>", "save V8's CPU profile (Chrome DevTools / VS Code)")
    .option("--only-user", "show only your own functions: hide libraries (node_modules) and Node's internals")
    .option("--interval <us>", "V8 sampling interval in microseconds")
    .passThroughOptions()
    .action(async (script: string, args: string[], flags: LineFlags, cmd: Command) => {
      const unit = parsePositiveNumber(flags.unit, "--unit");
      const interval = flags.interval === undefined ? undefined : parsePositiveNumber(flags.interval, "--interval");
      if (!["hybrid", "trace", "sample"].includes(flags.mode)) {
        throw new UsageError(`--mode must be hybrid, trace or sample (got '${flags.mode}')`);
      }
      // A bad output path fails now, not after the run.
      if (flags.json) checkOutputPath(flags.json, "--json");
      if (flags.cpuprofile) checkOutputPath(flags.cpuprofile, "--cpuprofile");
      const { result, outcome, outputError } = await profileLines({
        script,
        args: scriptArgs(args),
        mode: flags.mode,
        timerUnit: unit,
        all: !!flags.all,
        modules: flags.module,
        cpuprofile: flags.cpuprofile ?? null,
        samplingIntervalUs: interval,
        command: ["line", ...cmd.parent!.args.slice(1)],
      });
      process.stdout.write("\n" + renderLineProfile(result, { color: useColor(process.stdout), skipZero: !!flags.skipZero, onlyUser: !!flags.onlyUser, unit, width: outputWidth(process.stdout) }));
      // The tables are out; a file that cannot be written now (disk full) is one line and exit 1.
      let failed = outputError;
      if (flags.json) {
        try {
          writeResultFile(flags.json, result);
          process.stderr.write(`tsprof: wrote ${flags.json}\n`);
        } catch (err) {
          failed ??= err as Error;
        }
      }
      if (flags.cpuprofile && !outputError) process.stderr.write(`tsprof: wrote ${flags.cpuprofile}\n`);
      // The script's own error comes after its tables, as kernprof prints them before the traceback.
      if (outcome.error) process.stderr.write(`\n${outcome.error}\n`);
      context.exitCode = exitCodeOf(outcome);
      if (failed) throw failed;
    });
}
