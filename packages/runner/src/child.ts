/**
 * @tsprof/runner/child: what runs inside the profiled process, next to the user's script: the
 * collector contract a profiler's child side implements, V8's CPU sampler, and the counters'
 * hit arithmetic. Kept light (no compiler, no esbuild): a child loads only this.
 * The source-line mapper is its own entry, @tsprof/runner/source-map, as it loads a source-map
 * library that a child needs only when it maps positions.
 */
export type { Collector, CollectorContext, ThreadContext, CollectorModule, EventSink, ChildExit } from "./collector";
export type { FileMeta, FunctionMeta, SlotMeta } from "./instrument";
export { CpuSampler, type CpuProfile, type CpuProfileNode } from "./sampler";
export { hitsOfSlots, lineHits } from "./instrument-meta";
export { unloadedModuleWarnings, type ModuleGroup } from "./modules";
export { appendPlan, writeSnapshot, type ChildSnapshot } from "./snapshot";
export { InterruptWatchdog, type WatchdogVerdict } from "./watchdog";
export { interruptRequested, signalExitCode, HookState, INTERRUPT_HOOK, FORWARDED_SIGNALS, type ForwardedSignal } from "./interrupt";
export { postSync, sourceLines, OWN_DIRS, isOwnFile, profileSourceMaps } from "./child-helpers";
export { unprofiledNote, markOwnThread } from "./spawned";
export { ThreadInbox, threadOutbox, threadLabel, threadResultFile, threadChannelName, saveBeforeTerminate } from "./threads";
