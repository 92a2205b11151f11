import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readResultFile, type LineProfileResult } from "@tsprof/core";
import type { ActionState } from "./model";
import { CompiledFileOrigins, lineResultInSource, type LineOrigins } from "./original-lines";

/**
 * `p` and `m`: run `tsprof line` / `tsprof mem --plot` on the selected variant in a child process
 * (the same CLI the user has), and turn what comes back into pane lines. The spawning is here; the
 * turning into lines is pure (lineProfileLines, memPlotLines) and tested.
 */

/** A script that runs one variant, and the files whose functions are the variant's kernel. */
export interface VariantTarget {
  /** The script to run (entry point). */
  script: string;
  /** Arguments after `--` for the script. */
  args: string[];
  /** Files whose functions are profiled (`--module` each): the variant's own module and helpers. */
  modules: string[];
}

export interface SpawnOutcome {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `node <cli> <args>` and collect its output; never rejects. The child leads its own process
 * group, so aborting stops it and everything it started (the profiled script, perf, valgrind) and
 * resolves at once: a grandchild holding our pipe must not keep the dashboard from quitting.
 */
export function runCli(cliPath: string, args: string[], signal?: AbortSignal, cwd?: string, env?: NodeJS.ProcessEnv): Promise<SpawnOutcome> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ["ignore", "pipe", "pipe"], cwd, env: env ?? process.env, detached: true });
    const killGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const onAbort = (): void => {
      // SIGTERM, then SIGKILL half a second later for what ignores it: valgrind was seen
      // surviving SIGINT for minutes. The timer is kept (not unref'd) so that a quitting
      // dashboard stays that half second and leaves no orphans behind.
      killGroup("SIGTERM");
      setTimeout(() => killGroup("SIGKILL"), 500);
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      // Settle once the child is gone (or soon after the SIGKILL), so the caller's cleanup of the
      // folder the child wrote into comes after its last write and nothing is left behind.
      const stopped = { code: null, signal: "SIGTERM" as NodeJS.Signals, stdout, stderr: stderr || "stopped" };
      const fallback = setTimeout(() => resolve(stopped), 1500);
      child.once("exit", () => {
        clearTimeout(fallback);
        resolve(stopped);
      });
    };
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-16000)));
    child.on("error", (err) => resolve({ code: null, signal: null, stdout, stderr: stderr + err.message }));
    child.on("close", (code, sig) => {
      signal?.removeEventListener("abort", onAbort);
      resolve({ code, signal: sig, stdout, stderr });
    });
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The first non-empty line of a command's stderr, for a one-line status. */
export function firstLine(text: string): string {
  return text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";
}

/**
 * The pane's view of a line profile: for each profiled function (hottest first), its header and
 * its lines sorted by time, the way one reads line_profiler output for the hot spot.
 */
export function lineProfileLines(result: LineProfileResult, maxLines: number): string[] {
  const lines: string[] = [];
  // Every function of the profiled modules is listed by tsprof line; only those that ran matter here.
  // Hottest first; on a run too short for the sampler (all times 0), the most executed lines first.
  const hits = (f: (typeof result.functions)[number]): number => f.lines.reduce((sum, l) => sum + (l.hits ?? 0), 0);
  const functions = result.functions
    .filter((f) => f.totalNs > 0 || (f.calls ?? 0) > 0)
    .sort((a, b) => b.totalNs - a.totalNs || hits(b) - hits(a));
  if (functions.length === 0) {
    lines.push("no profiled functions ran");
  }
  for (const fn of functions) {
    if (lines.length >= maxLines) break;
    const total = fn.totalNs;
    lines.push(`${fn.name} (${path.basename(fn.file)}:${fn.line})  ${(total / 1e6).toFixed(1)} ms${fn.calls !== null ? `, ${fn.calls} calls` : ""}`);
    lines.push("  line      hits   % time  source");
    // By time, then by hits: on a short run the sampler may have no ticks for a line.
    const hot = [...fn.lines]
      .filter((l) => (l.timeNs ?? 0) > 0 || (l.hits ?? 0) > 0)
      .sort((a, b) => (b.timeNs ?? 0) - (a.timeNs ?? 0) || (b.hits ?? 0) - (a.hits ?? 0));
    for (const l of hot) {
      if (lines.length >= maxLines) break;
      const pct = total > 0 ? ((100 * (l.timeNs ?? 0)) / total).toFixed(1) : "0.0";
      lines.push(`  ${String(l.line).padStart(4)}  ${String(l.hits ?? "-").padStart(8)}  ${pct.padStart(6)}  ${l.source.trim()}`);
    }
  }
  for (const note of result.notes) if (lines.length < maxLines) lines.push(note);
  return lines.slice(0, maxLines);
}

/**
 * Line-profile a variant, its lines shown in its source (TypeScript, through the compiled files'
 * source maps). Resolves to the pane's action state, whatever happens.
 */
export async function lineProfileVariant(
  cliPath: string,
  variant: string,
  target: VariantTarget,
  maxLines = 200,
  signal?: AbortSignal,
  origins: LineOrigins = new CompiledFileOrigins(),
): Promise<ActionState> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  const json = path.join(dir, "line.json");
  try {
    const args = ["line", "--json", json];
    for (const module of target.modules) args.push("--module", module);
    args.push(target.script);
    if (target.args.length > 0) args.push("--", ...target.args);
    // The child's own temp files go inside ours: a stopped run leaves nothing in $TMPDIR.
    const outcome = await runCli(cliPath, args, signal, undefined, { ...process.env, TMPDIR: dir });
    if (existsSync(json)) {
      let result: LineProfileResult;
      try {
        result = readResultFile(json, "line");
      } catch (err) {
        return { kind: "line", variant, status: "failed", lines: [(err as Error).message] };
      }
      const status = outcome.code === 0 ? "done" : "failed";
      const extra = outcome.code === 0 ? [] : [`tsprof line exited ${outcome.code ?? outcome.signal}: ${firstLine(outcome.stderr)}`];
      return { kind: "line", variant, status, lines: [...extra, ...lineProfileLines(lineResultInSource(result, origins), maxLines)] };
    }
    return {
      kind: "line",
      variant,
      status: "unavailable",
      lines: [`tsprof line gave no profile (exit ${outcome.code ?? outcome.signal}): ${firstLine(outcome.stderr) || "no message"}`],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The PNG path `tsprof mem --plot` printed (it prints the path of the plot it wrote). */
export function findPngPath(output: string): string | null {
  const match = /(\S+\.png)\b/.exec(output);
  return match ? match[1] : null;
}

/**
 * Draw a variant's memory over time with `tsprof mem --plot`; the pane shows the PNG path. The PNG
 * goes beside its recording in .tsprof/ (as `tsprof mem --plot` does, listed by `tsprof mem --list`),
 * not into a temp folder that would outlive the dashboard: each `m` left one behind.
 */
export async function memPlotVariant(cliPath: string, variant: string, target: VariantTarget, signal?: AbortSignal, cwd = process.cwd()): Promise<ActionState> {
  const args = ["mem", "--plot"];
  for (const module of target.modules) args.push("--module", module);
  args.push(target.script);
  if (target.args.length > 0) args.push("--", ...target.args);
  const outcome = await runCli(cliPath, args, signal, cwd);
  const found = findPngPath(outcome.stdout + "\n" + outcome.stderr);
  const written = found ? path.resolve(cwd, found) : null;
  if (written && existsSync(written)) {
    // The path on a line of its own, relative to where the dashboard runs, so a pane can show it whole.
    const shown = path.relative(cwd, written).startsWith("..") ? written : path.relative(cwd, written);
    return { kind: "mem", variant, status: "done", path: written, lines: ["PNG written:", shown, firstLine(outcome.stdout)] };
  }
  return {
    kind: "mem",
    variant,
    status: "unavailable",
    lines: [`tsprof mem --plot wrote no plot (exit ${outcome.code ?? outcome.signal}): ${firstLine(outcome.stderr) || "no message"}`],
  };
}
