/**
 * Parent side of `tsprof mem --plot`: run the script in a child (with the plot collector), sample
 * the child's RSS with pidusage every interval, and append everything to the recording file as it
 * goes. The child's own threads append the heap series and the brackets to the same file.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { execFile, type ChildProcess } from "node:child_process";
import pidusage from "pidusage";
import { runChild, exitCodeOf, resolveScript, resolveModules } from "@tsprof/runner/launch";
import { SCHEMA_VERSION, ToolError, bytesToMiB, type MemRecording } from "@tsprof/core";
import { descendantsOf } from "./proc";
import { readRecording, recordingFileName, recordingLine, recordingsDir } from "./recording";
import type { PlotCollectorOptions } from "./plot-collector";

export interface RecordOptions {
  script: string;
  args: string[];
  /** Sampling interval, ms. */
  intervalMs: number;
  /** Add the RSS of the child's descendants. */
  includeChildren: boolean;
  /** Bracket every function (`--all`) / every function of these files (`--module`). */
  all: boolean;
  modules: string[];
  /** The tsprof command line, stored in the recording. */
  command: string[];
  cwd?: string;
  /** Where the recording goes; default `.tsprof/` of cwd. */
  dir?: string;
  /** Live status line target (a TTY), or null. */
  status?: NodeJS.WriteStream | null;
  nodeArgs?: string[];
  /** The script's stdio (default inherit). */
  stdio?: "inherit" | "pipe";
}

export interface RecordOutcome {
  recordingPath: string;
  recording: MemRecording;
  /** The exit code tsprof should return: the script's, or 128+signal. */
  exitCode: number;
  /** The script's uncaught error text, if it threw. */
  error: string | null;
}

/** Statistic of the sampling itself, for the benchmark and the notes. */
export interface SamplerStats {
  ticks: number;
  samples: number;
  skipped: number;
}

/** The recording file, open for appending; writes after `close()` are dropped. */
interface RecordingWriter {
  path: string;
  write(text: string): void;
  close(): void;
}

/** Create the recording file and write its header line. */
function openRecording(options: RecordOptions, dir: string, started: Date): RecordingWriter {
  const path = join(dir, recordingFileName(started));
  let fd: number;
  try {
    mkdirSync(dir, { recursive: true });
    fd = openSync(path, "a");
  } catch (err) {
    throw new ToolError(`cannot write the recording in ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let closed = false;
  const writer: RecordingWriter = {
    path,
    write(text) {
      if (!closed) writeSync(fd, text);
    },
    close() {
      closed = true;
      closeSync(fd);
    },
  };
  writer.write(
    recordingLine({
      type: "header",
      kind: "mem-recording",
      schemaVersion: SCHEMA_VERSION,
      command: options.command,
      startedAt: started.toISOString(),
      startEpochMs: performance.timeOrigin + performance.now(),
      intervalMs: options.intervalMs,
      includeChildren: options.includeChildren,
      script: options.script,
    }),
  );
  return writer;
}

/**
 * Samples the RSS of the child (and, with `includeChildren`, of its descendants) every interval
 * and appends each sample to the recording. One sample at a time: a tick that finds the previous
 * sample still in flight is skipped.
 */
class RssSampler {
  readonly stats: SamplerStats = { ticks: 0, samples: 0, skipped: 0 };
  currentRss = 0;
  peakRss = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private childPids: number[] = [];
  private lastTreeScan = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly intervalMs: number,
    private readonly includeChildren: boolean,
  ) {}

  start(pid: number): void {
    this.timer = setInterval(() => {
      this.stats.ticks++;
      if (this.inFlight) {
        this.stats.skipped++;
        return;
      }
      this.inFlight = this.sampleOnce(pid).finally(() => {
        this.inFlight = null;
      });
    }, this.intervalMs);
  }

  /** Stop the timer and wait for the sample in flight, if any. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.inFlight) await this.inFlight;
  }

  private async sampleOnce(pid: number): Promise<void> {
    const now = performance.timeOrigin + performance.now();
    if (this.includeChildren && now - this.lastTreeScan >= 100) {
      // Walking the tree costs a few /proc reads: every 100 ms is enough to catch new children.
      this.childPids = descendantsOf(pid);
      this.lastTreeScan = now;
    }
    let rss = 0;
    try {
      rss = await this.readRss(pid);
    } catch {
      // The child itself has exited: nothing to sample.
      this.stats.skipped++;
      return;
    }
    // A process that has exited but is not yet reaped (a zombie) reads as RSS 0: it is gone, and
    // a 0 would draw the line down to the axis at the end of every plot.
    if (rss <= 0) {
      this.stats.skipped++;
      return;
    }
    const t = performance.timeOrigin + performance.now();
    this.write(recordingLine({ type: "rss", t: (now + t) / 2, rss }));
    this.stats.samples++;
    this.currentRss = rss;
    if (rss > this.peakRss) this.peakRss = rss;
  }

  /** RSS of the child plus its known descendants; throws when the child itself cannot be read. */
  private async readRss(pid: number): Promise<number> {
    if (this.childPids.length === 0) return (await pidusage(pid)).memory;
    let rss = 0;
    // One by one: a descendant that exited since the scan must not cost the whole sample.
    const reads = await Promise.allSettled([pid, ...this.childPids].map((p) => pidusage(p)));
    if (reads[0].status === "rejected") throw reads[0].reason;
    for (const r of reads) if (r.status === "fulfilled") rss += r.value.memory;
    return rss;
  }
}

/** The live status line's text (after the carriage return and clear). Pure. */
export function memStatusLine(elapsedMs: number, currentRss: number, peakRss: number): string {
  const elapsed = (elapsedMs / 1000).toFixed(1);
  return `[tsprof mem] ${elapsed} s  RSS ${bytesToMiB(currentRss).toFixed(1)} MiB  peak ${bytesToMiB(peakRss).toFixed(1)} MiB`;
}

/**
 * Show the live status line on `status` every 250 ms (once the run has lasted 500 ms), forwarding
 * the child's piped output around it. Returns the function that stops it and clears the line.
 */
function startStatusLine(child: ChildProcess, status: NodeJS.WriteStream, sampler: RssSampler, t0: number): () => void {
  let shown = false;
  // The script's output comes through us (stdio "pipe"), so the status line is wiped before
  // each piece of it and redrawn after, instead of being run into.
  const forward = (target: NodeJS.WriteStream) => (chunk: Buffer) => {
    if (shown) status.write("\r\x1b[K");
    shown = false;
    target.write(chunk);
  };
  child.stdout?.on("data", forward(process.stdout));
  child.stderr?.on("data", forward(process.stderr));
  const timer = setInterval(() => {
    // Only for runs long enough to need it.
    if (Date.now() - t0 < 500) return;
    status.write(`\r\x1b[K${memStatusLine(Date.now() - t0, sampler.currentRss, sampler.peakRss)}`);
    shown = true;
  }, 250);
  return () => clearInterval(timer);
}

export async function recordMemory(options: RecordOptions): Promise<RecordOutcome & { sampler: SamplerStats }> {
  const cwd = options.cwd ?? process.cwd();
  // Bad input fails before a recording file exists.
  resolveScript(options.script, cwd);
  const modules = resolveModules(options.modules, cwd);
  const recording = openRecording(options, options.dir ?? recordingsDir(cwd), new Date());
  const recordingPath = recording.path;
  const write = recording.write;

  const sampler = new RssSampler(write, options.intervalMs, options.includeChildren);
  let stopStatus: (() => void) | null = null;
  const t0 = Date.now();
  const onSpawn = (child: ChildProcess): void => {
    if (child.pid === undefined) return;
    sampler.start(child.pid);
    if (options.status) stopStatus = startStatusLine(child, options.status, sampler, t0);
  };

  // Plain node's RSS at its first line, beside the run (a few tens of ms of the other core): the
  // reference for how much of the script's starting memory is tsprof's own.
  const reference = plainNodeRss().then((rss) => {
    if (rss !== null) write(recordingLine({ type: "reference", rss }));
  });
  const collectorOptions: PlotCollectorOptions = { recordingPath, intervalMs: options.intervalMs, heap: true };
  // Ctrl-C: the runner tells the child's sampler thread, which can interrupt a busy script (heap-worker).
  let outcome;
  try {
    outcome = await runChild(
      {
        script: options.script,
        args: options.args,
        cwd,
        collector: join(__dirname, "plot-collector.js"),
        collectorOptions,
        // Brackets for every marked function (or --all / --module), enter/exit only.
        instrument: { style: "calls", all: options.all, modules },
        nodeArgs: options.nodeArgs,
        stdio: options.status ? "pipe" : options.stdio,
      },
      onSpawn,
    );
  } finally {
    // (A function-typed `let` assigned in a callback: TypeScript narrows it to null here.)
    (stopStatus as (() => void) | null)?.();
    if (options.status) options.status.write("\r\x1b[K");
    await sampler.stop();
  }
  pidusage.clear();
  const error = outcome.error;
  write(
    recordingLine({
      type: "end",
      t: performance.timeOrigin + performance.now(),
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      ...(error ? { error: error.split("\n")[0] } : {}),
    }),
  );
  await reference;
  recording.close();
  outcome.cleanup();
  return {
    recordingPath,
    recording: readRecording(recordingPath),
    exitCode: exitCodeOf(outcome),
    error,
    sampler: sampler.stats,
  };
}

/** RSS of a plain `node` (no tsprof) at its first line, bytes; null if it could not be measured. */
function plainNodeRss(): Promise<number | null> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["-e", "process.stdout.write(String(process.memoryUsage.rss()))"], { timeout: 10_000 }, (err, stdout) => {
      const rss = Number(stdout);
      resolve(err || !Number.isFinite(rss) || rss <= 0 ? null : rss);
    });
  });
}
