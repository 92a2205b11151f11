/**
 * A worker thread inside the profiled program. The counters and times live in shared memory, so
 * this thread can read them while the main thread is busy in a tight loop, where no JavaScript
 * signal handler can run. It:
 * - hybrid mode: samples the shadow line stack (stack[0] = depth, stack[d] = the slot frame d is on)
 *   and adds the elapsed wall time to every slot on the stack, once each, so a line's time includes
 *   the functions it calls, as in line_profiler;
 * - writes a snapshot of the result every second, so a program that aborts or is killed still
 *   leaves its profile up to then;
 * - on Ctrl-C, if the main thread does not answer within a grace period (busy loop), writes the
 *   profile itself and ends the process.
 */
import { workerData, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import { existsSync } from "node:fs";
import type { LineProfileResult } from "@tsprof/core";
import type { FileMeta } from "@tsprof/runner";
import type { FileData } from "./build-result";
import { readSource, sharedViews, fileViews, OWN_DIRS, Control, type WorkerInput } from "./shared";

const input = workerData as WorkerInput;
const views = sharedViews(input.buffers);
const { control, timeMs, stack } = views;
const port = input.port as MessagePort;
const files: FileData[] = [];

function drainMeta(): void {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const { meta, base, fnBase } = m.message as { meta: FileMeta; base: number; fnBase: number };
    files.push(fileViews(views, meta, base, fnBase));
  }
}

function writeResult(signal: string | null, exitCode: number, note: string): void {
  drainMeta();
  const result: LineProfileResult = {
    ...(input.header as Omit<LineProfileResult, "functions" | "summary" | "notes" | "durationNs" | "exitCode" | "signal">),
    durationNs: Math.round((performance.now() - started) * 1e6),
    exitCode,
    signal,
    functions: [],
    summary: [],
    notes: [note],
  };
  // Loaded on the first write only (a second into the run): the worker starts small and fast.
  const { buildLineResult } = require("./build-result") as typeof import("./build-result");
  const { writeResultFile } = require("@tsprof/core/dist/io") as typeof import("@tsprof/core/dist/io");
  buildLineResult(result, files, null, { readSource, ownDirs: OWN_DIRS }, stack);
  writeResultFile(input.outFile, result);
}

const started = performance.now();
const sampleMs = stack ? input.lineSampleUs / 1000 : 50;
const seen = new Int32Array(4096);
let last = performance.now();
let lastSnapshot = last;
let lastInterruptCheck = last;
let interruptSeenAt = 0;
Atomics.store(control, Control.Ready, 1);
Atomics.notify(control, Control.Ready);

while (Atomics.load(control, Control.Stop) === 0) {
  Atomics.wait(control, Control.Stop, 0, sampleMs);
  const now = performance.now();
  if (stack) {
    const dt = now - last;
    let depth = stack[0];
    if (depth >= stack.length) depth = stack.length - 1;
    let n = 0;
    outer: for (let d = 1; d <= depth; d++) {
      const slot = stack[d];
      // 0: this call is not inside a statement that calls out; its own lines get V8's ticks.
      if (slot <= 0) continue;
      for (let i = 0; i < n; i++) if (seen[i] === slot) continue outer;
      if (n < seen.length) seen[n++] = slot;
      timeMs[slot] += dt;
    }
  }
  last = now;
  if (now - lastInterruptCheck >= 50) {
    lastInterruptCheck = now;
    if (process.ppid !== input.parentPid) {
      // tsprof itself is gone (killed): nobody will print this profile, and nobody will stop this
      // program. Save it where it was going, and end.
      writeResult("SIGHUP", 129, "tsprof exited while the program ran: saved by the watchdog thread");
      process.kill(process.pid, "SIGKILL");
    }
    if (!interruptSeenAt && existsSync(input.interruptFile)) interruptSeenAt = now;
    if (interruptSeenAt && now - interruptSeenAt > input.graceMs && Atomics.load(control, Control.Stop) === 0) {
      // The main thread did not get to its SIGINT handler: it is busy. Save and end here.
      writeResult("SIGINT", 130, "interrupted while busy: the profile was saved by tsprof's watchdog thread (no CPU summary)");
      process.kill(process.pid, "SIGKILL");
    }
  }
  if (now - lastSnapshot >= input.snapshotMs && Atomics.load(control, Control.Stop) === 0) {
    lastSnapshot = now;
    writeResult(null, -1, "snapshot: the program ended before tsprof's final write (killed, aborted or out of memory); counts are from the last snapshot");
    // The snapshot's own time is not the program's: do not charge it to the line running now.
    last = performance.now();
  }
}
Atomics.store(control, Control.Acknowledged, 1);
Atomics.notify(control, Control.Acknowledged);
