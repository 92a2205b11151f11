/**
 * The one Ctrl-C scheme of every collector. A signal reaches the child's JavaScript handler only
 * when its event loop is free; a script busy in a loop never gets there. So the parent also writes
 * the signal's name into one file in the run's temp dir, and whatever in the child can look
 * (a worker thread's loop, a line event) acts on it: see watchdog.ts for worker threads.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Name of the interrupt file inside the run's temp dir. */
export const INTERRUPT_FILE = "interrupt";

/** The signals tsprof passes on to the child, and the exit codes they mean (128 + number). */
export const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];

const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

/** The shell's exit code for a process ended by `signal`: 128 + its number. */
export function signalExitCode(signal: string): number {
  return 128 + (SIGNAL_NUMBERS[signal] ?? 1);
}

export function interruptPath(tempDir: string): string {
  return join(tempDir, INTERRUPT_FILE);
}

/** Parent side: mark the interrupt for the child (the file holds the signal's name). */
export function requestInterrupt(file: string, signal: ForwardedSignal): void {
  try {
    writeFileSync(file, signal);
  } catch {
    // The temp dir is ours; if it is gone, the signal alone must do.
  }
}

/** Child side: the signal the parent passed on, or null. */
export function interruptRequested(file: string): ForwardedSignal | null {
  if (!existsSync(file)) return null;
  let text = "";
  try {
    text = readFileSync(file, "utf8").trim();
  } catch {
    // Being written: the next look reads it.
    return null;
  }
  return (FORWARDED_SIGNALS as readonly string[]).includes(text) ? (text as ForwardedSignal) : "SIGINT";
}

/**
 * The child's interrupt hook, installed by register.ts as `globalThis[INTERRUPT_HOOK]`: a watchdog
 * thread evaluates a call to it on the main thread (through the inspector, which runs between two
 * statements of a busy loop). It saves the collector's final result and then waits to be ended.
 */
export const INTERRUPT_HOOK = "__tsprofInterrupt";

/** States of the shared Int32Array(1) the hook and the watchdog use. */
export const HookState = {
  Idle: 0,
  /** The hook saved the final result: the watchdog ends the process. */
  Saved: 1,
} as const;
