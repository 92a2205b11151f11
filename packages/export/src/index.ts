export { toSpeedscope, SPEEDSCOPE_SCHEMA, type SpeedscopeFile, type SpeedscopeFrame, type SpeedscopeSampledProfile } from "./speedscope";
export { toPprof } from "./pprof";
export { toCpuprofile, chromeCpuProfile, type ChromeCpuProfile } from "./cpuprofile";
export { NotExportableError, type ExportableResult } from "./common";
