/**
 * pprof's profile.proto (gzipped), the format of `go tool pprof` and of the continuous-profiling
 * backends (Pyroscope, Grafana, Parca). Encoded with pprof-format, Datadog's encoder.
 *
 * Line results: sample types samples/count and cpu/nanoseconds; a sample per (call stack, line)
 * whose innermost location is the sampled line of the original source (V8's line ticks), the
 * callers at their functions' first lines (V8 does not record call sites). Mem results: sample types
 * samples/count and alloc_space/bytes, a sample per allocating call stack. Every sample carries a
 * "thread" label. V8's "(idle)" samples are left out: they are not CPU time.
 */
import { gzipSync } from "node:zlib";
import { Profile, StringTable, type LocationInput, type FunctionInput, type SampleInput } from "pprof-format";
import {
  sampleDurationsUs,
  type LineProfileResult,
  type MemProfileResult,
  type SampledAllocationNode,
  type SampledCallFrame,
  type SampledCpuProfile,
} from "@tsprof/core";
import { allocationProfileOf, cpuProfilesOf, displayName, frameFile, isPseudoFrame, requireKind, type ExportableResult } from "./common";

/** Functions and locations, each once, with ids from 1 as profile.proto wants. */
class Tables {
  readonly strings = new StringTable();
  readonly functions: FunctionInput[] = [];
  readonly locations: LocationInput[] = [];
  private readonly functionIds = new Map<string, number>();
  private readonly locationIds = new Map<string, number>();

  /** A pprof value type (e.g. "cpu", "nanoseconds") with both names in the string table. */
  valueType(type: string, unit: string): { type: number; unit: number } {
    return { type: this.strings.dedup(type), unit: this.strings.dedup(unit) };
  }

  /** The location of `line` (1-based; the function's first line when null) in the frame's function. */
  location(cf: SampledCallFrame, line: number | null): number {
    const fn = this.functionOf(cf);
    const at = line ?? Math.max(0, cf.lineNumber + 1);
    const key = `${fn}:${at}`;
    let id = this.locationIds.get(key);
    if (id === undefined) {
      id = this.locations.length + 1;
      this.locations.push({ id, line: [{ functionId: fn, line: at }] });
      this.locationIds.set(key, id);
    }
    return id;
  }

  private functionOf(cf: SampledCallFrame): number {
    const key = `${cf.functionName}\u0000${cf.url}\u0000${cf.lineNumber}\u0000${cf.columnNumber}`;
    let id = this.functionIds.get(key);
    if (id === undefined) {
      id = this.functions.length + 1;
      const name = this.strings.dedup(displayName(cf));
      this.functions.push({ id, name, systemName: name, filename: this.strings.dedup(frameFile(cf)), startLine: Math.max(0, cf.lineNumber + 1) });
      this.functionIds.set(key, id);
    }
    return id;
  }
}

/** A line or mem result as a gzipped profile.proto. */
export function toPprof(result: ExportableResult): Uint8Array {
  requireKind(result, ["line", "mem"], "pprof");
  const profile = result.kind === "line" ? linePprof(result) : memPprof(result);
  return gzipSync(profile.encode());
}

function linePprof(result: LineProfileResult): Profile {
  const tables = new Tables();
  const sample: SampleInput[] = [];
  const threads = cpuProfilesOf(result, "pprof");
  for (const p of threads) sample.push(...cpuSamples(p, tables));
  const vt = (type: string, unit: string) => tables.valueType(type, unit);
  const sampleType = [vt("samples", "count"), vt("cpu", "nanoseconds")];
  const main = threads[0];
  return new Profile({
    sampleType,
    sample,
    location: tables.locations,
    function: tables.functions,
    stringTable: tables.strings,
    timeNanos: startNanos(result),
    durationNanos: Math.round((main.endTime - main.startTime) * 1000),
    periodType: vt("cpu", "nanoseconds"),
    period: Math.round((result.samplingIntervalUs ?? 0) * 1000),
    defaultSampleType: sampleType[1].type,
  });
}

/** Per node: its samples and time, split over the lines V8 saw it on. */
function cpuSamples(profile: SampledCpuProfile, tables: Tables): SampleInput[] {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const nsOf = new Map<number, number>();
  const hits = new Map<number, number>();
  sampleDurationsUs(profile).forEach((us, i) => {
    const id = profile.samples[i];
    nsOf.set(id, (nsOf.get(id) ?? 0) + us * 1000);
    hits.set(id, (hits.get(id) ?? 0) + 1);
  });
  const label = [{ key: tables.strings.dedup("thread"), str: tables.strings.dedup(profile.thread) }];
  const out: SampleInput[] = [];
  for (const [id, count] of hits) {
    const node = byId.get(id)!;
    // Idle time is not CPU time (pprof's cpu profiles have none); "(program)" and GC are.
    if (isPseudoFrame(node.callFrame) && (node.callFrame.functionName === "(root)" || node.callFrame.functionName === "(idle)")) continue;
    // Callers, innermost first, at their functions' first lines.
    const callers: number[] = [];
    for (let n = parent.get(id); n !== undefined; n = parent.get(n)) {
      const cf = byId.get(n)!.callFrame;
      if (!(isPseudoFrame(cf) && cf.functionName === "(root)")) callers.push(tables.location(cf, null));
    }
    const ns = nsOf.get(id) ?? 0;
    // V8's line ticks count the same samples as hitCount; what they do not cover stays on the function's line.
    let left = count;
    for (const t of node.positionTicks ?? []) {
      const n = Math.min(t.ticks, left);
      if (n <= 0) continue;
      left -= n;
      out.push({ locationId: [tables.location(node.callFrame, t.line), ...callers], value: [n, Math.round((ns * n) / count)], label });
    }
    if (left > 0) out.push({ locationId: [tables.location(node.callFrame, null), ...callers], value: [left, Math.round((ns * left) / count)], label });
  }
  return out;
}

function memPprof(result: MemProfileResult): Profile {
  const tables = new Tables();
  const profile = allocationProfileOf(result, "pprof");
  const label = [{ key: tables.strings.dedup("thread"), str: tables.strings.dedup(profile.thread) }];
  const sample: SampleInput[] = [];
  const walk = (node: SampledAllocationNode, stack: number[]): void => {
    if (node.selfSize > 0 && stack.length > 0) sample.push({ locationId: stack, value: [node.sampleCount, Math.round(node.selfSize)], label });
    for (const child of node.children) walk(child, [tables.location(child.callFrame, null), ...stack]);
  };
  walk(profile.head, []);
  const vt = (type: string, unit: string) => tables.valueType(type, unit);
  const sampleType = [vt("samples", "count"), vt("alloc_space", "bytes")];
  return new Profile({
    sampleType,
    sample,
    location: tables.locations,
    function: tables.functions,
    stringTable: tables.strings,
    timeNanos: startNanos(result),
    periodType: vt("space", "bytes"),
    period: profile.samplingIntervalBytes,
    defaultSampleType: sampleType[1].type,
  });
}

/** Wall-clock start in Unix nanoseconds (a bigint: it exceeds 2^53). */
function startNanos(result: ExportableResult): bigint {
  const ms = Date.parse(result.startedAt);
  return Number.isFinite(ms) ? BigInt(ms) * 1_000_000n : 0n;
}
