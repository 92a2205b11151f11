/**
 * The parent side: run a user script in a child node with tsprof's loader (and a collector), keep
 * the parent alive through Ctrl-C so it can print what the child saved, and hand back the outcome.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "@tsprof/core";
import { CONFIG_ENV, type ChildConfig } from "./config";
import { useCompileCache } from "./compile";
import { precompileGraph } from "./precompile";
import type { InstrumentStyle } from "./instrument";

/**
 * Node flags that let a child node run .ts/.mts/.cts user files (no profiling). register.js turns
 * source maps on once tsprof's own modules are loaded (the flag would parse their maps too).
 * Without ESM hooks (every file CommonJS), it is preloaded with --require: with --import, Node runs
 * even a CommonJS entry through its ESM loader.
 */
export function loaderExecArgv(options: { esmHooks?: boolean } = {}): string[] {
  if (options.esmHooks === false) return ["--require", join(__dirname, "register.js")];
  return ["--import", pathToFileURL(join(__dirname, "register.js")).href];
}

export interface ChildPlan {
  script: string;
  args: string[];
  collector: string | null;
  collectorOptions?: unknown;
  instrument: { style: InstrumentStyle; all: boolean; modules: string[] } | null;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdio?: "inherit" | "pipe";
  nodeArgs?: string[];
}

export interface ChildOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** tsprof received SIGINT/SIGTERM while the child ran (Ctrl-C). */
  interrupted: boolean;
  result: unknown | null;
  error: string | null;
  durationNs: number;
  tempDir: string;
  pid: number;
  /** Removes the run's private temp dir. */
  cleanup(): void;
}

const SCRIPT_EXTENSIONS = [".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"];

/** Check the script before spawning anything, so a typo is one line and exit 2. */
export function resolveScript(script: string, cwd = process.cwd()): string {
  if (!script) throw new UsageError("no script given");
  const path = resolvePath(cwd, script);
  if (!existsSync(path)) throw new UsageError(`cannot open script '${script}': no such file`);
  if (statSync(path).isDirectory()) throw new UsageError(`cannot run '${script}': it is a directory`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new UsageError(`cannot read script '${script}': permission denied`);
  }
  if (!SCRIPT_EXTENSIONS.some((e) => path.endsWith(e))) {
    throw new UsageError(`cannot run '${script}': expected a ${SCRIPT_EXTENSIONS.join(" ")} file`);
  }
  return path;
}

export async function runChild(plan: ChildPlan, onSpawn?: (child: ChildProcess) => void): Promise<ChildOutcome> {
  const script = resolveScript(plan.script, plan.cwd);
  const tempDir = mkdtempSync(join(tmpdir(), "tsprof-"));
  const config: ChildConfig = {
    collector: plan.collector,
    collectorOptions: plan.collectorOptions ?? null,
    instrument: plan.instrument,
    outFile: join(tempDir, "result.json"),
    errorFile: join(tempDir, "error.txt"),
    tempDir,
  };
  // Compile (and instrument) here, before launch: see precompile.ts.
  config.cacheDir = process.env.TSPROF_CACHE === "0" ? join(tempDir, "compiled") : null;
  useCompileCache(config.cacheDir ?? null, null);
  config.esmHooks = precompileGraph(script, plan.instrument).esmHooks;
  const configPath = join(tempDir, "config.json");
  writeFileSync(configPath, JSON.stringify(config));
  const args = [...(plan.nodeArgs ?? []), ...loaderExecArgv({ esmHooks: config.esmHooks }), script, ...plan.args];
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, {
    cwd: plan.cwd,
    stdio: plan.stdio ?? "inherit",
    env: { ...(plan.env ?? process.env), [CONFIG_ENV]: configPath },
  });
  onSpawn?.(child);
  // Ctrl-C reaches the whole process group: the child saves its profile and exits; we stay to
  // print it. A signal sent to us alone is passed on.
  let interrupted = false;
  const forward = (sig: NodeJS.Signals) => () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    interrupted = true;
    // The child's own handler cannot run while it is busy in a loop; its watchdog thread looks
    // for this file instead (see @tsprof/line's line-worker).
    try {
      writeFileSync(join(tempDir, "interrupt"), sig);
    } catch {
      // the temp dir is ours; if it is gone, the signal alone must do
    }
    child.kill(sig);
    // A child busy in a loop cannot run its JavaScript signal handler; collectors that need to
    // save work do it from a worker thread within moments. Past that, do not leave it running.
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }, 5000).unref();
  };
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done, fail) => {
    child.once("error", fail);
    child.once("exit", (c, s) => done({ code: c, signal: s }));
  }).finally(() => {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  });
  const durationNs = Number(process.hrtime.bigint() - started);
  let result: unknown | null = null;
  if (existsSync(config.outFile)) {
    try {
      result = JSON.parse(readFileSync(config.outFile, "utf8"));
    } catch {
      result = null;
    }
  }
  const error = existsSync(config.errorFile) ? readFileSync(config.errorFile, "utf8") : null;
  return {
    exitCode: code,
    signal,
    interrupted,
    result,
    error,
    durationNs,
    tempDir,
    pid: child.pid ?? -1,
    cleanup: () => rmSync(tempDir, { recursive: true, force: true }),
  };
}

/** The exit code tsprof should return for a child outcome: the script's own, or 128+signal. */
export function exitCodeOf(outcome: { exitCode: number | null; signal: NodeJS.Signals | null; interrupted?: boolean }): number {
  if (outcome.exitCode !== null) return outcome.exitCode;
  // Interrupted while busy: the watchdog saved the profile and ended the process itself.
  if (outcome.interrupted && outcome.signal === "SIGKILL") return 130;
  const numbers: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGKILL: 9, SIGABRT: 6, SIGSEGV: 11 };
  return 128 + (numbers[outcome.signal ?? ""] ?? 1);
}
