/**
 * Loaded into the child with `node --import <this file>` before the user's script.
 * - installs the TypeScript loader (ESM hooks in Node's loader thread, a require hook for CommonJS);
 * - when the parent asked for a collector (line, mem), loads it as `globalThis.__tsprof` and makes
 *   sure it can save its result however the program ends: normal end, `process.exit(n)`, an
 *   uncaught error, Ctrl-C or SIGTERM.
 */
// First: the RSS before any of tsprof's modules load (tsprof's own share, reported by mem).
import { rssBeforeTsprof } from "./start-rss";
import Module, { register } from "node:module";
import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";
import { isAbsolute, join, resolve } from "node:path";
import { avoidEsbuildWorkerThread, compileFile, formatOf, isUserFile, mayInstrument, wantsInstrumentation, useCompileCache, ScriptSyntaxError, type InstrumentPlan } from "./compile";
import { CONFIG_ENV, GO_FD_ENV, type ChildConfig } from "./config";
import { pathsCandidates } from "./tsconfig";
import { watchSpawned } from "./spawned";
import { handedOver } from "./handover";
import { readConfigAfterGo, waitForGo } from "./early-start";
import type { HookData } from "./hook-rules";
import { installThreadCollector, readThreadConfig, shareConfigWithThreads } from "./threads";
import { readChildProcessConfig, shareConfigWithChildren } from "./processes";

import type { Collector, CollectorModule } from "./collector";
import { FORWARDED_SIGNALS, HookState, INTERRUPT_HOOK, signalExitCode, type ForwardedSignal } from "./interrupt";

// Kept: an early-started child reads it again after its go (early-start.ts).
const configPath = process.env[CONFIG_ENV];

/** An early-started child's go channel (config.ts GO_FD_ENV); the program must not see the variable. */
function readGoFd(): number | undefined {
  const value = process.env[GO_FD_ENV];
  delete process.env[GO_FD_ENV];
  return value === undefined ? undefined : Number(value);
}

function readConfig(): ChildConfig | null {
  const path = configPath;
  // A Node child of the profiled program, when the command profiles them (processes.ts).
  if (!path) return readChildProcessConfig();
  // Children of the profiled program must not inherit this profiling (the program's own).
  delete process.env[CONFIG_ENV];
  // Its worker threads must (they copy process.env as they start).
  shareConfigWithThreads(path);
  const config = JSON.parse(readFileSync(path, "utf8")) as ChildConfig;
  if (config.profileChildren) shareConfigWithChildren(path);
  return config;
}

const config = readConfig();
// A worker thread of the profiled program: profiled like the main thread where the collector can (threads.ts).
const thread = config ? null : readThreadConfig();
// (A worker under a collector without a thread side runs unprofiled: not the run's compiled code either.)
const runConfig = config ?? (thread?.module ? thread.config : null);
const plan: InstrumentPlan | null = runConfig?.instrument ?? null;

// A profiled child: the parent compiled before launch; a compile here is a miss worth a line.
const compileNote = runConfig ? `tsprof: compiling %s inside the profiled process (not found before launch)\n` : null;
if (runConfig) {
  useCompileCache(runConfig.cacheDir ?? null, (file) => process.stderr.write(compileNote!.replace("%s", file)));
  avoidEsbuildWorkerThread();
}

// An early-started child (it waits for the parent's go at the end of this file): its hooks are
// ready before the go (on Node 20, their loader thread starts meanwhile) and read the handover,
// which comes with the go, from the config at their first load.
const goFd = config ? readGoFd() : undefined;
if (wantsModuleHooks()) {
  const handover = goFd === undefined ? { handover: runConfig?.handover ?? null } : { handoverConfig: configPath ?? null };
  installModuleHooks({ instrument: plan, cacheDir: runConfig?.cacheDir ?? null, compileNote, ...handover });
}

/**
 * A profiled run's config says whether its program needs the ES module hooks. With no run config
 * (a plain run through the loader: perf's, a benchmark's baseline), preloading with --require is
 * the caller's promise that every file is CommonJS (loaderExecArgv({ esmHooks: false })): then only
 * the require hook below is needed, and Node 20 is spared the hooks thread; --import keeps them.
 */
function wantsModuleHooks(): boolean {
  if (runConfig) return runConfig.esmHooks !== false;
  const argv = process.execArgv;
  const isThisFile = (path: string | undefined) => {
    if (path === undefined) return false;
    try {
      // Node runs a preloaded file from its real path: a link to it (node_modules/@tsprof/runner) is the same file.
      return realpathSync(resolve(path)) === __filename;
    } catch {
      return false;
    }
  };
  return !argv.some((arg, i) => ((arg === "--require" || arg === "-r") && isThisFile(argv[i + 1])) || (arg.startsWith("--require=") && isThisFile(arg.slice("--require=".length))));
}

/**
 * ES module hooks: in-thread where Node has `module.registerHooks` (22.15+, 23.5+, 24), else in
 * Node's loader thread (`module.register`), which costs the profiled process a thread of its own.
 * TSPROF_HOOKS=thread keeps the loader thread (to compare).
 */
function installModuleHooks(data: HookData): void {
  const registerHooks = (Module as unknown as { registerHooks?: (hooks: object) => unknown }).registerHooks;
  if (typeof registerHooks === "function" && process.env.TSPROF_HOOKS !== "thread") {
    const { createSyncHooks } = require("./hooks-sync") as typeof import("./hooks-sync");
    registerHooks(createSyncHooks(data));
    return;
  }
  register(pathToFileURL(join(__dirname, "hooks.mjs")).href, pathToFileURL(__filename).href, { data });
}

// CommonJS: compile TypeScript (and instrumented user JavaScript) in require().
type CompileHook = (module: { _compile(code: string, file: string): void }, filename: string) => void;
const extensions = (Module as unknown as { _extensions: Record<string, CompileHook> })._extensions;
// The parent compiled before launch (handover.ts); compileFile is the fallback for what it missed.
// (Read at each compile: an early-started child has it only from its go on.)
const compiled = (filename: string, source: string): string =>
  handedOver(runConfig?.handover ?? null, filename, "commonjs", source) ?? compileFile(filename, source, "commonjs", plan).code;
const compileHook: CompileHook = (module, filename) => {
  module._compile(compiled(filename, readFileSync(filename, "utf8")), filename);
};
for (const ext of [".ts", ".cts", ".tsx"]) extensions[ext] = compileHook;
if (plan) {
  // .cjs too where Node registers it (Node 20 hands .cjs to the .js handler).
  for (const ext of [".js", ".cjs"]) {
    const plainJs = extensions[ext];
    if (!plainJs) continue;
    extensions[ext] = (module, filename) => {
      if (!mayInstrument(filename, plan) || formatOf(filename) !== "commonjs") return plainJs(module, filename);
      const source = readFileSync(filename, "utf8");
      if (!wantsInstrumentation(filename, source, plan)) return plainJs(module, filename);
      module._compile(compiled(filename, source), filename);
    };
  }
}
// `require("./x.js")` where only x.ts exists: TypeScript's own import convention.
const moduleStatics = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolveFilename = moduleStatics._resolveFilename;
moduleStatics._resolveFilename = function (request: string, ...rest: unknown[]): string {
  // tsconfig `paths`/`baseUrl` aliases of a bare specifier come first, as under tsc.
  const parent = rest[0] as { filename?: string | null } | undefined;
  if (parent?.filename && !request.startsWith(".") && !isAbsolute(request) && isUserFile(parent.filename)) {
    for (const target of pathsCandidates(request, parent.filename)) {
      const m = /\.(c|m)?js$/.exec(target);
      const spellings = m ? [target, target.slice(0, -m[0].length) + (m[1] === "c" ? ".cts" : m[1] === "m" ? ".mts" : ".ts")] : [target];
      for (const spelling of spellings) {
        try {
          return resolveFilename.call(this, spelling, ...rest);
        } catch {
          // try the next mapping
        }
      }
    }
  }
  try {
    return resolveFilename.call(this, request, ...rest);
  } catch (err) {
    const m = /\.(c|m)?js$/.exec(request);
    if (!m || !(request.startsWith(".") || request.startsWith("/"))) throw err;
    const ts = request.slice(0, -m[0].length) + (m[1] === "c" ? ".cts" : m[1] === "m" ? ".mts" : ".ts");
    try {
      return resolveFilename.call(this, ts, ...rest);
    } catch {
      throw err;
    }
  }
};

/** The text we show for an uncaught error: syntax errors as file:line:col, others as Node would. */
export function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string } | undefined;
  if (err instanceof ScriptSyntaxError || e?.code === "TSPROF_SYNTAX") return `SyntaxError: ${e?.message ?? String(err)}`;
  // The require hook that compiled the user's module sits on its stack: not the user's concern.
  return inspect(err)
    .split("\n")
    .filter((line) => !(line.includes(__dirname) && /^\s+at /.test(line)))
    .join("\n");
}


// Early start: the collector is created (its thread starting) before the go, and starts after it.
const startCollector = config?.collector ? installCollector(config, goFd !== undefined) : null;
if (!config?.collector && thread?.module) installThreadCollector(thread);
else if (!config?.collector) {
  // Plain runs (perf, dashboard): only make our syntax errors read as one clear line, and only
  // when the script has no handler of its own.
  process.on("uncaughtException", (err) => {
    if (process.listenerCount("uncaughtException") > 1) return;
    process.stderr.write(`${describeError(err)}\n`);
    process.exit(1);
  });
}
if (goFd === undefined) startCollector?.();
else startAfterGo(goFd);

/**
 * An early-started child waits here for the parent's go. Without one (the parent failed, was
 * stopped or replaces it) it ends at once: nothing of the program ran, its collector saves
 * nothing, nothing is printed. With it: the complete config (the require hook's handover), the
 * collector's start (its clocks and V8's sampler start now: the wait is not the program's).
 */
function startAfterGo(fd: number): void {
  if (!waitForGo(fd)) process.exit(0);
  const complete = readConfigAfterGo(configPath!);
  Object.assign(config!, complete);
  startCollector?.();
}

/**
 * Load the collector and make sure it can save its result however the program ends: normal end,
 * process.exit(n), an uncaught error, a signal, Ctrl-C during a busy loop (the interrupt hook),
 * process.abort(). Handlers come first: a Ctrl-C during start-up must not kill the child before it
 * can save.
 */
function installCollector(config: ChildConfig, early: boolean): () => void {
  let collector: Collector | null = null;
  // An early-started child saves nothing before its go: the program has not started.
  let started = false;
  let signal: string | null = null;
  let error: string | null = null;
  let finished = false;
  const finishOnce = (exitCode: number): void => {
    if (finished || !collector || !started) return;
    finished = true;
    try {
      collector.finish({ exitCode, signal, error });
    } catch (err) {
      // A child process that outlived the program: the run (and its folder) is over; nothing to say.
      if (config.childProcess && !existsSync(config.tempDir)) return;
      // A full disk or file size limit while saving: one line, not a stack trace; the parent reports the loss.
      process.stderr.write(`tsprof: cannot save the profile: ${(err as Error).message.split("\n")[0]}\n`);
      if (exitCode === 0) process.exitCode = 1;
    }
  };
  process.on("uncaughtException", (err) => {
    // The script's own handler decides, as without tsprof (the process goes on unless it exits).
    if (process.listenerCount("uncaughtException") > 1) return;
    error = describeError(err);
    // Kept for the parent, which prints it after the tables, as kernprof shows them before the
    // traceback. (A child process of the program prints it as Node would: its parent may read it.)
    try {
      if (config.childProcess) process.stderr.write(`${error}\n`);
      else writeFileSync(config.errorFile, error);
    } catch {
      process.stderr.write(`${error}\n`);
    }
    process.exit(1);
  });
  for (const name of FORWARDED_SIGNALS) {
    process.on(name, () => {
      signal = name;
      // The script's own handler decides, as without tsprof; the parent ends a child that ignores it.
      if (process.listenerCount(name) > 1) return;
      process.exit(signalExitCode(name));
    });
  }
  process.on("exit", (code) => finishOnce(code));
  // A script that aborts itself: save first (the abort itself runs no JavaScript).
  const abort = process.abort.bind(process);
  process.abort = (): never => {
    signal = "SIGABRT";
    finishOnce(signalExitCode("SIGABRT"));
    return abort();
  };
  const hookState = new SharedArrayBuffer(4);
  // Run by a watchdog thread through the inspector when the main thread is busy (see watchdog.ts).
  (globalThis as Record<string, unknown>)[INTERRUPT_HOOK] = (name: ForwardedSignal): void => {
    if (finished) return;
    signal = name;
    finishOnce(signalExitCode(name));
    const state = new Int32Array(hookState);
    Atomics.store(state, 0, HookState.Saved);
    Atomics.notify(state, 0);
    // The watchdog ends the process now; the script must not run on meanwhile.
    Atomics.wait(state, 0, HookState.Saved, 10_000);
    process.exit(signalExitCode(name));
  };
  const collectorModule = require(config.collector!) as CollectorModule;
  const create = (): void => {
    collector = createCollector(collectorModule, config, hookState);
  };
  if (!early || collectorModule.createsEarly) create();
  return () => {
    started = true;
    if (!collector) create();
    collector!.start?.();
    // From here on, threads and processes are the program's own: count what goes unprofiled.
    watchSpawned(config.tempDir);
  };
}

function createCollector(collectorModule: CollectorModule, config: ChildConfig, hookState: SharedArrayBuffer): Collector {
  const collector = collectorModule.create(config.collectorOptions, {
    outFile: config.outFile,
    tempDir: config.tempDir,
    interruptFile: config.interruptFile,
    planFile: config.planFile,
    snapshotFile: config.snapshotFile,
    hookState,
    // A child process of the program may outlive it: its parent's end is not tsprof's.
    parentPid: config.childProcess ? 0 : process.ppid,
    rssBeforeTsprof,
  });
  (globalThis as { __tsprof?: Collector }).__tsprof = collector;
  return collector;
}

// The user's code maps its stack traces to its own lines; tsprof's modules, loaded above, are
// spared the cost of parsing their source maps.
process.setSourceMapsEnabled(true);
