/**
 * A worker thread inside the profiled program. The counters and times live in shared memory, so
 * this thread can read them while the main thread is busy in a tight loop, where no JavaScript
 * signal handler can run. It:
 * - hybrid mode: samples the shadow line stack (stack[0] = depth, stack[d] = the slot frame d is on)
 *   and adds the elapsed wall time to every slot on the stack, once each, so a line's time includes
 *   the functions it calls, as in line_profiler;
 * - copies the counters to the run's snapshot file as each file registers and every few tens of
 *   milliseconds, so a program that is killed, aborts or runs out of memory, however early, still
 *   leaves its profile up to then (the parent rebuilds it; see runner's snapshot.ts);
 * - on Ctrl-C (or SIGTERM, SIGHUP) during a busy loop, has the main thread save the full result
 *   through runner's InterruptWatchdog, or saves the counters itself if even that cannot run.
 */
import { workerData, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import type { FileMeta } from "@tsprof/runner";
import { InterruptWatchdog, ThreadInbox, writeSnapshot } from "@tsprof/runner/child";
import type { FileData } from "./build-result";
import { readSource, sharedViews, fileViews, OWN_DIRS, Control, snapshotSections, emptyResult, bodyOf, FirstCallWatch, type ThreadMessage, type WorkerInput } from "./shared";

const input = workerData as WorkerInput;
const views = sharedViews(input.buffers);
const { control, timeMs, stack } = views;
const port = input.port as MessagePort;
const files: FileData[] = [];
const watchdog = new InterruptWatchdog({
  interruptFile: input.interruptFile,
  hookState: new Int32Array(input.hookState),
  graceMs: input.graceMs,
  parentPid: input.parentPid,
});

/** Functions not called yet, looked at a few per wake-up (a snapshot follows each first call). */
const uncalled = new FirstCallWatch(views);

/** Take the files registered since the last look; true when there were any. */
function drainMeta(): boolean {
  let any = false;
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const { meta, base, fnBase } = m.message as { meta: FileMeta; base: number; fnBase: number };
    files.push(fileViews(views, meta, base, fnBase));
    meta.functions.forEach((fn, i) => uncalled.add(base + fn.entrySlot, fnBase + i));
    any = true;
  }
  return any;
}

/** True when a function was called for the first time since the last look (see FirstCallWatch). */
function firstCalls(): boolean {
  return uncalled.check();
}

/** The last resort (tsprof gone, or the main thread stuck in native code): save the counters here. */
function writeResultAndEnd(note: string): never {
  drainMeta();
  const result = emptyResult(input.mode, input.timerUnit, Math.round((performance.now() - started) * 1e6), [note]);
  // Loaded here only (the last resort): the worker starts small and fast.
  const { buildLineResult } = require("./build-result") as typeof import("./build-result");
  const { writeResultFile } = require("@tsprof/core/dist/io") as typeof import("@tsprof/core/dist/io");
  buildLineResult(result, files, null, { readSource, ownDirs: OWN_DIRS }, stack);
  writeResultFile(input.outFile, bodyOf(result));
  return watchdog.end();
}

/** Add the elapsed time to every slot on a shadow stack, once each (recursion repeats slots). */
function chargeStack(shadow: Int32Array, times: Float64Array, dt: number): void {
  let depth = shadow[0];
  if (depth >= shadow.length) depth = shadow.length - 1;
  let n = 0;
  outer: for (let d = 1; d <= depth; d++) {
    const slot = shadow[d];
    // 0: this call is not inside a statement that calls out; its own lines get V8's ticks.
    if (slot <= 0) continue;
    for (let i = 0; i < n; i++) if (seen[i] === slot) continue outer;
    if (n < seen.length) seen[n++] = slot;
    times[slot] += dt;
  }
}

// The program's worker threads hand over their buffers on this channel (runner's threads.ts):
// listening before Ready, as the main thread waits for Ready before any of them can start.
const threadInbox = input.mode === "hybrid" ? new ThreadInbox<ThreadMessage>(input.threadChannel, false) : null;
const workerStacks: Array<{ stack: Int32Array; timeMs: Float64Array }> = [];
let lastThreadLook = 0;

/** The worker threads' shadow stacks (new ones looked for every 20 ms). */
function threadStacks(): Array<{ stack: Int32Array; timeMs: Float64Array }> {
  const now = performance.now();
  if (threadInbox && now - lastThreadLook >= 20) {
    lastThreadLook = now;
    for (const m of threadInbox.take()) {
      if (m.kind !== "buffers" || !m.buffers.stack) continue;
      const v = sharedViews(m.buffers);
      workerStacks.push({ stack: v.stack!, timeMs: v.timeMs });
    }
  }
  return workerStacks;
}

const started = performance.now();
const sampleMs = stack ? input.lineSampleUs / 1000 : 20;
const seen = new Int32Array(4096);
let last = performance.now();
let lastSnapshot = -Infinity;
let snapshotEveryMs = input.snapshotMs;
let lastWatch = last;
/** Shadow-stack samples taken, and when the first was (the measured period goes into the result). */
let stackSamples = 0;
let firstStackSample = 0;
let lastStackSample = 0;
Atomics.store(control, Control.Ready, 1);
Atomics.notify(control, Control.Ready);

function snapshot(now: number): void {
  // (None in a child process of the program: nobody would read it; see runner's processes.ts.)
  if (input.snapshotFile) writeSnapshot(input.snapshotFile, now - started, snapshotSections(views, files));
  // Copying must stay a small share of this thread's time, however many lines are profiled.
  const cost = performance.now() - now;
  snapshotEveryMs = Math.max(input.snapshotMs, cost * 20);
  lastSnapshot = now;
}

while (Atomics.load(control, Control.Stop) === 0) {
  Atomics.wait(control, Control.Stop, 0, sampleMs);
  const now = performance.now();
  if (stack) {
    const dt = now - last;
    chargeStack(stack, timeMs, dt);
    if (stackSamples++ === 0) firstStackSample = now;
    lastStackSample = now;
    // The program's worker threads have shadow stacks of their own.
    for (const t of threadStacks()) chargeStack(t.stack, t.timeMs, dt);
  }
  last = now;
  if (now - lastWatch >= 20) {
    lastWatch = now;
    const verdict = watchdog.poll(now);
    // tsprof itself is gone (killed): nobody will stop this program. Save where it was going, and end.
    if (verdict === "orphaned") writeResultAndEnd("tsprof exited while the program ran: saved by the watchdog thread");
    if (verdict === "stuck") writeResultAndEnd("interrupted while the main thread was stuck: counts saved by tsprof's watchdog thread (no CPU summary)");
  }
  // A snapshot as each file registers and each function is first called (a program killed in its
  // first moments still shows what ran), then every few tens of milliseconds.
  const news = drainMeta() || firstCalls();
  if ((news || now - lastSnapshot >= snapshotEveryMs) && Atomics.load(control, Control.Stop) === 0) {
    snapshot(now);
    // The snapshot's own time is not the program's: do not charge it to the line running now.
    last = performance.now();
  }
}
// The mean period the stack was sampled at (on a busy machine, longer than asked for).
if (stackSamples >= 2) Atomics.store(control, Control.StackPeriodNs, Math.min(2 ** 31 - 1, Math.round(((lastStackSample - firstStackSample) * 1e6) / (stackSamples - 1))));
Atomics.store(control, Control.Acknowledged, 1);
Atomics.notify(control, Control.Acknowledged);
// Ended through the interrupt hook: the main thread is saving; end the process once it has.
watchdog.afterStop();
