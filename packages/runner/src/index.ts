export { loaderExecArgv, runChild, resolveScript, resolveModules, exitCodeOf } from "./run-child";
export type { ChildPlan, ChildOutcome } from "./run-child";
export { instrumentSource, functionName } from "./instrument";
export type { FileMeta, FunctionMeta, SlotMeta, InstrumentStyle, InstrumentResult } from "./instrument";
export { compileFile, ScriptSyntaxError, isUserFile, isTypeScriptFile, formatOf } from "./compile";
export { CpuSampler, type CpuProfile, type CpuProfileNode } from "./sampler";
export { SourceLineMapper } from "./source-lines";
export type { Collector, CollectorContext, CollectorModule, EventSink, ChildExit } from "./collector";
