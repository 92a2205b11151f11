import { Option, type Command } from "commander";
import { checkOutputPath, outputWidth, resultToJSON, useColor, writeResultFile, type LineMode } from "@tsprof/core";
import { MODES, profileLines, renderLineProfile } from "@tsprof/line";
import { exitCodeOf } from "@tsprof/runner/launch";
import type { CommandContext } from "../main";
import { parsePositiveNumber, collect, recordedCommandLine, scriptArgs } from "./options";
import { attempt, checkOutputs, jsonTarget, saveResult } from "./output";

interface LineFlags {
  unit: string;
  skipZero?: boolean;
  mode: LineMode;
  all?: boolean;
  module: string[];
  json?: string | boolean;
  output?: string;
  cpuprofile?: string;
  interval?: string;
  onlyUser?: boolean;
  jit?: boolean;
}

export function registerLineCommand(program: Command, context: CommandContext): void {
  program
    .command("line")
    .description("line profiler: per-line hits and time of marked functions (like kernprof -l -v)")
    .argument("<script>", "TypeScript or JavaScript file to run")
    .argument("[args...]", "arguments for the script (after --, or after the script)")
    .option("-u, --unit <seconds>", "timer unit of the Time column, in seconds", "1e-6")
    .option("-z, --skip-zero", "hide functions that were never called")
    .addOption(
      new Option("--mode <mode>", "hybrid (exact hits, sampled time) | trace (exact wall time per line) | sample (V8 sampler only)")
        .choices(MODES)
        .default("hybrid"),
    )
    .option("--all", "profile every function in the script's own files")
    .option("--module <path>", "profile every function of this file (repeatable)", collect, [])
    .addOption(new Option("--json [file.json]", "save the whole result as JSON (render again with tsprof show); no file: print it instead of the tables"))
    .option("-o, --output <file>", "write the result to a file, in the format its name implies (.json .txt .speedscope.json .cpuprofile .pb.gz)")
    .option("--cpuprofile <file>", "save V8's CPU profile (Chrome DevTools / VS Code)")
    .option("--only-user", "show only your own functions: hide libraries (node_modules) and Node's internals")
    .option("--interval <us>", "V8 sampling interval in microseconds")
    .option("--jit", "under each function, the tier V8's JIT reached and its deoptimizations (reason, original line)")
    .passThroughOptions()
    .action(async (script: string, args: string[], flags: LineFlags, cmd: Command) => {
      const unit = parsePositiveNumber(flags.unit, "--unit");
      const interval = flags.interval === undefined ? undefined : parsePositiveNumber(flags.interval, "--interval");
      const json = jsonTarget(flags.json);
      // A bad output path fails now, not after the run.
      checkOutputs("line", { json, output: flags.output });
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
        jit: !!flags.jit,
        command: recordedCommandLine(context, cmd),
        // With the JSON on stdout, the script's own output goes to stderr.
        stdio: json === true ? "stderr" : undefined,
      });
      if (json === true) process.stdout.write(resultToJSON(result));
      else {
        const options = { color: useColor(process.stdout), skipZero: !!flags.skipZero, onlyUser: !!flags.onlyUser, unit, width: outputWidth(process.stdout) };
        process.stdout.write("\n" + renderLineProfile(result, options));
      }
      // The tables are out; a file that cannot be written now (disk full) is one line and exit 1.
      const jsonFailed = typeof json !== "string" ? null : await attempt(() => {
        writeResultFile(json, result);
        process.stderr.write(`tsprof: wrote ${json}\n`);
      });
      const output = flags.output;
      const outputFailed = output === undefined ? null : await attempt(() => saveResult(result, output, undefined, { unit, skipZero: !!flags.skipZero, onlyUser: !!flags.onlyUser }));
      const failed = outputError ?? jsonFailed ?? outputFailed;
      if (flags.cpuprofile && !outputError) process.stderr.write(`tsprof: wrote ${flags.cpuprofile}\n`);
      // The script's own error comes after its tables, as kernprof prints them before the traceback.
      if (outcome.error) process.stderr.write(`\n${outcome.error}\n`);
      context.exitCode = exitCodeOf(outcome);
      if (failed) throw failed;
    });
}
