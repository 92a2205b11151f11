/** What the collector (main thread) and its worker share. */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { FileMeta } from "@tsprof/runner";
import type { FileData } from "./build-result";

/** Indexes into the shared control array. */
export const enum Control {
  /** Set by the main thread at exit: the worker stops. */
  Stop = 0,
  /** Set by the worker once it runs. */
  Ready = 1,
  /** Set by the worker when it has stopped (no write in flight). */
  Acknowledged = 2,
}

export interface WorkerInput {
  buffers: SharedBuffers;
  port: unknown;
  lineSampleUs: number;
  snapshotMs: number;
  graceMs: number;
  outFile: string;
  interruptFile: string;
  /** tsprof's pid: when our parent changes, tsprof has died. */
  parentPid: number;
  header: object;
}

/** tsprof's own code and its compilers: left out of the summary, they are not the user's program. */
export const OWN_DIRS = [
  dirname(dirname(__dirname)),
  dirname(require.resolve("esbuild/package.json")),
  dirname(require.resolve("typescript/package.json")),
].map((d) => d + "/");

const sourceCache = new Map<string, string[]>();
export function readSource(file: string): string[] {
  let lines = sourceCache.get(file);
  if (!lines) {
    try {
      lines = readFileSync(file, "utf8").split(/\r?\n/);
    } catch {
      lines = [];
    }
    sourceCache.set(file, lines);
  }
  return lines;
}

/** One file's part of the shared arrays: its slots start at `base`, its functions at `fnBase`. */
export function fileViews(views: ReturnType<typeof sharedViews>, meta: FileMeta, base: number, fnBase: number): FileData {
  const slots = meta.slots.length;
  return {
    meta,
    base,
    hits: views.hits.subarray(base, base + slots),
    timeMs: views.timeMs.subarray(base, base + slots),
    escapes: views.escapes.subarray(base, base + slots),
    calls: views.calls.subarray(fnBase, fnBase + meta.functions.length),
  };
}

/** The shared buffers the collector allocates and its worker receives. */
export interface SharedBuffers {
  control: SharedArrayBuffer;
  hits: SharedArrayBuffer;
  time: SharedArrayBuffer;
  escapes: SharedArrayBuffer;
  calls: SharedArrayBuffer;
  stack: SharedArrayBuffer | null;
}

/** Typed views over the shared buffers: the same in the main thread and in the worker. */
export function sharedViews(buffers: SharedBuffers) {
  return {
    control: new Int32Array(buffers.control),
    hits: new Float64Array(buffers.hits),
    timeMs: new Float64Array(buffers.time),
    escapes: new Float64Array(buffers.escapes),
    calls: new Float64Array(buffers.calls),
    stack: buffers.stack ? new Int32Array(buffers.stack) : null,
  };
}
