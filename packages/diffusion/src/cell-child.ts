/**
 * The child process of one study cell (or of custom-module discovery). Started by study.ts as
 * `node [loader flags] cell-child.js <spec JSON>` with an IPC channel. It sets the variant up
 * (untimed), then times only the steps with performance.now(), counts GCs and their time with V8's GCProfiler,
 * samples the JS heap plus ArrayBuffer memory, and reports its own peak RSS, so every figure
 * belongs to this one variant.
 */
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import * as v8 from "node:v8";
import type { ChildMessage, CellSpec, ListSpec } from "./protocol";
import { scaledSeconds, type Timing } from "./scaling";
import { findVariant } from "./registry";
import type { RunnableVariant } from "./variant";
import { allocatedBetween, type GcRecord } from "./gc-allocation";
import { openMarker, type CellWindow } from "./window-marker";

const MiB = 1024 * 1024;
const PROGRESS_EVERY_MS = 100;
const HEAP_SAMPLE_EVERY_MS = 5;

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      process.stdout.write(JSON.stringify(message) + "\n");
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

/** A module export is a variant when it has setup() and step() functions. */
export function isVariant(value: unknown): value is RunnableVariant {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as RunnableVariant).setup === "function" &&
    typeof (value as RunnableVariant).step === "function"
  );
}

async function importCustom(modulePath: string): Promise<Record<string, unknown>> {
  const namespace = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  // A CommonJS module imported from ESM puts module.exports on `default` as well; take the names from either.
  const merged: Record<string, unknown> = { ...namespace };
  const fallback = namespace.default;
  if (typeof fallback === "object" && fallback !== null && !isVariant(fallback)) {
    for (const [name, value] of Object.entries(fallback)) if (!(name in merged) || !isVariant(merged[name])) merged[name] = value;
  }
  return merged;
}

async function resolveVariant(spec: CellSpec): Promise<RunnableVariant> {
  if (spec.workload === "custom") {
    const exports = await importCustom(spec.customModule!);
    const candidate = exports[spec.variant];
    if (!isVariant(candidate)) throw new Error(`export '${spec.variant}' of ${spec.customModule} is not a variant ({ setup(size), step() })`);
    return candidate;
  }
  const definition = findVariant(spec.workload, spec.variant);
  if (!definition?.inProcess) throw new Error(`unknown in-process variant '${spec.variant}'`);
  return definition.create();
}

/**
 * This process's peak RSS in MiB: VmHWM from /proc/self/status (Linux), else resourceUsage().maxRSS.
 * On Linux, getrusage's maxRSS is carried across exec: a child forked from a big parent (the
 * dashboard) would report the parent's peak as its own. VmHWM belongs to the address space and
 * starts afresh at exec.
 */
function ownPeakRssMiB(): number {
  try {
    const match = /^VmHWM:\s*(\d+)\s*kB/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

function heapBytes(): number {
  const stats = v8.getHeapStatistics();
  return stats.used_heap_size + stats.external_memory;
}

/**
 * Times the steps. Uses performance.now() (a double with sub-microsecond resolution; the old
 * process.hrtime.bigint() allocates a BigInt per call). The loop is a plain synchronous function
 * as long as step() returns nothing: inside an async function, doubles that live across an `await`
 * are boxed, which would allocate on every step and cause GCs that are not the variant's.
 */
function timeSteps(variant: RunnableVariant, spec: CellSpec): Timing | Promise<Timing> {
  const budgetMs = spec.budgetSeconds > 0 ? spec.budgetSeconds * 1e3 : Infinity;
  let peakHeap = heapBytes();
  let lastProgress = 0;
  let lastHeap = 0;
  let halfDone = 0;
  let halfElapsedMs = 0;
  const start = performance.now();
  for (let done = 0; done < spec.iterations; ) {
    const pending = variant.step();
    done++;
    if (pending && typeof (pending as Promise<void>).then === "function") {
      return finishAsync(variant, spec, pending, done, start, peakHeap);
    }
    const elapsed = performance.now() - start;
    if (halfDone === 0 && elapsed >= budgetMs / 2) {
      halfDone = done;
      halfElapsedMs = elapsed;
    }
    if (elapsed - lastHeap >= HEAP_SAMPLE_EVERY_MS) {
      // A few microseconds; at most every 5 ms of step time.
      peakHeap = Math.max(peakHeap, heapBytes());
      lastHeap = elapsed;
    }
    if (elapsed - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = elapsed;
      void send({ type: "progress", done, of: spec.iterations, elapsedMs: elapsed });
    }
    if (done === spec.iterations || elapsed >= budgetMs) return { done, elapsedMs: elapsed, peakHeap, halfDone, halfElapsedMs };
  }
  return { done: 0, elapsedMs: 0, peakHeap, halfDone, halfElapsedMs };
}

/** The same loop for variants whose step() returns a promise (custom variants may). */
async function finishAsync(variant: RunnableVariant, spec: CellSpec, first: void | Promise<void>, doneSoFar: number, start: number, heap: number): Promise<Timing> {
  const budgetMs = spec.budgetSeconds > 0 ? spec.budgetSeconds * 1e3 : Infinity;
  await first;
  let done = doneSoFar;
  let peakHeap = heap;
  let lastProgress = 0;
  let halfDone = 0;
  let halfElapsedMs = 0;
  for (;;) {
    const elapsed = performance.now() - start;
    if (halfDone === 0 && elapsed >= budgetMs / 2) {
      halfDone = done;
      halfElapsedMs = elapsed;
    }
    peakHeap = Math.max(peakHeap, heapBytes());
    if (elapsed - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = elapsed;
      void send({ type: "progress", done, of: spec.iterations, elapsedMs: elapsed });
    }
    if (done >= spec.iterations || elapsed >= budgetMs) return { done, elapsedMs: elapsed, peakHeap, halfDone, halfElapsedMs };
    await variant.step();
    done++;
  }
}

/**
 * What the cell measures around the timed steps besides time: CPU, page faults, GCs (count and
 * time from V8's GCProfiler, which reports each GC as it ends, unlike PerformanceObserver entries
 * that arrive asynchronously and were seen lost after long synchronous cells), allocation.
 */
function startCauses(): () => { cpuSeconds: number; minorFaults: number; majorFaults: number; gcCount: number; gcSeconds: number; allocatedBytes: number } {
  const profiler = new v8.GCProfiler();
  const heapStart = heapBytes();
  const usageStart = process.resourceUsage();
  const cpuStart = process.cpuUsage();
  profiler.start();
  return () => {
    const cpu = process.cpuUsage(cpuStart);
    const usage = process.resourceUsage();
    const gcs = (profiler.stop()?.statistics ?? []) as GcRecord[];
    return {
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      minorFaults: usage.minorPageFault - usageStart.minorPageFault,
      majorFaults: usage.majorPageFault - usageStart.majorPageFault,
      gcCount: gcs.length,
      // GCProfiler's cost is in microseconds.
      gcSeconds: gcs.reduce((sum, gc) => sum + gc.cost, 0) / 1e6,
      allocatedBytes: allocatedBetween(heapStart, gcs, heapBytes()),
    };
  };
}

/** `count` steps, in a plain synchronous loop until a step returns a promise (as timeSteps). */
function runSteps(variant: RunnableVariant, count: number): void | Promise<void> {
  for (let done = 0; done < count; ) {
    const pending = variant.step();
    done++;
    if (pending && typeof (pending as Promise<void>).then === "function") return finishSteps(variant, pending, count - done);
  }
}

async function finishSteps(variant: RunnableVariant, first: Promise<void>, left: number): Promise<void> {
  await first;
  for (let i = 0; i < left; i++) await variant.step();
}

/** A slow-cause run: warm-up steps, then the measured steps inside the marked window (see window-marker.ts). */
async function runWindow(variant: RunnableVariant, spec: CellSpec, window: CellWindow): Promise<void> {
  await runSteps(variant, window.warmupSteps);
  const marker = openMarker(window);
  if (window.instrumentSteps > 0) {
    marker.command("instrument");
    await runSteps(variant, window.instrumentSteps);
  }
  marker.command("enable");
  await runSteps(variant, spec.iterations);
  marker.command("disable");
  marker.close();
  await variant.dispose?.();
}

async function runCell(spec: CellSpec): Promise<void> {
  const variant = await resolveVariant(spec);
  await variant.setup(spec.size);
  if (spec.window) return runWindow(variant, spec, spec.window);

  const stopCauses = startCauses();
  const timing = spec.iterations > 0 ? await timeSteps(variant, spec) : { done: 0, elapsedMs: 0, peakHeap: heapBytes(), halfDone: 0, halfElapsedMs: 0 };
  const causes = stopCauses();
  const peakHeap = Math.max(timing.peakHeap, heapBytes());

  const { done } = timing;
  const measuredSeconds = timing.elapsedMs / 1e3;
  const scaled = done < spec.iterations;
  const checksum = typeof variant.checksum === "function" ? Number(variant.checksum()) : null;
  await variant.dispose?.();
  // Causes are totals of the measured steps; a scaled cell's are scaled like its time, by steps.
  const scale = scaled && done > 0 ? spec.iterations / done : 1;
  await send({
    type: "result",
    seconds: scaled ? scaledSeconds(spec.iterations, timing) : measuredSeconds,
    measuredIterations: done,
    scaled,
    checksum: checksum !== null && Number.isFinite(checksum) ? checksum : null,
    ...(checksum !== null && !Number.isFinite(checksum) ? { checksumNote: `checksum() returned ${checksum}` } : {}),
    peakHeapMiB: peakHeap / MiB,
    gcCount: Math.round(causes.gcCount * scale),
    maxRssMiB: ownPeakRssMiB(),
    cpuSeconds: causes.cpuSeconds * scale,
    coresUsed: measuredSeconds > 0 ? causes.cpuSeconds / measuredSeconds : null,
    allocatedBytes: causes.allocatedBytes * scale,
    gcSeconds: causes.gcSeconds * scale,
    minorFaults: Math.round(causes.minorFaults * scale),
    majorFaults: Math.round(causes.majorFaults * scale),
  });
}

async function listCustom(spec: ListSpec): Promise<void> {
  const exports = await importCustom(spec.customModule);
  await send({ type: "variants", names: Object.keys(exports).filter((name) => isVariant(exports[name])) });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "{}") as CellSpec | ListSpec;
  try {
    if (spec.mode === "list") await listCustom(spec);
    else await runCell(spec);
    process.exitCode = 0;
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await send({ type: "error", message });
    process.exitCode = 1;
  }
  // Worker threads or timers left by a user variant must not keep the cell alive.
  process.disconnect?.();
  process.exit();
}

void main();
