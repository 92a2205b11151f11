/**
 * Sampler thread of `tsprof mem --plot`, started inside the profiled program by plot-collector.
 *
 * Why a worker: a timer on the main thread does not fire while the script computes, which is
 * exactly when memory moves. This thread instead asks the main thread's inspector for
 * `process.memoryUsage()`: inspector messages are dispatched on the main thread through V8
 * interrupts, so the answer comes back within a fraction of a millisecond even in a busy loop.
 * It also closes brackets of profiled functions that returned (see BracketTable), so that a
 * crash right after a call still leaves the bracket's true end in the recording.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { HookState, INTERRUPT_HOOK, interruptRequested } from "@tsprof/runner/child";
import { Session } from "node:inspector";
import { parentPort, workerData } from "node:worker_threads";
import { recordingLine } from "./recording";
import { BracketTable, epochNow, SAMPLER_CONNECTED, SAMPLER_DONE, SAMPLER_IDLE } from "./brackets";

interface HeapWorkerData {
  recordingPath: string;
  /** The run's interrupt file: the parent writes the signal's name there (runner's interrupt.ts). */
  interruptPath: string;
  intervalMs: number;
  brackets: SharedArrayBuffer;
  stopFlag: SharedArrayBuffer;
  /** The interrupt hook's state (runner's HookState). */
  hookState: SharedArrayBuffer;
}

const data = workerData as HeapWorkerData;
const fd = openSync(data.recordingPath, "a");
const table = BracketTable.attach(data.brackets);
const state = new Int32Array(data.stopFlag);
// Connect only if the main thread is not already exiting (see SAMPLER_* in plot-collector).
const connected = Atomics.compareExchange(state, 0, SAMPLER_IDLE, SAMPLER_CONNECTED) === SAMPLER_IDLE;
const session = new Session();
if (connected) session.connectToMainThread();
// The main thread waits for this (plot-collector's baseline) before the script starts: wake it.
Atomics.notify(state, 0);

let pending = false;
let stopped = false;

function write(text: string): void {
  if (!stopped) writeSync(fd, text);
}

let interruptSeen = 0;
let signal: string | null = null;
let interruptSent = false;

/**
 * Ctrl-C (or SIGTERM, SIGHUP) while the script computes: the signal waits for an event loop that a
 * busy script never frees. The parent marks the interrupt with a file; if the program is still
 * running a moment later, run the runner's interrupt hook on the main thread through an inspector
 * evaluation (between two statements of the busy code). The hook saves and waits; this thread ends
 * the process once it has (see stop below): exiting from inside the evaluation would make Node
 * print "Waiting for the debugger to disconnect..." and wait.
 */
function checkInterrupt(now: number): void {
  if (interruptSent) return;
  if (interruptSeen === 0) {
    signal = interruptRequested(data.interruptPath);
    if (signal) interruptSeen = now;
    return;
  }
  if (now - interruptSeen < 200) return;
  interruptSent = true;
  session.post("Runtime.evaluate", { expression: `globalThis.${INTERRUPT_HOOK}?.(${JSON.stringify(signal)})`, silent: true }, () => undefined);
}

function tick(): void {
  if (!connected) return;
  const requested = epochNow();
  checkInterrupt(requested);
  table.closeIdle(requested, data.intervalMs, (id, t) => write(recordingLine({ type: "close", t, id })));
  // One request in flight at most: if the main thread is inside a long native call, do not queue.
  if (pending) return;
  pending = true;
  session.post(
    "Runtime.evaluate",
    { expression: "process.memoryUsage()", returnByValue: true, silent: true },
    (err, response) => {
      pending = false;
      if (err || !response || response.exceptionDetails) return;
      const usage = response.result.value as NodeJS.MemoryUsage;
      const answered = epochNow();
      write(
        recordingLine({
          type: "heap",
          t: (requested + answered) / 2,
          heapUsed: usage.heapUsed,
          heapTotal: usage.heapTotal,
          external: usage.external,
          arrayBuffers: usage.arrayBuffers,
        }),
      );
    },
  );
}

const timer = setInterval(tick, data.intervalMs);
if (connected) tick();
else clearInterval(timer);

// The main thread is exiting: disconnect (else node prints "Waiting for the debugger to
// disconnect..." and waits), close the file, and wake the main thread.
parentPort?.on("message", () => {
  clearInterval(timer);
  stopped = true;
  try {
    if (connected) session.disconnect();
  } catch {
    // already gone
  }
  closeSync(fd);
  Atomics.store(state, 0, SAMPLER_DONE);
  Atomics.notify(state, 0);
  if (interruptSent) {
    // The main thread is finishing inside the interrupt hook: end the process once it has saved.
    const hook = new Int32Array(data.hookState);
    Atomics.wait(hook, 0, HookState.Idle, 5000);
    if (Atomics.load(hook, 0) === HookState.Saved) process.kill(process.pid, "SIGKILL");
  }
});
