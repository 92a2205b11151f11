/**
 * Parent side of `tsprof mem --plot`: run the script in a child (with the plot collector), sample
 * the child's RSS with pidusage every interval, and append everything to the recording file as it
 * goes. The child's own threads append the heap series and the brackets to the same file.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { execFile, type ChildProcess } from "node:child_process";
import pidusage from "pidusage";
import { runChild, exitCodeOf, resolveScript, resolveModules } from "@tsprof/runner";
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

export async function recordMemory(options: RecordOptions): Promise<RecordOutcome & { sampler: SamplerStats }> {
  const cwd = options.cwd ?? process.cwd();
  // Bad input fails before a recording file exists.
  resolveScript(options.script, cwd);
  const modules = resolveModules(options.modules, cwd);
  const dir = options.dir ?? recordingsDir(cwd);
  const started = new Date();
  const recordingPath = join(dir, recordingFileName(started));
  let fd: number;
  try {
    mkdirSync(dir, { recursive: true });
    fd = openSync(recordingPath, "a");
  } catch (err) {
    throw new ToolError(`cannot write the recording in ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let closed = false;
  const write = (text: string): void => {
    if (!closed) writeSync(fd, text);
  };
  write(
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

  const stats: SamplerStats = { ticks: 0, samples: 0, skipped: 0 };
  let timer: NodeJS.Timeout | null = null;
  let statusTimer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;
  let currentRss = 0;
  let peakRss = 0;
  let childPids: number[] = [];
  let lastTreeScan = 0;
  const t0 = Date.now();

  const sampleOnce = async (pid: number): Promise<void> => {
    const now = performance.timeOrigin + performance.now();
    if (options.includeChildren && now - lastTreeScan >= 100) {
      // Walking the tree costs a few /proc reads: every 100 ms is enough to catch new children.
      childPids = descendantsOf(pid);
      lastTreeScan = now;
    }
    let rss = 0;
    try {
      if (childPids.length === 0) {
        rss = (await pidusage(pid)).memory;
      } else {
        rss = 0;
        // One by one: a descendant that exited since the scan must not cost the whole sample.
        const reads = await Promise.allSettled([pid, ...childPids].map((p) => pidusage(p)));
        if (reads[0].status === "rejected") throw reads[0].reason;
        for (const r of reads) if (r.status === "fulfilled") rss += r.value.memory;
      }
    } catch {
      // The child itself has exited: nothing to sample.
      stats.skipped++;
      return;
    }
    // A process that has exited but is not yet reaped (a zombie) reads as RSS 0: it is gone, and
    // a 0 would draw the line down to the axis at the end of every plot.
    if (rss <= 0) {
      stats.skipped++;
      return;
    }
    const t = performance.timeOrigin + performance.now();
    write(recordingLine({ type: "rss", t: (now + t) / 2, rss }));
    stats.samples++;
    currentRss = rss;
    if (rss > peakRss) peakRss = rss;
  };

  const onSpawn = (child: ChildProcess): void => {
    const pid = child.pid;
    if (pid === undefined) return;
    timer = setInterval(() => {
      stats.ticks++;
      if (inFlight) {
        stats.skipped++;
        return;
      }
      inFlight = sampleOnce(pid).finally(() => {
        inFlight = null;
      });
    }, options.intervalMs);
    if (options.status) {
      const status = options.status;
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
      statusTimer = setInterval(() => {
        // Only for runs long enough to need it.
        if (Date.now() - t0 < 500) return;
        const elapsed = ((Date.now() - t0) / 1000).toFixed(1);
        status.write(
          `\r\x1b[K[tsprof mem] ${elapsed} s  RSS ${bytesToMiB(currentRss).toFixed(1)} MiB  peak ${bytesToMiB(peakRss).toFixed(1)} MiB`,
        );
        shown = true;
      }, 250);
    }
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
    if (timer) clearInterval(timer);
    if (statusTimer) clearInterval(statusTimer);
    if (options.status) options.status.write("\r\x1b[K");
    if (inFlight) await inFlight;
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
  closed = true;
  closeSync(fd);
  outcome.cleanup();
  return {
    recordingPath,
    recording: readRecording(recordingPath),
    exitCode: exitCodeOf(outcome),
    error,
    sampler: stats,
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
