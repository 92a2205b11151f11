export { loaderExecArgv, runChild, resolveScript, exitCodeOf } from "./run-child";
export { resolveModules, resolveModuleGroups, unloadedModuleWarnings, type ModuleGroup } from "./modules";
export type { ChildPlan, ChildOutcome } from "./run-child";
export { instrumentSource, functionName } from "./instrument";
export type { FileMeta, FunctionMeta, SlotMeta, InstrumentStyle, InstrumentResult } from "./instrument";
export { compileFile, ScriptSyntaxError, isUserFile, isTypeScriptFile, formatOf } from "./compile";
export { CpuSampler, type CpuProfile, type CpuProfileNode } from "./sampler";
export { SourceLineMapper } from "./source-lines";
export type { Collector, CollectorContext, CollectorModule, EventSink, ChildExit } from "./collector";
