/**
 * V8's sampled profiles as tsprof keeps them in its results: the call tree of the CPU sampler and
 * of the sampling heap profiler, with every position mapped back to the user's original source
 * (file, line and column of the .ts, not of the JavaScript V8 ran) and tsprof's own frames left out.
 * The exporters (speedscope, pprof, .cpuprofile) are built from these.
 *
 * Positions follow Chrome DevTools' `.cpuprofile` conventions, so the CPU tree is itself a valid
 * DevTools profile once each frame gets a scriptId: callFrame lineNumber/columnNumber are 0-based,
 * positionTicks lines are 1-based.
 */

/** Where a function starts in its original source. */
export interface SampledCallFrame {
  /** V8's name; "" for anonymous functions and a module's top level. */
  functionName: string;
  /** The original file: an absolute path or file: URL as V8 named the script, or node:..., or "". */
  url: string;
  /** 0-based line of the function's start in the original file; -1 when V8 has no script. */
  lineNumber: number;
  /** 0-based column of the function's start in the original file; -1 when V8 has no script. */
  columnNumber: number;
}

export interface SampledCpuNode {
  id: number;
  callFrame: SampledCallFrame;
  /** Samples whose innermost frame is this node. */
  hitCount: number;
  children?: number[];
  /** Self samples per 1-based line of the original file. */
  positionTicks?: Array<{ line: number; ticks: number }>;
}

/** One thread's CPU samples: a DevTools-format profile in original positions. */
export interface SampledCpuProfile {
  /** The thread it was sampled on: "main", or "worker <threadId>". */
  thread: string;
  nodes: SampledCpuNode[];
  /** Microseconds, V8's clock. */
  startTime: number;
  endTime: number;
  /** Per sample: the id of its innermost node. */
  samples: number[];
  /** Per sample: microseconds since the previous sample (the first: since startTime). */
  timeDeltas: number[];
}

export interface SampledAllocationNode {
  id: number;
  callFrame: SampledCallFrame;
  /** Bytes V8's sampler estimates were allocated with this node as the innermost frame. */
  selfSize: number;
  /** Allocation samples taken with this node innermost. */
  sampleCount: number;
  children: SampledAllocationNode[];
}

/** The sampling heap profiler's tree, in original positions (tsprof's measuring code left out). */
export interface SampledAllocationProfile {
  thread: string;
  /** Average bytes between samples. */
  samplingIntervalBytes: number;
  head: SampledAllocationNode;
}

/** An absolute file path for a callFrame url (file: URLs decoded; node:... and "" kept as they are). */
export function fileOfUrl(url: string): string {
  if (!url.startsWith("file:")) return url;
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return url;
  }
}

/**
 * Each sample's duration in microseconds: the time until the next sample (the last one: until the
 * profile's end), as DevTools and speedscope attribute time.
 */
export function sampleDurationsUs(profile: Pick<SampledCpuProfile, "startTime" | "endTime" | "timeDeltas">): number[] {
  const n = profile.timeDeltas.length;
  const out = new Array<number>(n);
  let t = profile.startTime;
  const times = profile.timeDeltas.map((d) => (t += d));
  for (let i = 0; i < n; i++) {
    const next = i + 1 < n ? times[i + 1] : Math.max(profile.endTime, times[i]);
    out[i] = Math.max(0, next - times[i]);
  }
  return out;
}
