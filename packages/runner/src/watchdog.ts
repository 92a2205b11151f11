/**
 * For a collector's worker thread: act on the parent's interrupt file while the main thread is busy.
 *
 * After a grace period (the main thread's own signal handler gets the first chance), it asks the main
 * thread through the inspector to run the interrupt hook, which saves the full final result (CPU
 * profile included). The process is then ended from this thread with SIGKILL: ending it from the
 * main thread while an inspector session is attached makes Node print "Waiting for the debugger to
 * disconnect..." and wait. The parent knows which signal it passed on and reports 128+that.
 * If even the hook does not run (the main thread is stuck in native code), poll() says "stuck" and
 * the caller saves what it can itself.
 */
import type { Session } from "node:inspector";
import { HookState, INTERRUPT_HOOK, interruptRequested, type ForwardedSignal } from "./interrupt";

export interface WatchdogOptions {
  interruptFile: string;
  /** Int32Array(1) over a SharedArrayBuffer shared with register.ts's hook. */
  hookState: Int32Array;
  /** How long the main thread may take to answer by itself, and then to run the hook, ms. */
  graceMs: number;
  /** tsprof's pid: when this process's parent changes, tsprof is gone (0: do not watch). */
  parentPid: number;
}

export type WatchdogVerdict = "running" | "stuck" | "orphaned";

export class InterruptWatchdog {
  private seenAt = 0;
  private hookAskedAt = 0;
  private session: Session | null = null;
  signal: ForwardedSignal | null = null;

  constructor(private readonly options: WatchdogOptions) {}

  /** Call every few tens of milliseconds while the main thread has not finished. */
  poll(now: number): WatchdogVerdict {
    if (Atomics.load(this.options.hookState, 0) === HookState.Saved) this.end();
    if (this.options.parentPid > 0 && process.ppid !== this.options.parentPid) return "orphaned";
    if (!this.seenAt) {
      this.signal = interruptRequested(this.options.interruptFile);
      if (this.signal) this.seenAt = now;
      return "running";
    }
    if (!this.hookAskedAt && now - this.seenAt > this.options.graceMs) {
      this.hookAskedAt = now;
      this.askHook();
    }
    if (this.hookAskedAt && now - this.hookAskedAt > this.options.graceMs * 3) return "stuck";
    return "running";
  }

  private askHook(): void {
    try {
      // node:inspector loads only now (an interrupt during a busy loop), not in every profiled process.
      const { Session: InspectorSession } = require("node:inspector") as typeof import("node:inspector");
      this.session = new InspectorSession();
      this.session.connectToMainThread();
      this.session.post("Runtime.evaluate", { expression: `globalThis.${INTERRUPT_HOOK}?.(${JSON.stringify(this.signal)})`, silent: true }, () => undefined);
    } catch {
      // No inspector (node built without it): the caller's fallback saves the counters.
      this.session = null;
    }
  }

  /**
   * After the worker's loop has stopped (the main thread is finishing): if the hook was asked for,
   * the main thread is saving inside it; wait for it and end the process.
   */
  afterStop(): void {
    if (!this.hookAskedAt) return;
    Atomics.wait(this.options.hookState, 0, HookState.Idle, this.options.graceMs * 10);
    if (Atomics.load(this.options.hookState, 0) === HookState.Saved) this.end();
  }

  /** The hook has saved: end the process without running exit hooks (see the file's comment). */
  end(): never {
    process.kill(process.pid, "SIGKILL");
    // Not reached: SIGKILL is not caught.
    throw new Error("unreachable");
  }
}
