/** What every exporter shares: finding the sampled data in a result, and naming frames. */
import {
  ResultFileError,
  fileOfUrl,
  type LineProfileResult,
  type MemProfileResult,
  type SampledAllocationProfile,
  type SampledCallFrame,
  type SampledCpuProfile,
} from "@tsprof/core";

/** A result an exporter can take: a line result or a mem result. */
export type ExportableResult = LineProfileResult | MemProfileResult;

/**
 * Thrown when a result lacks what a format needs (saved before tsprof kept its sampled profile, or
 * no sampler ran); its message is the one line the user sees.
 */
export class NotExportableError extends ResultFileError {}

/** The line result's sampled CPU profiles (one per thread), or a one-line reason why there are none. */
export function cpuProfilesOf(result: LineProfileResult, format: string): SampledCpuProfile[] {
  if (result.profiles && result.profiles.length > 0) return result.profiles;
  const why =
    result.profiles === undefined
      ? "it was saved before tsprof kept the sampled call tree in its results (run tsprof line again)"
      : "it holds no CPU samples (the program ended before tsprof could stop the sampler, or no sampler ran)";
  throw new NotExportableError(`this line result cannot be exported to ${format}: ${why}; tsprof show still prints its tables`);
}

/** The mem result's sampled allocation tree, or a one-line reason why there is none. */
export function allocationProfileOf(result: MemProfileResult, format: string): SampledAllocationProfile {
  if (result.allocationProfile) return result.allocationProfile;
  const why =
    result.allocations.length > 0
      ? "it was saved before tsprof kept the sampled allocation tree in its results (run tsprof mem again)"
      : "it holds no sampled allocations (the sampling heap profiler was off, or the program ended before tsprof could save them)";
  throw new NotExportableError(`this mem result cannot be exported to ${format}: ${why}; tsprof show still prints its tables`);
}

/** Only line and mem results carry sampled profiles. */
export function requireKind(result: { kind: string }, kinds: string[], format: string): void {
  if (!kinds.includes(result.kind)) {
    throw new NotExportableError(`'${result.kind}' results cannot be exported to ${format} (only ${kinds.join(" and ")} results can)`);
  }
}

/** V8's own pseudo-frames: "(root)", "(program)", "(idle)", "(garbage collector)". */
export function isPseudoFrame(cf: SampledCallFrame): boolean {
  return cf.url === "" && cf.functionName.startsWith("(") && cf.functionName.endsWith(")");
}

/** A readable function name: V8 leaves a module's top level and anonymous functions unnamed. */
export function displayName(cf: SampledCallFrame): string {
  if (cf.functionName) return cf.functionName;
  if (cf.url && cf.lineNumber === 0 && cf.columnNumber === 0) return "<module>";
  return "<anonymous>";
}

/** The file a frame is in, as a path where it is a file ("" for V8 built-ins). */
export function frameFile(cf: SampledCallFrame): string {
  return fileOfUrl(cf.url);
}

/** What produced the profile, for the exported file's name field. */
export function describe(result: ExportableResult): string {
  return `tsprof ${result.command.join(" ")}`;
}
