/**
 * Parent side of `tsprof mem` (per-line mode): the result from what the profiled process wrote at
 * its end, raw (line-collector.ts): its per-line tables, and V8's sampled allocations, mapped to
 * the user's files and lines through the source maps the process saved.
 *
 * Built here, not in the profiled process: the source-map library, the mapping and the allocation
 * table used to run between the program's last line and tsprof's output, with the program's
 * memory still held. tsprof's parent loads this module while the program runs (profile.ts).
 */
import type { AllocationSite, FunctionMemProfile, SampledAllocationProfile } from "@tsprof/core";
import type { FileMeta } from "@tsprof/runner";
import { OWN_DIRS, isOwnFile } from "@tsprof/runner/child-helpers";
import { SourceLineMapper, mapAllocationProfile, type SamplingHeapProfile, type SamplingHeapProfileNode, type SavedSourceMaps } from "@tsprof/runner/source-map";
import { TABLE_FIELDS, buildFunctions, type FileData } from "./line-tables";

/** What the profiled process writes at its end (line-collector.ts), for buildFromRaw. */
export interface MemRawBody {
  kind: "mem-raw";
  gc: boolean;
  notes: string[];
  /** Per registered file: its plan and its per-slot tables (JSON writes growthMin's Infinity as null). */
  files: Array<{ meta: FileMeta; tables: Record<(typeof TABLE_FIELDS)[number], Array<number | null>> }>;
  /** V8's sampling heap profile, unmapped (null: the profiler was off or failed; a note says which). */
  allocationSampling: { profile: SamplingHeapProfile; samplingIntervalBytes: number; sourceMaps: SavedSourceMaps } | null;
  /** RSS before tsprof's loader and when the script started (after the collector), bytes. */
  rssBeforeTsprof?: number;
  rssAtStart?: number;
}

export interface MemBuilt {
  functions: FunctionMemProfile[];
  allocations: AllocationSite[];
  /** Sampling heap profiler totals (bytes), for the notes and tests. */
  sampledBytes: number;
  /** Bytes sampled in tsprof's own measuring code (left out of the table). */
  ownBytes: number;
  /** The sampled allocations' call tree in original positions (for the pprof and speedscope exports). */
  allocationProfile?: SampledAllocationProfile;
}

/** The tables and the allocations from the profiled process's raw final write; problems go to `notes`. */
export function buildFromRaw(raw: MemRawBody, notes: string[]): MemBuilt {
  const files: FileData[] = raw.files.map(({ meta, tables }) => {
    const data = { meta } as FileData;
    for (const field of TABLE_FIELDS) data[field] = Float64Array.from(tables[field], (v) => (v === null ? Number.POSITIVE_INFINITY : v));
    return data;
  });
  const built: MemBuilt = { functions: files.flatMap((data) => buildFunctions(data)), allocations: [], sampledBytes: 0, ownBytes: 0 };
  const sampling = raw.allocationSampling;
  if (!sampling) return built;
  try {
    const sites = buildAllocationSites(sampling.profile, files, new SourceLineMapper(sampling.sourceMaps));
    const allocationProfile = mapAllocations(sampling.profile, sampling.samplingIntervalBytes, files, sampling.sourceMaps);
    return {
      ...built,
      allocations: sites.sites,
      sampledBytes: sites.totalBytes,
      ownBytes: sites.ownBytes,
      ...(allocationProfile ? { allocationProfile } : {}),
    };
  } catch (err) {
    notes.push(`sampling heap profiler failed: ${(err as Error).message}`);
    return built;
  }
}

function isLoaderFile(url: string): boolean {
  return /[\\/]runner[\\/]dist[\\/](register|compile)\.js$/.test(url);
}

/** The whole sampled tree in original positions, tsprof's own allocations left out. */
function mapAllocations(
  profile: SamplingHeapProfile,
  samplingIntervalBytes: number,
  files: FileData[],
  sourceMaps: SavedSourceMaps,
): SampledAllocationProfile | undefined {
  let mapped: SampledAllocationProfile;
  try {
    mapped = mapAllocationProfile(profile, { ownDirs: OWN_DIRS, thread: "main", samplingIntervalBytes, sourceMaps });
  } catch {
    return undefined;
  }
  // A script collected by the end comes back without url or line (see buildAllocationSites): a
  // profiled function of the same, unique name identifies it.
  const byName = new Map<string, { file: string; line: number } | null>();
  for (const data of files) for (const fn of data.meta.functions) byName.set(fn.name, byName.has(fn.name) ? null : { file: data.meta.file, line: fn.bodyLine });
  const stack = [mapped.head];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const match = !node.callFrame.url && node.callFrame.lineNumber < 0 ? byName.get(node.callFrame.functionName) : null;
    if (match) node.callFrame = { ...node.callFrame, url: match.file, lineNumber: match.line - 1, columnNumber: 0 };
    stack.push(...node.children);
  }
  return mapped;
}

/**
 * Sum the sampled bytes per function (self size), map each function to its original file and line,
 * and split the bytes of a profiled function over its lines in proportion to the heap growth its
 * lines showed (V8 samples name functions, not lines).
 */
function buildAllocationSites(
  profile: SamplingHeapProfile,
  files: FileData[],
  mapper: SourceLineMapper,
): { sites: AllocationSite[]; totalBytes: number; ownBytes: number } {
  // Profiled functions by name, where the name is unique among them.
  const profiledByName = new Map<string, { file: string; line: number } | null>();
  for (const data of files) {
    for (const fn of data.meta.functions) {
      const seen = profiledByName.has(fn.name);
      profiledByName.set(fn.name, seen ? null : { file: data.meta.file, line: fn.bodyLine });
    }
  }
  const samplesPerNode = new Map<number, number>();
  for (const s of profile.samples ?? []) samplesPerNode.set(s.nodeId, (samplesPerNode.get(s.nodeId) ?? 0) + 1);
  const byFunction = new Map<string, { functionName: string; file: string; line: number; bytes: number; samples: number }>();
  let totalBytes = 0;
  let ownBytes = 0;
  const walk = (node: SamplingHeapProfileNode, insideOwn: boolean): void => {
    const cf0 = node.callFrame;
    // Everything called from tsprof's own measuring code (getHeapStatistics, readSync) is ours too.
    const ownFile = cf0.url !== "" && isOwnFile(cf0.url.startsWith("file:") ? new URL(cf0.url).pathname : cf0.url);
    // The loader's require hook calls the user's modules (it is on their stack): it is ours, what
    // runs under it is not.
    const loader = ownFile && isLoaderFile(cf0.url);
    const own = insideOwn || (ownFile && !loader);
    if (node.selfSize > 0 && (own || loader)) {
      totalBytes += node.selfSize;
      ownBytes += node.selfSize;
    } else if (node.selfSize > 0) {
      const cf = node.callFrame;
      totalBytes += node.selfSize;
      let file = cf.url;
      let line = cf.lineNumber + 1;
      if (cf.url) {
        const mapped = mapper.map(cf.url, cf.lineNumber + 1, cf.columnNumber);
        if (mapped) {
          file = mapped.file;
          line = mapped.line;
        } else if (file.startsWith("file:")) {
          file = new URL(file).pathname;
        }
      }
      if (!cf.url && cf.lineNumber < 0 && cf.functionName) {
        // V8 names the script only while it is alive: a module whose functions are all unreachable
        // by the end (a script that has finished) has been collected, and its frames come back
        // without url or line. A profiled function of that name still identifies it.
        const match = profiledByName.get(cf.functionName);
        if (match) {
          file = match.file;
          line = match.line;
        }
      }
      if (file && isOwnFile(file)) {
        ownBytes += node.selfSize;
      } else {
        // No script: a V8 built-in (Array.prototype.push, ...) or V8's own "(root)"-like nodes.
        const name = cf.functionName ? (file ? cf.functionName : `${cf.functionName} (built-in)`) : file ? "(anonymous)" : "(V8)";
        const key = `${name}\u0000${file}\u0000${line}`;
        const site = byFunction.get(key) ?? { functionName: name, file, line: file ? line : 0, bytes: 0, samples: 0 };
        site.bytes += node.selfSize;
        site.samples += samplesPerNode.get(node.id) ?? 0;
        byFunction.set(key, site);
      }
    }
    for (const child of node.children ?? []) walk(child, own);
  };
  walk(profile.head, false);

  const sites: AllocationSite[] = [];
  for (const site of byFunction.values()) {
    const split = splitOverLines(site, files);
    if (split) sites.push(...split);
    else sites.push({ ...site, lineLevel: false });
  }
  sites.sort((a, b) => b.bytes - a.bytes);
  return { sites, totalBytes, ownBytes };
}

function splitOverLines(
  site: { functionName: string; file: string; line: number; bytes: number; samples: number },
  files: FileData[],
): AllocationSite[] | null {
  for (const data of files) {
    if (data.meta.file !== site.file) continue;
    // The innermost profiled function whose lines hold the sampled function's start.
    let best = -1;
    for (let f = 0; f < data.meta.functions.length; f++) {
      const fn = data.meta.functions[f];
      if (site.line < fn.bodyLine || site.line > fn.endLine) continue;
      if (best < 0 || fn.endLine - fn.bodyLine < data.meta.functions[best].endLine - data.meta.functions[best].bodyLine) best = f;
    }
    if (best < 0) continue;
    // V8's frame starts where the function starts: only trust the match if the lines agree.
    if (site.line !== data.meta.functions[best].bodyLine) continue;
    // Every line event itself adds a few bytes (the measurement's numbers): the smallest growth
    // seen on any often-run line of the function is that floor, taken off each positive change,
    // so a line that allocates nothing weighs nothing however often it runs.
    let floor = Infinity;
    for (let slot = 0; slot < data.meta.slots.length; slot++) {
      if (data.meta.slots[slot].fn === best && data.growthCount[slot] >= 10) floor = Math.min(floor, data.growthMin[slot]);
    }
    if (!Number.isFinite(floor)) floor = 0;
    const growth = new Map<number, number>();
    let total = 0;
    for (let slot = 0; slot < data.meta.slots.length; slot++) {
      const s = data.meta.slots[slot];
      const weight = data.heapGrowth[slot] - data.growthCount[slot] * floor;
      if (s.fn !== best || weight <= 0) continue;
      growth.set(s.line, (growth.get(s.line) ?? 0) + weight);
      total += weight;
    }
    if (total <= 0) return null;
    return [...growth.entries()].map(([line, g]) => ({
      functionName: site.functionName,
      file: site.file,
      line,
      bytes: (site.bytes * g) / total,
      samples: Math.round((site.samples * g) / total),
      lineLevel: true,
    }));
  }
  return null;
}
