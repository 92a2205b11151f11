/**
 * What `tsprof mem` does, behind its command line: list the recordings, record and plot memory
 * over time (--plot), or profile memory per line. The CLI parses the options and calls
 * runMemCommand; output goes to the streams given, so it can run in-process.
 */
import { dirname, join, relative, resolve } from "node:path";
import {
  UsageError,
  outputWidth,
  resultToJSON,
  useColor,
  writeFileAtomic,
  writeResultFile,
  type MemProfileResult,
  type MemRecording,
} from "@tsprof/core";
import { profileMemory } from "./profile";
import { recordMemory } from "./record";
import { RECORDING_SUFFIX, RecordingError, listRecordings, readRecording, recordingDurationMs, recordingPeak, recordingsDir } from "./recording";
import { pngRendererProblem, renderRecordingAscii, renderRecordingPng } from "./render-plot";
import { renderMemProfile } from "./render-text";

export interface MemCommandOptions {
  /** The script to profile; with `plot`, a recording to draw again; none: the latest recording. */
  script?: string;
  args: string[];
  /** The tsprof command line, saved in the result. */
  command: string[];
  what: "lines" | "plot" | "list";
  intervalMs: number;
  includeChildren: boolean;
  /** Where the output goes: per line, the result (format by the file's name); with plot, the PNG. */
  output?: string;
  pngSize: { width: number; height: number };
  terminal: boolean;
  gc: boolean;
  /** A file: save the result as JSON there. true: print the JSON instead of the tables. */
  json?: string | true;
  all: boolean;
  modules: string[];
  skipZero: boolean;
}

/** Where runMemCommand writes, and how it saves `-o` files in other formats than its own. */
export interface MemCommandIO {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  cwd: string;
  /** Write a result to a file in the format its name asks for (the CLI passes the report registry). */
  save(result: MemProfileResult | MemRecording, path: string): Promise<void>;
}

/** One line telling how to get PNG output where canvas cannot load. */
export const PNG_HINT =
  "PNG output needs the canvas addon (cairo): apt-get install build-essential libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev, then npm rebuild canvas (see DEVELOPERS.md)";

/** Run `tsprof mem`; resolves to the exit code (the profiled script's). */
export async function runMemCommand(options: MemCommandOptions, io: MemCommandIO): Promise<number> {
  if (options.what === "list") {
    listRecordingsTo(io);
    return 0;
  }
  if (options.what === "plot") return plotCommand(options, io);
  return perLineCommand(options, io);
}

async function perLineCommand(options: MemCommandOptions, io: MemCommandIO): Promise<number> {
  if (options.includeChildren) throw new UsageError("--include-children needs --plot");
  if (options.terminal) throw new UsageError("--terminal needs --plot");
  if (!options.script) throw new UsageError("no script given (usage: tsprof mem [options] <script> [-- args])");
  const outcome = await profileMemory({
    script: options.script,
    args: options.args,
    gc: options.gc,
    all: options.all,
    modules: options.modules,
    command: options.command,
    // With the JSON on stdout, the script's own output goes to stderr.
    stdio: options.json === true ? "stderr" : undefined,
  });
  if (options.json === true) io.stdout.write(resultToJSON(outcome.result));
  else {
    const width = outputWidth(io.stdout);
    io.stdout.write(renderMemProfile(outcome.result, { color: useColor(io.stdout), cwd: io.cwd, skipZero: options.skipZero, width }));
  }
  // The tables are out; a file that cannot be written now is reported after the script's error.
  const json = options.json;
  const output = options.output;
  const failed =
    (typeof json === "string" ? await attempt(() => writeJson(json, outcome.result)) : null) ??
    (output !== undefined ? await attempt(() => io.save(outcome.result, output)) : null);
  if (outcome.error) io.stderr.write(outcome.error.endsWith("\n") ? outcome.error : `${outcome.error}\n`);
  if (failed) throw failed;
  return outcome.exitCode;
}

/** Run a write; hand back its error instead of throwing, so the rest of the output still comes. */
async function attempt(write: () => unknown): Promise<Error | null> {
  try {
    await write();
    return null;
  } catch (err) {
    return err as Error;
  }
}

/** Save a result as JSON, atomically (a reader never sees half a file); failures are one line, exit 1. */
function writeJson(path: string, value: object): void {
  writeResultFile(resolve(path), value);
}

/** Relative to the working folder when inside it, else absolute. */
function shortPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") ? rel : path;
}

function isRecordingPath(path: string): boolean {
  return path.endsWith(RECORDING_SUFFIX) || path.endsWith(".jsonl") || path.endsWith(".json");
}

/** One line per recording in .tsprof/: duration, peak, whether it was closed, the script. */
function listRecordingsTo(io: MemCommandIO): void {
  const dir = recordingsDir(io.cwd);
  const entries = listRecordings(dir);
  if (entries.length === 0) {
    io.stdout.write(`no recordings in ${relative(io.cwd, dir) || "."}/ (make one with: tsprof mem --plot <script>)\n`);
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
    io.stdout.write(`${join(relative(io.cwd, dir), entry.name)}  ${summary}\n`);
  }
}

/** A saved recording to draw again: the one named, or the latest in .tsprof/. */
function readSavedRecording(options: MemCommandOptions, io: MemCommandIO): { recording: MemRecording; recordingPath: string } {
  if (options.args.length > 0) throw new UsageError("a recording takes no script arguments");
  let recordingPath: string;
  if (!options.script) {
    const entries = listRecordings(recordingsDir(io.cwd));
    if (entries.length === 0) throw new UsageError("no recordings in .tsprof/ to plot (record one with: tsprof mem --plot <script>)");
    recordingPath = entries[entries.length - 1].path;
  } else {
    recordingPath = resolve(io.cwd, options.script);
  }
  try {
    return { recording: readRecording(recordingPath), recordingPath };
  } catch (err) {
    if (err instanceof RecordingError) throw new UsageError(err.message);
    throw err;
  }
}

async function plotCommand(options: MemCommandOptions, io: MemCommandIO): Promise<number> {
  if (options.gc) throw new UsageError("--gc applies to the per-line mode, not to --plot");
  let recording: MemRecording;
  let recordingPath: string;
  let exitCode = 0;
  let error: string | null = null;
  if (!options.script || isRecordingPath(options.script)) {
    ({ recording, recordingPath } = readSavedRecording(options, io));
  } else {
    const outcome = await recordMemory({
      script: options.script,
      args: options.args,
      intervalMs: options.intervalMs,
      includeChildren: options.includeChildren,
      all: options.all,
      modules: options.modules,
      command: options.command,
      status: io.stderr.isTTY ? io.stderr : null,
    });
    ({ recording, recordingPath, exitCode, error } = outcome);
    (options.json === true ? io.stderr : io.stdout).write(`recording: ${shortPath(recordingPath, io.cwd)}\n`);
  }
  // The plot is drawn even when the JSON copy cannot be written; that failure is reported after it.
  const json = options.json;
  const failed = typeof json === "string" ? await attempt(() => writeJson(json, recording)) : null;
  if (json === true) io.stdout.write(resultToJSON(recording));
  else if (options.output !== undefined && /\.(json|txt)$/i.test(options.output)) await io.save(recording, options.output);
  else await drawPlot(recording, recordingPath, options, io);
  if (error) io.stderr.write(error.endsWith("\n") ? error : `${error}\n`);
  if (failed) throw failed;
  return exitCode;
}

/** The PNG beside the recording (or at --output); the terminal chart with a hint where canvas cannot load. */
async function drawPlot(recording: MemRecording, recordingPath: string, options: MemCommandOptions, io: MemCommandIO): Promise<void> {
  const terminalSize = { width: Math.max(20, (io.stdout.columns ?? 100) - 20), height: 15 };
  if (options.terminal) {
    io.stdout.write(renderRecordingAscii(recording, terminalSize));
    return;
  }
  const problem = pngRendererProblem();
  if (problem !== null) {
    io.stdout.write(renderRecordingAscii(recording, terminalSize));
    io.stderr.write(`tsprof: terminal chart instead of a PNG: ${problem}\n`);
    return;
  }
  const beside = join(dirname(recordingPath), recordingPath.replace(/^.*[\\/]/, "").replace(/\.(mem\.)?jsonl?$/, "") + ".png");
  const output = resolve(io.cwd, options.output ?? beside);
  let png: Buffer;
  try {
    png = await renderRecordingPng(recording, options.pngSize);
  } catch (err) {
    io.stdout.write(renderRecordingAscii(recording, terminalSize));
    io.stderr.write(`tsprof: the PNG renderer failed (${(err as Error).message.split("\n")[0]}); ${PNG_HINT}\n`);
    return;
  }
  writeFileAtomic(output, png);
  io.stdout.write(`plot: ${shortPath(output, io.cwd)}\n`);
}
