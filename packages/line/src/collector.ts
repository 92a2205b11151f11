/**
 * The line profiler's child side: loaded by @tsprof/runner before the user's script, it receives
 * every instrumented file, counts and times lines while the script runs, and at exit (whatever the
 * cause) writes what it measured, raw, for the parent to build the LineProfileResult from.
 *
 * All counters and times live in SharedArrayBuffers, so the worker (line-worker.ts) can sample,
 * snapshot and, on Ctrl-C during a busy loop, save them without the main thread's help.
 */
import { basename, dirname, join } from "node:path";
import { MessageChannel, Worker } from "node:worker_threads";
// The child loads only what it needs to run: not @tsprof/core's renderers and tables (start-up).
import { writeFileAtomic } from "@tsprof/core/dist/io";
import type { LineMode } from "@tsprof/core";
import type { CollectorContext, FileMeta, ModuleGroup } from "@tsprof/runner";
import {
  CpuSampler,
  appendPlan,
  writeSnapshot,
  profileSourceMaps,
  unloadedModuleWarnings,
  unprofiledNote,
  markOwnThread,
  ThreadInbox,
  threadChannelName,
  saveBeforeTerminate,
} from "@tsprof/runner/child";
import type { FileData } from "./build-result";
import {
  sharedViews,
  fileViews,
  Control,
  allocateBuffers,
  SlotAllocator,
  collectThreads,
  snapshotSections,
  threadCounterSections,
  COUNTERS_FILE,
  stackSampling,
  type LineRawBody,
  type PlanEntry,
  type ThreadMessage,
  type WorkerInput,
} from "./shared";
import { traceSinks, calibrateEventCost } from "./trace-sinks";
export { createThread } from "./thread-collector";

export interface LineCollectorOptions {
  mode: LineMode;
  /** V8 CPU sampler interval, microseconds. */
  samplingIntervalUs: number;
  /** Hybrid mode: how often the worker looks at the shadow line stack, microseconds. */
  lineSampleUs: number;
  timerUnit: number;
  /** The `--module` arguments: one that the program never loads gets a note. */
  moduleGroups?: ModuleGroup[];
  /** The program's Node child processes are profiled too (tsprof notes the ones that were not). */
  profileChildren?: boolean;
}

/**
 * How long `worker.terminate()` waits for the worker to start saving its sampled profile (an idle
 * worker answers in a few milliseconds; a busy one never does, and loses only its samples).
 */
const TERMINATE_WAIT_MS = 500;

/** An early-started child creates it before the parent's go: the worker starts meanwhile (start() starts the clocks). */
export const createsEarly = true;

export function create(options: LineCollectorOptions, context: CollectorContext) {
  const files: FileData[] = [];
  const loaded = new Set<string>();
  /** Markings the instrumenter could not honour, one line each. */
  const warnings: string[] = [];
  const slots = new SlotAllocator();
  const sampler = new CpuSampler(options.samplingIntervalUs);
  // Set in start(): the run's duration is the program's, not the wait for the parent's go.
  let startNs = process.hrtime.bigint();

  const shared = allocateBuffers(options.mode);
  const views = sharedViews(shared);
  const { control, stack } = views;

  const channel = new MessageChannel();
  const workerInput: WorkerInput = {
    buffers: shared,
    port: channel.port2,
    lineSampleUs: options.lineSampleUs,
    mode: options.mode,
    timerUnit: options.timerUnit,
    snapshotMs: 50,
    graceMs: 300,
    outFile: context.outFile,
    snapshotFile: context.snapshotFile,
    interruptFile: context.interruptFile,
    hookState: context.hookState,
    parentPid: context.parentPid,
    threadChannel: threadChannelName(context.tempDir),
  };
  const worker = new Worker(join(__dirname, "line-worker.js"), {
    workerData: workerInput,
    transferList: [channel.port2],
    // Not the runner's preload: the worker must not load tsprof's loader and hooks again (start-up).
    execArgv: [],
    stdout: false,
    stderr: false,
  });
  // It must never keep the profiled program alive.
  worker.unref();
  markOwnThread(worker.threadId);
  // Hybrid: before the first instrumented file runs, wait (briefly) until the worker samples, so
  // line time at the very start is not missed. Waiting here at start-up instead would put the
  // worker's whole start on every run's critical path, even when nothing is instrumented.
  // Trace too: the worker takes the snapshots, which must exist however early the program dies.
  let workerReady = options.mode === "sample";
  const waitForWorker = (): void => {
    if (workerReady) return;
    Atomics.wait(control, Control.Ready, 0, 2000);
    workerReady = true;
  };
  // The program's worker threads post their counters on this channel (runner's threads.ts). The
  // worker thread listens too (it samples their shadow stacks): it must be listening before the
  // first of them can post, and "worker" is emitted inside the Worker constructor.
  const threads = new ThreadInbox<ThreadMessage>(workerInput.threadChannel);
  process.on("worker", () => {
    if (options.mode === "hybrid") waitForWorker();
  });
  const threadMessages: ThreadMessage[] = [];
  const threadsSoFar = (): ThreadMessage[] => {
    threadMessages.push(...threads.take());
    return threadMessages;
  };
  saveBeforeTerminate(context.tempDir, (threadId) => {
    const m = threadsSoFar().find((x) => x.kind === "buffers" && x.threadId === threadId);
    if (m?.kind !== "buffers") return;
    const thread = sharedViews(m.buffers);
    // Inside a profiled function (its shadow stack says so): busy, it cannot answer.
    if (thread.stack && thread.stack[0] > 0) return;
    // An idle thread starts saving at once; stopping its sampler may then take a while on a busy machine.
    if (Atomics.wait(thread.control, Control.Saving, 0, TERMINATE_WAIT_MS) === "timed-out") return;
    Atomics.wait(thread.control, Control.Acknowledged, 0, 5000);
  });

  // Trace: per-line wall time between line events, minus the cost of our own events.
  const eventCostMs = options.mode === "trace" ? calibrateEventCost() : 0;
  const traceSink = traceSinks(eventCostMs);

  return {
    start(): void {
      startNs = process.hrtime.bigint();
      sampler.start();
    },


    registerFile(meta: FileMeta) {
      loaded.add(meta.file);
      for (const w of meta.warnings ?? []) warnings.push(w);
      const { base, fnBase } = slots.place(meta);
      waitForWorker();
      const data = fileViews(views, meta, base, fnBase);
      files.push(data);
      // The plan first, so that any snapshot of these counters can be read back.
      const entry: PlanEntry = { meta, base, fnBase };
      appendPlan(context.planFile, entry);
      channel.port1.postMessage(entry);
      if (options.mode === "hybrid") return { counters: data.hits, stack, base, escapes: data.escapes };
      return traceSink(data);
    },

    finish(exit: { exitCode: number; signal: string | null; error: string | null }): void {
      // Stop the worker and wait until no snapshot write is in flight, so ours is the last.
      Atomics.store(control, Control.Stop, 1);
      Atomics.notify(control, Control.Stop);
      // (A worker that never started its loop cannot be writing: no need to wait for it.)
      if (Atomics.load(control, Control.Ready) === 1) Atomics.wait(control, Control.Acknowledged, 0, 1000);
      const profile = sampler.stop();
      const workerThreads = collectThreads(threadsSoFar());
      for (const t of workerThreads.values()) for (const e of t.entries) loaded.add(e.meta.file);
      const unprofiled = unprofiledNote(new Set(workerThreads.keys()), { children: !options.profileChildren });
      const notes = [...warnings, ...unloadedModuleWarnings(options.moduleGroups ?? [], loaded), ...(unprofiled ? [unprofiled] : [])];
      if (sampler.fallbackReason) notes.push(`V8 sampling through node:inspector: ${sampler.fallbackReason}`);
      if (options.mode === "trace") notes.push(`timer cost calibrated at ${(eventCostMs * 1e6).toFixed(0)} ns per line event and subtracted`);
      void exit;
      // Raw data only: tsprof's parent maps the profile and builds the result (raw-result.ts), so
      // the program's end does not wait for a source-map library, the builder and the mapping.
      // The counters first: the result file, written last, says that both are whole.
      const countersTakenAtMs = Number(process.hrtime.bigint() - startNs) / 1e6;
      const sections = [...snapshotSections(views, files), ...threadCounterSections(workerThreads)];
      writeSnapshot(join(dirname(context.outFile), COUNTERS_FILE), countersTakenAtMs, sections);
      const raw: LineRawBody = {
        raw: "line",
        mode: options.mode,
        timerUnit: options.timerUnit,
        durationNs: Number(process.hrtime.bigint() - startNs),
        notes,
        sampler: sampler.kind,
        samplingIntervalUs: options.samplingIntervalUs,
        ...(stack ? { stackSampling: stackSampling(control, options.lineSampleUs) } : {}),
        profile,
        sourceMaps: profile ? profileSourceMaps(profile.nodes.map((n) => n.callFrame.url)) : {},
        countersTakenAtMs,
        planFile: basename(context.planFile),
        threads: [...workerThreads].map(([threadId, t]) => ({ threadId, entries: t.entries })),
      };
      writeFileAtomic(context.outFile, JSON.stringify(raw), { mode: 0o600 });
    },
  };
}

