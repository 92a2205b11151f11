import { spawn, spawnSync, type StdioOptions } from "node:child_process";
import { readFileSync } from "node:fs";

/** GNU env, which can start a program with signals ignored (coreutils 8.31+). */
const ENV_PROGRAM = "/usr/bin/env";
let shieldPrefix: string[] | null | undefined;

/**
 * The argv prefix that starts perf with SIGTERM and SIGHUP ignored, or null where env cannot.
 * Why: perf stat prints its counts on Ctrl-C but dies silently of SIGTERM/SIGHUP. Sent to tsprof
 * alone, tsprof passes them to the program and perf survives to print; sent to the whole process
 * group (`timeout`, `kill -TERM -<pgid>`, a closing terminal, systemd or a CI runner stopping a job),
 * they would reach perf too and the counts would be lost. Ignored dispositions are inherited
 * across exec: perf keeps ignoring them (it installs no handler for them), and so would the program
 * perf starts; only use this for Node programs, which reset every signal to its default at start-up.
 */
export function groupSignalShield(): string[] | null {
  if (shieldPrefix === undefined) {
    const args = ["--ignore-signal=TERM", "--ignore-signal=HUP"];
    const probe = spawnSync(ENV_PROGRAM, [...args, "--version"], { stdio: "ignore" });
    shieldPrefix = probe.status === 0 ? [ENV_PROGRAM, ...args] : null;
  }
  return shieldPrefix;
}

/**
 * Pass a signal on to the measured program: perf stat runs it as its child (perf itself dies of a
 * SIGTERM without printing and leaves the program running, so the program gets it, and perf
 * prints what it counted); valgrind runs it in its own process.
 */
function signalWorkload(toolPid: number, sig: NodeJS.Signals): void {
  let targets: number[] = [];
  try {
    targets = readFileSync(`/proc/${toolPid}/task/${toolPid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // no /proc: the tool itself gets it
  }
  for (const pid of targets.length ? targets : [toolPid]) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

export interface SpawnOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The end of the child's stderr (also passed through to ours as it came). */
  stderrTail: string;
  /** spawn error code (ENOENT when the program is missing), else null. */
  spawnError: string | null;
  /** A SIGINT (Ctrl-C), SIGTERM or SIGHUP reached this process while the program ran. */
  interrupted: boolean;
  /** SIGTERM or SIGHUP sent to tsprof alone: passed on to the program; the run ends with it. */
  forwardedSignal: NodeJS.Signals | null;
}

/**
 * Run a program (argument array, no shell). Its stderr is passed through and its last 64 KiB
 * kept for diagnosis. While it runs, Ctrl-C reaches it from the terminal and this process
 * ignores SIGINT so it survives to print what was measured; SIGTERM and SIGHUP, sent to tsprof
 * alone, are passed on to the program, and tsprof stays to print and clean up as well.
 */
export function runTool(
  program: string,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    stdout: "inherit" | "stderr" | "ignore";
    cwd?: string;
    /**
     * For a caller that owns the terminal (a live dashboard): no stdin, stderr kept but not passed
     * through, no signal handlers; `signal` ends the program (and so the tool) instead.
     */
    quiet?: { signal?: AbortSignal };
  },
): Promise<SpawnOutcome> {
  if (options.quiet) return runQuietTool(program, args, options, options.quiet.signal);
  return new Promise((resolve) => {
    const stdout = options.stdout === "stderr" ? 2 : options.stdout;
    const stdio: StdioOptions = ["inherit", stdout, "pipe"];
    let tail = "";
    let interrupted = false;
    let forwardedSignal: NodeJS.Signals | null = null;
    let child: ReturnType<typeof spawn> | undefined;
    const ignoreSigint = () => {
      interrupted = true;
    };
    const forward = (sig: NodeJS.Signals) => () => {
      interrupted = true;
      forwardedSignal ??= sig;
      if (child?.pid !== undefined) signalWorkload(child.pid, sig);
    };
    const onTerm = forward("SIGTERM");
    const onHup = forward("SIGHUP");
    process.on("SIGINT", ignoreSigint);
    process.on("SIGTERM", onTerm);
    process.on("SIGHUP", onHup);
    let settled = false;
    const finish = (outcome: Omit<SpawnOutcome, "interrupted" | "forwardedSignal">) => {
      if (settled) return;
      settled = true;
      process.removeListener("SIGINT", ignoreSigint);
      process.removeListener("SIGTERM", onTerm);
      process.removeListener("SIGHUP", onHup);
      resolve({ ...outcome, interrupted, forwardedSignal });
    };
    try {
      child = spawn(program, args, { stdio, env: options.env ?? process.env, cwd: options.cwd });
    } catch (err) {
      finish({ exitCode: null, signal: null, stderrTail: "", spawnError: (err as NodeJS.ErrnoException).code ?? "EINVAL" });
      return;
    }
    const running = child;
    running.stderr?.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString("utf8")).slice(-65536);
    });
    running.on("error", (err: NodeJS.ErrnoException) => {
      finish({ exitCode: null, signal: null, stderrTail: tail, spawnError: err.code ?? "ERROR" });
    });
    running.on("close", (code, signal) => finish({ exitCode: code, signal, stderrTail: tail, spawnError: null }));
  });
}

/** runTool's quiet form: see its `quiet` option. */
function runQuietTool(program: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string }, signal?: AbortSignal): Promise<SpawnOutcome> {
  return new Promise((resolve) => {
    const base = { interrupted: false, forwardedSignal: null };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(program, args, { stdio: ["ignore", "ignore", "pipe"], env: options.env ?? process.env, cwd: options.cwd });
    } catch (err) {
      resolve({ ...base, exitCode: null, signal: null, stderrTail: "", spawnError: (err as NodeJS.ErrnoException).code ?? "EINVAL" });
      return;
    }
    let tail = "";
    let settled = false;
    const onAbort = () => child.pid !== undefined && signalWorkload(child.pid, "SIGTERM");
    signal?.addEventListener("abort", onAbort, { once: true });
    const finish = (outcome: Omit<SpawnOutcome, "interrupted" | "forwardedSignal">) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      resolve({ ...outcome, interrupted: signal?.aborted ?? false, forwardedSignal: null });
    };
    child.stderr?.on("data", (chunk: Buffer) => (tail = (tail + chunk.toString("utf8")).slice(-65536)));
    child.on("error", (err: NodeJS.ErrnoException) => finish({ exitCode: null, signal: null, stderrTail: tail, spawnError: err.code ?? "ERROR" }));
    child.on("close", (code, sig) => finish({ exitCode: code, signal: sig, stderrTail: tail, spawnError: null }));
  });
}
