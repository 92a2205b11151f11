import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { UsageError, checkOutputPath, outputWidth, useColor, writeFileAtomic, writeResultFile, type MemRecording } from "@tsprof/core";
import {
  RECORDING_SUFFIX,
  RecordingError,
  listRecordings,
  pngRendererProblem,
  profileMemory,
  readRecording,
  recordMemory,
  recordingDurationMs,
  recordingPeak,
  recordingsDir,
  renderMemProfile,
  renderRecordingAscii,
  renderRecordingPng,
} from "@tsprof/mem";
import type { CommandContext } from "../main";
import { collect } from "./options";

interface MemOptions {
  plot?: boolean;
  list?: boolean;
  interval: string;
  includeChildren?: boolean;
  output?: string;
  size: string;
  terminal?: boolean;
  gc?: boolean;
  json?: string;
  all?: boolean;
  module: string[];
  skipZero?: boolean;
}


/** One line telling how to get PNG output where canvas cannot load. */
const PNG_HINT =
  "PNG output needs the canvas addon (cairo): apt-get install build-essential libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev, then npm rebuild canvas (see DEVELOPERS.md)";

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
    .option("-o, --output <file.png>", "--plot: where to write the PNG (default: beside the recording)")
    .option("--size <WxH>", "--plot: PNG size in pixels", "1200x600")
    .option("--terminal", "--plot: draw the chart in the terminal instead of a PNG")
    .option("--gc", "run a full GC before each measurement (slow; freed memory shows where it is freed)")
    .option("--json <file>", "also write the result (or, with --plot, the recording) as JSON")
    .option("--all", "profile every function of the script's own files")
    .option("--module <path>", "profile every function of this file (repeatable)", collect, [])
    .option("-z, --skip-zero", "hide functions that were never called")
    .addHelpText(
      "after",
      "\nExamples:\n  tsprof mem fixtures/mem/profileme.ts\n  tsprof mem --gc script.ts -- --size 512\n  tsprof mem --plot script.ts\n  tsprof mem --plot            # plot the latest recording again\n  tsprof mem --list",
    )
    .action(async (script: string | undefined, args: string[], options: MemOptions, command: Command) => {
      const argv = commandLine(command);
      if (options.list) {
        listCommand();
        return;
      }
      if (options.plot) {
        context.exitCode = await plotCommand(script, args, options, argv);
        return;
      }
      for (const flag of ["output", "includeChildren", "terminal"] as const) {
        if (options[flag]) throw new UsageError(`--${flag === "includeChildren" ? "include-children" : flag} needs --plot`);
      }
      if (!script) throw new UsageError("no script given (usage: tsprof mem [options] <script> [-- args])");
      if (options.json) checkOutputPath(options.json, "--json");
      const outcome = await profileMemory({
        script,
        args,
        gc: Boolean(options.gc),
        all: Boolean(options.all),
        modules: options.module,
        command: argv,
      });
      process.stdout.write(
        renderMemProfile(outcome.result, { color: useColor(process.stdout), cwd: process.cwd(), skipZero: options.skipZero, width: outputWidth(process.stdout) }),
      );
      const failed = options.json ? attempt(() => writeJson(options.json!, outcome.result)) : null;
      if (outcome.error) process.stderr.write(outcome.error.endsWith("\n") ? outcome.error : `${outcome.error}\n`);
      context.exitCode = outcome.exitCode;
      if (failed) throw failed;
    });
}

/** The tsprof command line as given (for the saved result): "mem" and what follows it. */
function commandLine(command: Command): string[] {
  const raw = ((command.parent as unknown as { rawArgs?: string[] })?.rawArgs ?? []).slice(2);
  const at = raw.indexOf("mem");
  return at >= 0 ? raw.slice(at) : ["mem", ...raw];
}

/** Relative to the working folder when inside it, else absolute. */
function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}

function writeJson(path: string, value: object): void {
  writeResultFile(resolve(path), value);
}

/** Run a write; hand back its error instead of throwing, so the rest of the output still comes. */
function attempt(write: () => void): Error | null {
  try {
    write();
    return null;
  } catch (err) {
    return err as Error;
  }
}

function parseInterval(text: string): number {
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms < 1 || ms > 60000) throw new UsageError(`--interval: expected milliseconds between 1 and 60000, got '${text}'`);
  return ms;
}

function parseSize(text: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--size: expected WIDTHxHEIGHT in pixels (e.g. 1200x600), got '${text}'`);
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width < 200 || height < 150 || width > 10000 || height > 10000) {
    throw new UsageError(`--size: width 200..10000 and height 150..10000 pixels, got '${text}'`);
  }
  return { width, height };
}

function isRecordingPath(path: string): boolean {
  return path.endsWith(RECORDING_SUFFIX) || path.endsWith(".jsonl") || path.endsWith(".json");
}

function listCommand(): void {
  const dir = recordingsDir(process.cwd());
  const entries = listRecordings(dir);
  if (entries.length === 0) {
    process.stdout.write(`no recordings in ${relative(process.cwd(), dir) || "."}/ (make one with: tsprof mem --plot <script>)\n`);
    return;
  }
  for (const entry of entries) {
    let summary: string;
    try {
      const rec = readRecording(entry.path);
      const peak = recordingPeak(rec);
      summary = [
        `${(recordingDurationMs(rec) / 1000).toFixed(2)} s`,
        peak ? `peak ${peak.label} ${peak.mib.toFixed(1)} MiB` : "no samples",
        rec.complete ? "" : "(not closed)",
        rec.script ?? "",
      ]
        .filter(Boolean)
        .join("  ");
    } catch (err) {
      summary = `unreadable: ${(err as Error).message}`;
    }
    process.stdout.write(`${join(relative(process.cwd(), dir), entry.name)}  ${summary}\n`);
  }
}

async function plotCommand(script: string | undefined, args: string[], options: MemOptions, argv: string[]): Promise<number> {
  const size = parseSize(options.size);
  let recording: MemRecording;
  let recordingPath: string;
  let exitCode = 0;
  let error: string | null = null;
  if (options.gc) throw new UsageError("--gc applies to the per-line mode, not to --plot");
  // Bad output paths fail before the recording, not after it.
  if (options.json) checkOutputPath(options.json, "--json");
  if (options.output && !options.terminal) checkOutputPath(options.output, "--output");
  if (!script || isRecordingPath(script)) {
    if (args.length > 0) throw new UsageError("a recording takes no script arguments");
    if (!script) {
      const entries = listRecordings(recordingsDir(process.cwd()));
      if (entries.length === 0) {
        throw new UsageError("no recordings in .tsprof/ to plot (record one with: tsprof mem --plot <script>)");
      }
      recordingPath = entries[entries.length - 1].path;
    } else {
      recordingPath = resolve(script);
    }
    try {
      recording = readRecording(recordingPath);
    } catch (err) {
      if (err instanceof RecordingError) throw new UsageError(err.message);
      throw err;
    }
  } else {
    const outcome = await recordMemory({
      script,
      args,
      intervalMs: parseInterval(options.interval),
      includeChildren: Boolean(options.includeChildren),
      all: Boolean(options.all),
      modules: options.module,
      command: argv,
      status: process.stderr.isTTY ? process.stderr : null,
    });
    recording = outcome.recording;
    recordingPath = outcome.recordingPath;
    exitCode = outcome.exitCode;
    error = outcome.error;
    process.stdout.write(`recording: ${shortPath(recordingPath)}\n`);
  }
  // The plot is drawn even when the JSON copy cannot be written; that failure is reported after it.
  const failed = options.json ? attempt(() => writeResultFile(resolve(options.json!), recording)) : null;
  await drawPlot(recording, recordingPath, options, size);
  if (error) process.stderr.write(error.endsWith("\n") ? error : `${error}\n`);
  if (failed) throw failed;
  return exitCode;
}

async function drawPlot(
  recording: MemRecording,
  recordingPath: string,
  options: MemOptions,
  size: { width: number; height: number },
): Promise<void> {
  const terminalSize = { width: Math.max(20, (process.stdout.columns ?? 100) - 20), height: 15 };
  if (options.terminal) {
    process.stdout.write(renderRecordingAscii(recording, terminalSize));
    return;
  }
  const problem = pngRendererProblem();
  if (problem === null) {
    const output = resolve(
      options.output ?? join(dirname(recordingPath), recordingPath.replace(/^.*[\\/]/, "").replace(/\.(mem\.)?jsonl?$/, "") + ".png"),
    );
    let png: Buffer | null = null;
    try {
      png = await renderRecordingPng(recording, size);
    } catch (err) {
      process.stdout.write(renderRecordingAscii(recording, terminalSize));
      process.stderr.write(`tsprof: the PNG renderer failed (${(err as Error).message.split("\n")[0]}); ${PNG_HINT}\n`);
      return;
    }
    writeFileAtomic(output, png);
    process.stdout.write(`plot: ${shortPath(output)}\n`);
    return;
  }
  process.stdout.write(renderRecordingAscii(recording, terminalSize));
  process.stderr.write(`tsprof: terminal chart instead of a PNG: ${problem}\n`);
}
