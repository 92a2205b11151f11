/**
 * @tsprof/runner/launch: what a command's own process needs to start the profiled program and
 * read back how it ended. Kept apart from the package's index, which also loads the instrumenter,
 * the child side and the sampler: tsprof's start-up is a measured goal (issue 12), and a command
 * loads here only what runs before and around the child.
 */
export { loaderExecArgv, runChild, resolveScript, exitCodeOf } from "./run-child";
export type { ChildPlan, ChildOutcome } from "./run-child";
export { resolveModules, resolveModuleGroups, type ModuleGroup } from "./modules";
export { childProcessResults, spawnedChildPids } from "./processes";
export { readPlan, readCounters } from "./snapshot";
