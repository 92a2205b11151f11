/**
 * @tsprof/diffusion: the diffusion and poly workloads, their variants (from pure loops to fused,
 * threaded, WebAssembly SIMD and C kernels), the study runner behind `tsprof dashboard`, and the
 * plain/Markdown renderers of its result (Tables 6-1/6-2 layout).
 */
export { listVariants, variantDefinitions, findVariant, DEFAULT_SIZES, DEFAULT_ITERATIONS, type BuiltinWorkload } from "./registry";
export { runStudy, listCustomVariants, DEFAULT_CELL_BUDGET_SECONDS, type StudyOptions } from "./study";
export { scaledSeconds, type Timing } from "./scaling";
export { band, bandStart, pairBandStart, chunkCount, MAX_CHUNKS, WorkerTeam, serveGenerations, type TeamWorkerData } from "./team";
export { renderStudyText, renderStudyMarkdown, sizeLabel, formatSeconds, formatSpeedup, jitTierText, studyExplanations } from "./render";
export { collectMachineInfo, machineInfoFrom, type MachineReadings } from "./machine";
export { largestGridFittingCache } from "@tsprof/core";
export { exportOrder, orderBySource } from "./custom";
export { initialGrid, referenceGrid, referenceStep, sumGrid, blockRange, DIFFUSION_D, DIFFUSION_DT, BLOCK_VALUE } from "./grid";
export { ensureCReference, findCCompiler, WASM_PATH, WASM_RELAXED_PATH, C_FLAGS } from "./native";
export { userCacheDir } from "./user-cache";
export { defaultThreads, createFusedWorkers } from "./variants/diffusion/fused-workers";
export { linspace } from "./variants/poly/kernels";
export { loadDiffusionModule, type WasmFlavor, type WasmMemoryKind } from "./variants/diffusion/wasm-simd";
export type { RunnableVariant, VariantDefinition, VariantCreateOptions } from "./variant";
export type { StudyCell, StudyEvent, StudyResult, VariantInfo, StudyCounters, MachineInfo } from "@tsprof/core";
export { renderStudyPng, studySeries, type PngSize } from "./png";
export { allocatedBetween, type GcRecord } from "./gc-allocation";
export { perStepCounts, measureSimulated, makeWindowFifos, serveCallgrindWindow, type SimulatedTotals, type SlowRunTarget } from "./slow-causes";
export { countWindow, measureHardware, HARDWARE_EVENTS } from "./hardware-counters";
export { slowRunTarget } from "./study-slow";
