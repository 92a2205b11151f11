import { Option, type Command } from "commander";
import { resultToJSON, UsageError, type CacheGeometry, type CountersCompareResult, type CountersResult } from "@tsprof/core";
import {
  commandWorkload,
  compareWorkloads,
  countersFromText,
  DEFAULT_EVENTS,
  DEFAULT_GEOMETRY,
  measureWorkload,
  parseGeometry,
  parsePerOption,
  readCountersFile,
  renderCounters,
  scriptWorkload,
  splitEventList,
  withTempDir,
  type MeasureOptions,
} from "@tsprof/perf";
import { exitCodeOf } from "@tsprof/runner/launch";
import type { CommandContext } from "../main";
import { parsePositiveInt, recordedCommandLine } from "./options";
import { checkOutputs, jsonTarget, saveResult, writeOutput } from "./output";

/** More runs than this is a typo (-r 1e12), not a measurement plan. */
const MAX_REPEATS = 1000;

interface PerfFlags {
  event?: string[];
  repeat: string;
  simulate?: boolean;
  per?: string;
  json?: string | boolean;
  output?: string;
  compare?: boolean;
  i1?: string;
  d1?: string;
  ll?: string;
}

function geometryOption(text: string | undefined, flag: string, fallback: CacheGeometry): CacheGeometry {
  if (text === undefined) return fallback;
  const g = parseGeometry(text);
  if (!g) throw new UsageError(`${flag} expects size,assoc,line_size with power-of-two sets and line size (e.g. 32768,8,64 or 8M,16,64), got '${text}'`);
  return g;
}

/** Where the operands stop being scripts and start being arguments (commander keeps a "--" after the first operand). */
function splitOperands(operands: string[], rawArgs: string[]): { commandMode: boolean; before: string[]; after: string[] } {
  const dd = operands.indexOf("--");
  if (dd >= 0) return { commandMode: false, before: operands.slice(0, dd), after: operands.slice(dd + 1) };
  // A "--" before any operand is consumed by the parser: `tsprof perf [options] -- <command> [args]`.
  const perfAt = rawArgs.indexOf("perf");
  const commandMode = perfAt >= 0 && rawArgs.indexOf("--", perfAt + 1) >= 0;
  return commandMode ? { commandMode, before: [], after: operands } : { commandMode, before: operands, after: [] };
}

/** The result on stdout (tables, or JSON with a bare --json), and in the files asked for. */
async function emit(result: CountersResult | CountersCompareResult, flags: { json?: string | boolean; output?: string }): Promise<void> {
  const json = jsonTarget(flags.json);
  if (json === true) process.stdout.write(resultToJSON(result));
  else process.stdout.write(`\n${renderCounters(result)}`);
  if (typeof json === "string") writeOutput(json, resultToJSON(result));
  if (flags.output) await saveResult(result, flags.output);
}

/** The workload's own exit status becomes ours; say it in one line when it failed. */
function workloadExit(results: CountersResult[]): number {
  let code = 0;
  for (const r of results) {
    const c = r.exitCode === null && r.signal === null ? 0 : exitCodeOf({ exitCode: r.exitCode, signal: r.signal as NodeJS.Signals | null });
    if (c !== 0) {
      process.stderr.write(`tsprof: ${r.label} ${r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`}\n`);
      if (code === 0) code = c;
    }
  }
  return code;
}

export function registerPerfCommand(program: Command, context: CommandContext): void {
  const perf = program
    .command("perf")
    .description(
      "hardware counters around a script (perf stat), read as IPC, stall and miss ratios; simulated with valgrind cachegrind where the machine has none",
    )
    .usage("[options] <script> [-- args]  |  [options] -- <command> [args]  |  --compare a.ts b.ts [more.ts]  |  parse <file>")
    .argument("[operands...]", "script (TypeScript or JavaScript) and its arguments, or a command after --")
    .option("-e, --event <events>", `events to count, comma-separated (repeatable; default: ${DEFAULT_EVENTS.join(",")})`, (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option("-r, --repeat <n>", "run the workload n times; perf reports the mean and ± variance", "3")
    .option("--simulate", "also run under valgrind cachegrind (simulated caches) even where hardware counters work")
    .option("--no-simulate", "never run the cachegrind simulation (default: only where hardware counters are missing)")
    .option("--per <n[:label]>", "also show counts per work item (e.g. 262144:cell)")
    .option("--compare", "run each script given and print one side-by-side table with ratios to the first")
    .addOption(new Option("--json [file.json]", "print the result as JSON (counters keyed by event name, derived metrics named) instead of tables; with a file: save it there"))
    .option("-o, --output <file>", "save the result, in the format its name implies (.json, the default, or .txt; render again with tsprof show)")
    .option("--i1 <size,assoc,line>", `simulated L1 instruction cache (default ${DEFAULT_GEOMETRY.I1.sizeBytes},${DEFAULT_GEOMETRY.I1.assoc},${DEFAULT_GEOMETRY.I1.lineBytes})`)
    .option("--d1 <size,assoc,line>", `simulated L1 data cache (default ${DEFAULT_GEOMETRY.D1.sizeBytes},${DEFAULT_GEOMETRY.D1.assoc},${DEFAULT_GEOMETRY.D1.lineBytes})`)
    .option("--ll <size,assoc,line>", `simulated last-level cache (default ${DEFAULT_GEOMETRY.LL.sizeBytes},${DEFAULT_GEOMETRY.LL.assoc},${DEFAULT_GEOMETRY.LL.lineBytes})`)
    .passThroughOptions()
    .action(async (operands: string[], flags: PerfFlags, cmd: Command) => {
      const repeats = parsePositiveInt(flags.repeat, "--repeat");
      if (repeats > MAX_REPEATS) throw new UsageError(`--repeat: at most ${MAX_REPEATS} runs (got ${flags.repeat})`);
      checkOutputs("counters", { json: jsonTarget(flags.json), output: flags.output });
      const events = flags.event && flags.event.length > 0 ? flags.event.flatMap((e) => splitEventList(e)) : DEFAULT_EVENTS;
      if (events.length === 0) throw new UsageError("--event: no events given");
      const options: MeasureOptions = {
        events,
        repeats,
        simulate: flags.simulate === undefined ? "auto" : flags.simulate ? "always" : "never",
        geometry: {
          I1: geometryOption(flags.i1, "--i1", DEFAULT_GEOMETRY.I1),
          D1: geometryOption(flags.d1, "--d1", DEFAULT_GEOMETRY.D1),
          LL: geometryOption(flags.ll, "--ll", DEFAULT_GEOMETRY.LL),
        },
        workItems: flags.per === undefined ? null : parsePerOption(flags.per),
        command: recordedCommandLine(context, cmd),
        stdout: jsonTarget(flags.json) === true ? "stderr" : "inherit",
        log: (line) => process.stderr.write(`tsprof: ${line}\n`),
      };
      const { commandMode, before, after } = splitOperands(operands, (cmd.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? []);
      if (flags.compare) {
        if (commandMode) throw new UsageError("--compare takes scripts: tsprof perf --compare a.ts b.ts [-- args]");
        if (before.length < 2) throw new UsageError("--compare needs at least two scripts");
        const result = await withTempDir(async (dir) => {
          const workloads = before.map((script) => scriptWorkload(script, after, dir));
          return compareWorkloads(workloads, options, dir);
        });
        await emit(result, flags);
        context.exitCode = workloadExit(result.variants);
        return;
      }
      if (!commandMode && before.length === 0) throw new UsageError("no script given (tsprof perf [options] <script> [-- args], or -- <command>)");
      const result = await withTempDir(async (dir) => {
        const workload = commandMode ? commandWorkload(after) : scriptWorkload(before[0], [...before.slice(1), ...after], dir);
        return measureWorkload(workload, options, dir);
      });
      await emit(result, flags);
      context.exitCode = workloadExit([result]);
    });

  perf
    .command("parse")
    .description("read saved perf stat output (human, -x CSV or -j JSON; detected) or cachegrind output and print the same table")
    .argument("<file>", "saved output of perf stat, valgrind cachegrind (summary or cachegrind.out) or cg_annotate")
    .addOption(new Option("--json [file.json]", "print the result as JSON instead of tables; with a file: save it there"))
    .option("--per <n[:label]>", "also show counts per work item")
    .option("-o, --output <file>", "save the result, in the format its name implies (.json, the default, or .txt)")
    .action(async (file: string, flags: { json?: string | boolean; per?: string; output?: string }, cmd: Command) => {
      const all = { ...cmd.optsWithGlobals(), ...flags } as { json?: string | boolean; per?: string; output?: string };
      checkOutputs("counters", { json: jsonTarget(all.json), output: all.output });
      const text = readCountersFile(file);
      const { result, counted } = countersFromText(text, {
        label: file,
        command: recordedCommandLine(context, cmd),
        workItems: all.per === undefined ? null : parsePerOption(all.per),
      });
      if (!counted) {
        const why = result.problems[0] ? `: ${result.problems[0]}` : "";
        throw new UsageError(`${file}: no perf stat or cachegrind counters found${why}`);
      }
      await emit(result, all);
    });
}
