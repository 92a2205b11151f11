export * from "./recording";
export * from "./render-plot";
export { recordMemory, memStatusLine, type RecordOptions, type RecordOutcome, type SamplerStats } from "./record";
export { descendantsOf } from "./proc";
export * from "./render-text";
export { profileMemory, HEAP_DEFINITION, type MemProfileOptions, type MemProfileOutcome } from "./profile";
export type { LineCollectorOptions, LineCollectorOutput } from "./line-collector";
export { BracketTable, epochNow } from "./brackets";
export { runMemCommand, PNG_HINT, type MemCommandOptions, type MemCommandIO } from "./command";
