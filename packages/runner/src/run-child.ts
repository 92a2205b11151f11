/**
 * The parent side: run a user script in a child node with tsprof's loader (and a collector), keep
 * the parent alive through Ctrl-C so it can print what the child saved, and hand back the outcome.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import type { Writable } from "node:stream";
import { ToolError, UsageError } from "@tsprof/core";
import { CONFIG_ENV, GO_FD, GO_FD_ENV, type ChildConfig } from "./config";
import { useCompileCache, userCompileCacheUsable } from "./compile";
import { entryNeedsEsmHooks, precompileGraph, type PrecompileOutcome } from "./precompile";
import { writeHandover } from "./handover";
import type { InstrumentStyle } from "./instrument";
import { FORWARDED_SIGNALS, interruptPath, requestInterrupt, signalExitCode, type ForwardedSignal } from "./interrupt";
import { readSnapshot, type ChildSnapshot } from "./snapshot";

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
  /** The script's stdio; "stderr": its stdout goes to our stderr (stdout carries a JSON result). */
  stdio?: "inherit" | "pipe" | "stderr";
  nodeArgs?: string[];
  /** Profile the program's Node child processes too (the collector's parent side merges them). */
  profileChildren?: boolean;
}

export interface ChildOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** tsprof received SIGINT/SIGTERM/SIGHUP while the child ran (Ctrl-C). */
  interrupted: boolean;
  /** The first signal tsprof passed on to the child, if any. */
  forwardedSignal: ForwardedSignal | null;
  /** The collector's final result body, when it could write one. */
  result: unknown | null;
  /** Without a final result: the collector's latest snapshot and plan (the child died abruptly). */
  snapshot: ChildSnapshot | null;
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
  const cleanup = (): void => {
    try {
      // Retried: a child process of the program that outlives it may still be writing there.
      rmSync(tempDir, { recursive: true, force: true, maxRetries: 5 });
    } catch {
      // Left behind rather than a crash after the tables.
    }
  };
  try {
    return await runInTempDir(plan, script, tempDir, cleanup, onSpawn);
  } catch (err) {
    cleanup();
    throw err;
  }
}

async function runInTempDir(
  plan: ChildPlan,
  script: string,
  tempDir: string,
  cleanup: () => void,
  onSpawn?: (child: ChildProcess) => void,
): Promise<ChildOutcome> {
  const config = childConfig(plan, tempDir);
  // No usable user cache (turned off, or refused as others can write it): the run's private one.
  config.cacheDir = process.env.TSPROF_CACHE === "0" || !userCompileCacheUsable() ? join(tempDir, "compiled") : null;
  useCompileCache(config.cacheDir ?? null, null);
  const configPath = join(tempDir, "config.json");
  // The child boots (node, tsprof's loader, the collector and its thread) while we compile: it
  // waits for our go before it runs anything of the program (early-start.ts).
  const early = earlyStartWanted() ? spawnEarly(plan, script, config, configPath) : null;
  const precompiled = await precompileOrEnd(script, plan, config, early);
  let launched: Launched;
  if (early && early.esmHooks === precompiled.esmHooks) {
    // (One that died at boot, on a bad node option, ends the run with its error as a late one would.)
    launched = early;
    sendGo(early, config, configPath);
  } else {
    // The guess of the ES module hooks was wrong: it never ran the program; a child with the right ones does.
    if (early) await endEarly(early, config);
    config.esmHooks = precompiled.esmHooks;
    writeConfig(configPath, config);
    launched = spawnLaunched(plan, script, config, configPath, null);
  }
  const child = launched.child;
  // Time from here on is the program's (the early child waited until now).
  const started = process.hrtime.bigint();
  onSpawn?.(child);
  const { code, signal, forwarded } = await waitForChild(child, launched.exited, config.interruptFile);
  const durationNs = Number(process.hrtime.bigint() - started);
  const result = readJson(config.outFile);
  const error = existsSync(config.errorFile) ? readFileSync(config.errorFile, "utf8") : null;
  return {
    exitCode: code,
    // A child ended by its watchdog after an interrupt died of SIGKILL; it was the signal we passed on.
    signal: forwarded && signal === "SIGKILL" && result !== null ? forwarded : signal,
    interrupted: forwarded !== null,
    forwardedSignal: forwarded,
    result,
    snapshot: result === null ? readSnapshot(config.planFile, config.snapshotFile) : null,
    error,
    durationNs,
    tempDir,
    pid: child.pid ?? -1,
    cleanup,
  };
}

function childConfig(plan: ChildPlan, tempDir: string): ChildConfig {
  return {
    collector: plan.collector,
    collectorOptions: plan.collectorOptions ?? null,
    instrument: plan.instrument,
    outFile: join(tempDir, "result.json"),
    errorFile: join(tempDir, "error.txt"),
    tempDir,
    interruptFile: interruptPath(tempDir),
    planFile: join(tempDir, "plan.jsonl"),
    snapshotFile: join(tempDir, "snapshot.bin"),
    ...(plan.profileChildren ? { profileChildren: true } : {}),
  };
}

/** TSPROF_EARLY=0 spawns the child only once the compile is done (as before; to compare). */
function earlyStartWanted(): boolean {
  return process.env.TSPROF_EARLY !== "0";
}

interface Launched {
  child: ChildProcess;
  /** Listened for from the spawn on: a child that dies before its go is still seen to end. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface EarlyChild extends Launched {
  /** The ES module hooks it was started with (guessed from the entry alone). */
  esmHooks: boolean;
}

/** Spawn the child before the compile, with the config as far as it is known (no handover yet). */
function spawnEarly(plan: ChildPlan, script: string, config: ChildConfig, configPath: string): EarlyChild {
  const esmHooks = entryNeedsEsmHooks(script);
  writeConfig(configPath, { ...config, esmHooks });
  return { ...spawnLaunched(plan, script, { ...config, esmHooks }, configPath, GO_FD), esmHooks };
}

function spawnLaunched(plan: ChildPlan, script: string, config: ChildConfig, configPath: string, goFd: number | null): Launched {
  const env = plan.env ?? process.env;
  const args = [...stackArgs(plan, env), ...(plan.nodeArgs ?? []), ...loaderExecArgv({ esmHooks: config.esmHooks }), script, ...plan.args];
  const stdio: StdioOptions = plan.stdio === "stderr" ? ["inherit", 2, "inherit"] : plan.stdio === "pipe" ? ["pipe", "pipe", "pipe"] : ["inherit", "inherit", "inherit"];
  // The go channel: the child's end of a pipe on fd 3; it closes it once it has read its go.
  if (goFd !== null) stdio.push("pipe");
  const goEnv = goFd === null ? {} : { [GO_FD_ENV]: String(goFd) };
  const child = spawn(process.execPath, args, { cwd: plan.cwd, stdio, env: { ...env, [CONFIG_ENV]: configPath, ...goEnv } });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done, fail) => {
    child.once("error", fail);
    child.once("exit", (c, s) => done({ code: c, signal: s }));
  });
  // Seen by waitForChild; a spawn that fails before that must not be an unhandled rejection.
  exited.catch(() => undefined);
  return { child, exited };
}

/**
 * Compile before the program runs (precompile.ts) and write the handover for the child. An entry
 * that does not compile, or any failure here, ends the early child before it has run anything:
 * the error is the run's, as without it.
 */
async function precompileOrEnd(script: string, plan: ChildPlan, config: ChildConfig, early: EarlyChild | null): Promise<PrecompileOutcome> {
  try {
    const precompiled = precompileGraph(script, plan.instrument);
    if (precompiled.entrySyntaxError) throw new ToolError(`SyntaxError: ${precompiled.entrySyntaxError}`, 1);
    const handoverDir = join(config.tempDir, "handover");
    mkdirSync(handoverDir, { mode: 0o700 });
    config.handover = writeHandover(handoverDir, precompiled.compiled);
    return precompiled;
  } catch (err) {
    if (early) await endEarly(early, null);
    throw err;
  }
}

/** The complete config in place of the early one (atomically: the child reads it once it has its go), then the go. */
function sendGo(early: EarlyChild, config: ChildConfig, configPath: string): void {
  writeConfig(configPath, { ...config, esmHooks: early.esmHooks });
  const channel = early.child.stdio[GO_FD] as Writable;
  // A child that has just died: its end is seen by waitForChild.
  channel.on("error", () => undefined);
  channel.end("1");
}

/**
 * End an early child that must not run the program: it has not had its go, so it has run nothing
 * of the program and printed nothing. Killed and waited for, and what its collector may have
 * written before (its thread's snapshots) removed, so that a child spawned next starts clean.
 */
async function endEarly(early: EarlyChild, config: ChildConfig | null): Promise<void> {
  early.child.kill("SIGKILL");
  await early.exited.catch(() => undefined);
  if (!config) return;
  for (const file of [config.outFile, config.errorFile, config.planFile, config.snapshotFile]) rmSync(file, { force: true });
}

/** Written whole under a private name and renamed into place: a reader sees the old or the new config. */
function writeConfig(path: string, config: ChildConfig): void {
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(config), { mode: 0o600, flag: "wx" });
  renameSync(partial, path);
}

/**
 * Wait for the child. Ctrl-C reaches the whole process group: the child saves its profile and
 * exits; we stay to print it. A signal sent to us alone is passed on. Either way the interrupt
 * file tells a child busy in a loop (its JavaScript handler cannot run) through its watchdog.
 */
async function waitForChild(
  child: ChildProcess,
  exited: Launched["exited"],
  interruptFile: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; forwarded: ForwardedSignal | null }> {
  let forwarded: ForwardedSignal | null = null;
  const forward = (sig: ForwardedSignal) => () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    forwarded ??= sig;
    requestInterrupt(interruptFile, sig);
    child.kill(sig);
    // Collectors save within moments (a watchdog thread where the main thread is busy). Past
    // that, do not leave the program running: its latest snapshot stands in for the result.
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }, 5000).unref();
  };
  const handlers = FORWARDED_SIGNALS.map((sig) => [sig, forward(sig)] as const);
  for (const [sig, handler] of handlers) process.on(sig, handler);
  try {
    const { code, signal } = await exited;
    return { code, signal, forwarded };
  } finally {
    for (const [sig, handler] of handlers) process.off(sig, handler);
  }
}

function readJson(file: string): unknown | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

/**
 * Instrumented functions use larger stack frames (a try/finally and the counter locals per call):
 * with V8's default stack limit, recursion that plain node runs would overflow under profiling.
 * Raise the child's limit by the measured growth, within the thread's real stack, unless the user
 * set one.
 */
function stackArgs(plan: ChildPlan, env: NodeJS.ProcessEnv): string[] {
  if (!plan.instrument) return [];
  if ([...(plan.nodeArgs ?? []), env.NODE_OPTIONS ?? ""].some((a) => a.includes("--stack-size"))) return [];
  const wantedKiB = Math.round(V8_DEFAULT_STACK_KIB * INSTRUMENTED_FRAME_GROWTH);
  const limit = mainThreadStackKiB();
  // V8's limit must leave room below the real stack for native frames (GC, regexp, addons).
  if (limit !== null && wantedKiB > limit / 2) return [];
  return [`--stack-size=${wantedKiB}`];
}

/** V8's default --stack-size on 64-bit platforms, KiB. */
const V8_DEFAULT_STACK_KIB = 984;
/**
 * How much more stack an instrumented frame takes. Measured on fixtures/lifecycle/deep.ts run cold
 * (interpreter frames, the largest: each local the instrumenter adds is a register in the frame),
 * deepest recursion that completes: Node 24 plain 9,531, hybrid 8,312 at 1.6× (too little since
 * each function keeps the shared arrays in locals), 10,445 at 2×; trace 12,882; Node 20 plain
 * 10,140, hybrid 11,359 at 2×.
 */
const INSTRUMENTED_FRAME_GROWTH = 2;

/** The soft limit of the main thread's stack (ulimit -s), KiB; null when unlimited or unknown. */
function mainThreadStackKiB(): number | null {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max stack size"));
    const soft = line?.split(/\s{2,}/)[1];
    if (!soft || soft === "unlimited") return null;
    return Number(soft) / 1024;
  } catch {
    return 8192;
  }
}

/**
 * The exit code tsprof should return for a child outcome: the script's own, or 128+signal. A child
 * that tsprof passed a signal on to and then had to end (SIGKILL) counts as ended by that signal.
 */
export function exitCodeOf(outcome: {
  exitCode: number | null;
  signal: NodeJS.Signals | string | null;
  forwardedSignal?: ForwardedSignal | null;
}): number {
  if (outcome.exitCode !== null) return outcome.exitCode;
  if (outcome.forwardedSignal && outcome.signal === "SIGKILL") return signalExitCode(outcome.forwardedSignal);
  return signalExitCode(outcome.signal ?? "");
}
