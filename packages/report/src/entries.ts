/**
 * Every renderer and exporter tsprof has, one entry per kind × format.
 *
 * To add a format (e.g. an exporter in @tsprof/export): add one entry below, and the package to
 * this package's dependencies. `load` requires the package lazily, so a command pays only for
 * the renderer it uses (canvas, for instance, loads only for PNG). The function must be pure: a
 * validated result and options in, a string or bytes out; it may return a Promise.
 */
import { resultToJSON, type OutputFormat, type Renderer, type ResultKind } from "@tsprof/core";

export interface RendererEntry<K extends ResultKind = ResultKind> {
  kind: K;
  format: OutputFormat;
  /** One line for `tsprof show --help` and error messages. */
  description: string;
  /** The renderer, loaded on first use. */
  load(): Renderer<K>;
  /** Why this format cannot be produced here (a missing native addon), or null when it can. */
  unavailable?(): string | null;
}

function entry<K extends ResultKind>(e: RendererEntry<K>): RendererEntry {
  return e as unknown as RendererEntry;
}

const line = () => require("@tsprof/line") as typeof import("@tsprof/line");
const mem = () => require("@tsprof/mem") as typeof import("@tsprof/mem");
const perf = () => require("@tsprof/perf") as typeof import("@tsprof/perf");
const diffusion = () => require("@tsprof/diffusion") as typeof import("@tsprof/diffusion");
const exporters = () => require("@tsprof/export") as typeof import("@tsprof/export");

/** The whole result as indented JSON: the same for every kind. */
const json = <K extends ResultKind>(kind: K): RendererEntry =>
  entry<K>({ kind, format: "json", description: "the whole result as JSON (read again by tsprof show)", load: () => (r) => resultToJSON(r) });

const PNG_SIZE = { width: 1200, height: 600 };

export const ENTRIES: readonly RendererEntry[] = [
  entry<"line">({
    kind: "line",
    format: "text",
    description: "line_profiler's tables and the function summary",
    load: () => (r, o) => line().renderLineProfile(r, { color: o.color, skipZero: o.skipZero ?? false, onlyUser: o.onlyUser, unit: o.unit, cwd: o.cwd, width: o.width }),
  }),
  json("line"),
  entry<"line">({
    kind: "line",
    format: "speedscope",
    description: "speedscope's file format: the sampled call tree per thread, original files and lines",
    load: () => (r) => JSON.stringify(exporters().toSpeedscope(r)),
  }),
  entry<"line">({
    kind: "line",
    format: "pprof",
    description: "gzipped profile.proto (go tool pprof, Pyroscope, Grafana, Parca): cpu time per original line",
    load: () => (r) => Buffer.from(exporters().toPprof(r)),
  }),
  entry<"line">({
    kind: "line",
    format: "cpuprofile",
    description: "Chrome DevTools / VS Code .cpuprofile in original positions",
    load: () => (r) => exporters().toCpuprofile(r),
  }),
  entry<"mem">({
    kind: "mem",
    format: "text",
    description: "memory_profiler's tables (RSS and heap) and the allocation table",
    load: () => (r, o) => mem().renderMemProfile(r, { color: o.color, skipZero: o.skipZero, cwd: o.cwd, width: o.width }),
  }),
  json("mem"),
  entry<"mem">({
    kind: "mem",
    format: "speedscope",
    description: "speedscope's file format: the sampled allocations by call stack, in bytes",
    load: () => (r) => JSON.stringify(exporters().toSpeedscope(r)),
  }),
  entry<"mem">({
    kind: "mem",
    format: "pprof",
    description: "gzipped profile.proto: the sampled allocations (alloc_space) by call stack",
    load: () => (r) => Buffer.from(exporters().toPprof(r)),
  }),
  entry<"mem-recording">({
    kind: "mem-recording",
    format: "text",
    description: "memory over time as a terminal chart, with the function brackets",
    load: () => (r, o) =>
      mem().renderMemRecording(r, o.width === undefined ? undefined : { width: Math.max(20, Math.min(o.width, 160) - 20), height: 15 }),
  }),
  entry<"mem-recording">({
    kind: "mem-recording",
    format: "png",
    description: "memory over time as a PNG chart (mprof plot)",
    load: () => (r, o) => mem().renderRecordingPng(r, o.size ?? PNG_SIZE),
    unavailable: () => mem().pngRendererProblem(),
  }),
  json("mem-recording"),
  entry<"counters">({ kind: "counters", format: "text", description: "perf stat's counters with their ratios", load: () => (r) => perf().renderCounters(r) }),
  json("counters"),
  entry<"counters-compare">({
    kind: "counters-compare",
    format: "text",
    description: "the variants side by side, with ratios to the first",
    load: () => (r) => perf().renderCounters(r),
  }),
  json("counters-compare"),
  entry<"study">({ kind: "study", format: "text", description: "the study's tables (runtime, speedup, memory)", load: () => (r) => diffusion().renderStudyText(r) }),
  entry<"study">({ kind: "study", format: "markdown", description: "the study's tables as Markdown", load: () => (r) => diffusion().renderStudyMarkdown(r) }),
  entry<"study">({
    kind: "study",
    format: "png",
    description: "Figure 6-4 (speedup against grid size, log scale) over the runtime table as grouped bars",
    load: () => (r, o) => diffusion().renderStudyPng(r, o.size),
    unavailable: () => mem().pngRendererProblem(),
  }),
  json("study"),
];
