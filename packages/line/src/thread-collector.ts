/**
 * The line collector in a worker thread of the profiled program (runner's threads.ts installs it
 * there as `globalThis.__tsprof`): the same counters as the main thread's, in buffers of its own
 * that it hands to the main thread as it starts, so the counts survive however the thread ends;
 * its own CPU sampler (V8 samples one isolate), whose profile it saves at its end (raw, with the
 * source maps tsprof's parent needs to map it).
 */
import { writeFileSync } from "node:fs";
import type { Collector, FileMeta, ThreadContext } from "@tsprof/runner";
import { CpuSampler, profileSourceMaps, threadOutbox } from "@tsprof/runner/child";
import type { LineCollectorOptions } from "./collector";
import { allocateBuffers, Control, fileViews, sharedViews, SlotAllocator, type ThreadMessage, type ThreadSaved } from "./shared";
import { calibrateEventCost, traceSinks } from "./trace-sinks";

export function createThread(options: LineCollectorOptions, context: ThreadContext): Collector {
  const buffers = allocateBuffers(options.mode);
  const views = sharedViews(buffers);
  const outbox = threadOutbox(context.channel);
  const post = (message: ThreadMessage) => outbox.post(message);
  // First: from here on the main thread holds this thread's counters (and sees that it is profiled).
  post({ kind: "buffers", threadId: context.threadId, buffers });
  const slots = new SlotAllocator();
  const eventCostMs = options.mode === "trace" ? calibrateEventCost() : 0;
  const traceSink = traceSinks(eventCostMs);
  // node:inspector's sampler: the addon's crashes the process when this thread is terminated.
  const sampler = new CpuSampler(options.samplingIntervalUs, true);
  sampler.start();

  return {
    registerFile(meta: FileMeta) {
      const { base, fnBase } = slots.place(meta);
      const data = fileViews(views, meta, base, fnBase);
      post({ kind: "plan", threadId: context.threadId, entry: { meta, base, fnBase } });
      if (options.mode === "hybrid") return { counters: data.hits, stack: views.stack, base, escapes: data.escapes };
      return traceSink(data);
    },

    finish(): void {
      Atomics.store(views.control, Control.Saving, 1);
      Atomics.notify(views.control, Control.Saving);
      try {
        saveProfile();
      } finally {
        // The main thread may be waiting for this before it terminates the thread.
        Atomics.store(views.control, Control.Acknowledged, 1);
        Atomics.notify(views.control, Control.Acknowledged);
      }
    },
  };

  function saveProfile(): void {
    const profile = sampler.stop();
    // Raw: tsprof's parent maps it (threads.ts), with the source maps of this isolate's scripts saved here.
    const saved: ThreadSaved = {
      profile,
      sourceMaps: profile ? profileSourceMaps(profile.nodes.map((n) => n.callFrame.url)) : {},
      sampler: sampler.kind,
    };
    writeFileSync(context.resultFile, JSON.stringify(saved), { mode: 0o600, flag: "wx" });
  }
}
