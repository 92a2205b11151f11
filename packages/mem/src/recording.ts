import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  SCHEMA_VERSION,
  ResultFileError,
  bytesToMiB,
  toolShareOf,
  validateResult,
  type FunctionBracket,
  type MemRecording,
  type MemSample,
} from "@tsprof/core";

/**
 * The on-disk recording of `tsprof mem --plot`: JSON lines, appended as the run goes, so that a
 * crash, a kill, `process.abort()` or a heap OOM still leaves everything up to that moment.
 *
 * Three writers append to the same file (each line is one `write()` on an O_APPEND descriptor, so
 * lines never interleave): the parent (header, `rss`, `end`), the child's sampler thread (`heap`),
 * and the child's main thread (`open`/`close` of profiled-function brackets). Times are epoch
 * milliseconds (fractional) so that the three clocks agree.
 */
export type RecordingLine =
  | {
      type: "header";
      kind: "mem-recording";
      schemaVersion: number;
      command: string[];
      startedAt: string;
      startEpochMs: number;
      intervalMs: number;
      includeChildren: boolean;
      script: string;
    }
  | { type: "rss"; t: number; rss: number }
  | { type: "heap"; t: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number }
  | { type: "open"; t: number; id: number; name: string }
  | { type: "close"; t: number; id: number }
  | { type: "end"; t: number; exitCode: number | null; signal: string | null; error?: string }
  /** The child's memory just before the script's own code (written by the collector). */
  | { type: "baseline"; t: number; rss: number }
  /** Plain node's RSS at its first line, measured by the parent beside the run. */
  | { type: "reference"; rss: number }
  /** The child's exit handler ran: samples after this are of a process tearing down. */
  | { type: "exit"; t: number };

/** Suffix of recording files in `.tsprof/`. */
export const RECORDING_SUFFIX = ".mem.jsonl";

/** Serialize one line (with its newline) for appending. */
export function recordingLine(line: RecordingLine): string {
  return JSON.stringify(line) + "\n";
}

/** File name for a recording started at `date`: mem-2026-11-21T08-15-02-123.mem.jsonl (sorts by time). */
export function recordingFileName(date: Date): string {
  const stamp = date.toISOString().replace(/:/g, "-").replace(".", "-").replace(/Z$/, "");
  return `mem-${stamp}${RECORDING_SUFFIX}`;
}

/** The recordings folder of a working directory. */
export function recordingsDir(cwd: string): string {
  return join(cwd, ".tsprof");
}

export interface RecordingEntry {
  path: string;
  name: string;
  bytes: number;
  modified: Date;
}

/** Recordings in `dir`, oldest first (names sort by start time). Empty if the folder is missing. */
export function listRecordings(dir: string): RecordingEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith(RECORDING_SUFFIX))
    .sort()
    .map((name) => {
      const path = resolve(dir, name);
      const stat = statSync(path);
      return { path, name, bytes: stat.size, modified: stat.mtime };
    });
}

/** Thrown for a file that is not a readable recording; the message is one line. */
export class RecordingError extends Error {}

type HeaderLine = Extract<RecordingLine, { type: "header" }>;
type HeapLine = Extract<RecordingLine, { type: "heap" }>;
type EndLine = Extract<RecordingLine, { type: "end" }>;

/** The lines of a recording, sorted by type, before any time is made relative to the start. */
export interface RecordingLines {
  header: HeaderLine | null;
  /** RSS samples with a positive reading, in file order. */
  rss: Array<{ t: number; rss: number }>;
  heap: HeapLine[];
  /** Brackets that closed, epoch ms. */
  closed: Array<{ name: string; start: number; end: number }>;
  /** Brackets still open at the end of the file, by id. */
  opens: Map<number, { t: number; name: string }>;
  end: EndLine | null;
  baselineRss: number | null;
  referenceRss: number | null;
  exitT: number | null;
  /** Lines that were cut (unparseable) or of an unknown type. */
  skipped: number;
}

/** Read the JSON lines of a recording, skipping a line cut by a crash and lines of unknown type. Pure. */
export function readRecordingLines(text: string): RecordingLines {
  const read: RecordingLines = {
    header: null,
    rss: [],
    heap: [],
    closed: [],
    opens: new Map(),
    end: null,
    baselineRss: null,
    referenceRss: null,
    exitT: null,
    skipped: 0,
  };
  for (const rawLine of text.split("\n")) {
    const raw = rawLine.trim();
    if (raw === "") continue;
    let line: RecordingLine;
    try {
      line = JSON.parse(raw) as RecordingLine;
    } catch {
      // A line cut by a crash (only ever the one being written): skip it.
      read.skipped++;
      continue;
    }
    addRecordingLine(read, line);
  }
  return read;
}

/** File one parsed line into `read`. */
function addRecordingLine(read: RecordingLines, line: RecordingLine): void {
  switch (line.type) {
    case "header":
      read.header = line;
      break;
    case "rss":
      // RSS 0 was read from an exited process (recordings written before the writer skipped it).
      if (line.rss > 0) read.rss.push(line);
      break;
    case "heap":
      read.heap.push(line);
      break;
    case "open":
      read.opens.set(line.id, { t: line.t, name: line.name });
      break;
    case "close": {
      const open = read.opens.get(line.id);
      if (open) {
        read.closed.push({ name: open.name, start: open.t, end: line.t });
        read.opens.delete(line.id);
      }
      break;
    }
    case "end":
      read.end = line;
      break;
    case "baseline":
      read.baselineRss = line.rss;
      break;
    case "reference":
      read.referenceRss = line.rss;
      break;
    case "exit":
      read.exitT = line.t;
      break;
    default:
      read.skipped++;
  }
}

/**
 * The samples of a recording, ms since `t0`, sorted by time: RSS samples (up to the child's exit
 * handler: the series ends at the last sample of the running program, not of its teardown) and
 * heap samples. Pure.
 */
export function recordingSamples(read: RecordingLines, t0: number): MemSample[] {
  const samples: MemSample[] = [];
  for (const r of read.rss) {
    if (read.exitT !== null && r.t > read.exitT) continue;
    samples.push({
      tMs: r.t - t0,
      rssMiB: bytesToMiB(r.rss),
      heapUsedMiB: null,
      heapTotalMiB: null,
      externalMiB: null,
      arrayBuffersMiB: null,
    });
  }
  for (const h of read.heap) {
    samples.push({
      tMs: h.t - t0,
      rssMiB: null,
      heapUsedMiB: bytesToMiB(h.heapUsed),
      heapTotalMiB: bytesToMiB(h.heapTotal),
      externalMiB: bytesToMiB(h.external),
      arrayBuffersMiB: bytesToMiB(h.arrayBuffers),
    });
  }
  samples.sort((a, b) => a.tMs - b.tMs);
  return samples;
}

/**
 * The function brackets of a recording, ms since `t0`, sorted by start. A bracket still open (the
 * program died, or is still running, inside that call) runs to the child's last heap sample after
 * it opened, else to `lastT`, the last sample or end of any kind. Pure.
 */
export function recordingBrackets(read: RecordingLines, t0: number, lastT: number): FunctionBracket[] {
  const brackets: FunctionBracket[] = read.closed.map((b) => ({ name: b.name, startMs: b.start - t0, endMs: b.end - t0 }));
  // The child's last sign of life: its last heap sample (taken by its own sampler thread). RSS
  // samples go on while a dying process writes its core dump.
  const lastHeapT = read.heap.length > 0 ? Math.max(...read.heap.map((h) => h.t - t0)) : null;
  for (const open of read.opens.values()) {
    const start = open.t - t0;
    const end = lastHeapT !== null && lastHeapT >= start ? lastHeapT : Math.max(lastT, start);
    brackets.push({ name: open.name, startMs: start, endMs: end, open: true });
  }
  brackets.sort((a, b) => a.startMs - b.startMs);
  return brackets;
}

/**
 * Parse a recording (JSON lines) into the model. Tolerates what a dying writer leaves: a truncated
 * last line, a missing `end` line (then `complete` is false), brackets still open (they end at the
 * last sample and are flagged `open`). Pure.
 */
export function parseRecording(text: string, origin = "recording"): MemRecording {
  const read = readRecordingLines(text);
  const header = read.header;
  if (header === null || header.kind !== "mem-recording") {
    if (text.trimStart().startsWith("{") && !text.includes("\n{")) {
      // Maybe a finalised single-document recording (e.g. written with --json).
      return parseRecordingDocument(text, origin);
    }
    throw new RecordingError(`${origin}: not a tsprof memory recording (no header line)`);
  }
  if (header.schemaVersion !== SCHEMA_VERSION) {
    throw new RecordingError(
      `${origin}: schema version ${String(header.schemaVersion)} is not supported (this tsprof reads ${SCHEMA_VERSION})`,
    );
  }
  const t0 = header.startEpochMs;
  const { end, skipped, baselineRss, referenceRss } = read;
  const samples = recordingSamples(read, t0);
  const lastT = Math.max(end ? end.t - t0 : 0, samples.length ? samples[samples.length - 1].tMs : 0);
  return checked(origin, {
    kind: "mem-recording",
    schemaVersion: header.schemaVersion,
    command: header.command,
    startedAt: header.startedAt,
    script: header.script,
    intervalMs: header.intervalMs,
    includeChildren: header.includeChildren,
    samples,
    brackets: recordingBrackets(read, t0, lastT),
    complete: end !== null,
    exitCode: end ? end.exitCode : null,
    signal: end ? end.signal : null,
    ...(end?.error !== undefined ? { error: end.error } : {}),
    ...(skipped > 0 ? { skippedLines: skipped } : {}),
    ...(baselineRss !== null ? { toolShare: toolShareOf(baselineRss, referenceRss) } : {}),
  });
}

/** The recording checked against the schema of its kind; a malformed one is a RecordingError (one line). */
function checked(origin: string, recording: unknown): MemRecording {
  try {
    return validateResult(recording, origin, "mem-recording");
  } catch (err) {
    if (err instanceof ResultFileError) throw new RecordingError(err.message);
    throw err;
  }
}

function parseRecordingDocument(text: string, origin: string): MemRecording {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RecordingError(`${origin}: not a tsprof memory recording (${(err as Error).message})`);
  }
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind !== "mem-recording") {
    throw new RecordingError(`${origin}: not a tsprof memory recording${typeof kind === "string" ? ` (a "${kind}" result)` : ""}`);
  }
  const rec = checked(origin, value);
  // RSS 0 was read from an exited process (documents written before the writer skipped it).
  rec.samples = rec.samples.filter((sample) => sample.rssMiB !== 0);
  return rec;
}

/** Read and parse a recording file (JSON lines, or a single JSON document). */
export function readRecording(path: string): MemRecording {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new RecordingError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseRecording(text, path);
}

/** The series a recording holds, in plot order: name, accessor. */
export const RECORDING_SERIES: ReadonlyArray<{ key: keyof Omit<MemSample, "tMs">; label: string }> = [
  { key: "rssMiB", label: "RSS" },
  { key: "heapTotalMiB", label: "V8 heap total" },
  { key: "heapUsedMiB", label: "V8 heap used" },
  { key: "externalMiB", label: "external" },
  { key: "arrayBuffersMiB", label: "array buffers" },
];

export interface RecordingPeak {
  label: string;
  key: keyof Omit<MemSample, "tMs">;
  tMs: number;
  mib: number;
}

/** The peak of the main series (RSS, or heap used when there is no RSS sample). Pure. */
export function recordingPeak(rec: MemRecording): RecordingPeak | null {
  for (const series of [RECORDING_SERIES[0], RECORDING_SERIES[2]]) {
    let best: RecordingPeak | null = null;
    for (const s of rec.samples) {
      const v = s[series.key];
      if (v !== null && (best === null || v > best.mib)) best = { label: series.label, key: series.key, tMs: s.tMs, mib: v };
    }
    if (best) return best;
  }
  return null;
}

/** Duration covered by the recording, ms. */
export function recordingDurationMs(rec: MemRecording): number {
  let last = 0;
  for (const s of rec.samples) last = Math.max(last, s.tMs);
  for (const b of rec.brackets) last = Math.max(last, b.endMs);
  return last;
}

/**
 * Nesting depth of each bracket (same order as `rec.brackets`): how many brackets of other calls
 * enclose it, so a marked `render` called inside a marked `run` is drawn one level in. Pure.
 */
export function bracketDepths(rec: MemRecording): number[] {
  return rec.brackets.map((b, i) =>
    rec.brackets.reduce(
      (depth, other, j) =>
        j !== i && other.startMs <= b.startMs && other.endMs >= b.endMs && (other.startMs < b.startMs || other.endMs > b.endMs || j < i)
          ? depth + 1
          : depth,
      0,
    ),
  );
}

/** What the plot says about how calls became brackets (mprof draws one per call). */
export function bracketMergeNote(rec: MemRecording): string {
  return `calls of one function less than ${rec.intervalMs} ms apart (the sampling interval) share one bracket`;
}

/** One line on tsprof's own share of the starting memory, or null when it was not measured. */
export function toolShareNote(rec: MemRecording): string | null {
  const share = rec.toolShare;
  if (!share) return null;
  if (share.toolMiB === null || share.plainNodeRssMiB === null) {
    return `RSS when the script started: ${share.startRssMiB.toFixed(1)} MiB, tsprof's loader and sampler included`;
  }
  return (
    `of the ${share.startRssMiB.toFixed(1)} MiB RSS when the script started, ${share.toolMiB.toFixed(1)} MiB is tsprof's own ` +
    `(plain node starts at ${share.plainNodeRssMiB.toFixed(1)} MiB)`
  );
}
