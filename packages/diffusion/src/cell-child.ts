/**
 * The child process of one study cell (or of custom-module discovery). Started by study.ts as
 * `node [loader flags] cell-child.js <spec JSON>` with an IPC channel. It sets the variant up
 * (untimed), then times only the steps with process.hrtime, counts GCs with a PerformanceObserver,
 * samples the JS heap plus ArrayBuffer memory, and reports its own maxRSS, so every figure belongs
 * to this one variant.
 */
import { PerformanceObserver, performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import * as v8 from "node:v8";
import type { ChildMessage, CellSpec, ListSpec } from "./protocol";
import { findVariant } from "./registry";
import type { RunnableVariant } from "./variant";

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
  if (!definition || !definition.inProcess) throw new Error(`unknown in-process variant '${spec.variant}'`);
  return definition.create();
}

function heapBytes(): number {
  const stats = v8.getHeapStatistics();
  return stats.used_heap_size + stats.external_memory;
}

async function runCell(spec: CellSpec): Promise<void> {
  const variant = await resolveVariant(spec);
  await variant.setup(spec.size);

  let gcDuringSteps = 0;
  let timingStart = Infinity;
  let timingEnd = Infinity;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.startTime >= timingStart && entry.startTime <= timingEnd) gcDuringSteps++;
    }
  });
  observer.observe({ entryTypes: ["gc"] });

  let peakHeap = heapBytes();
  const budgetNs = spec.budgetSeconds > 0 ? BigInt(Math.round(spec.budgetSeconds * 1e9)) : 0n;
  const progressNs = BigInt(PROGRESS_EVERY_MS * 1e6);
  const heapNs = BigInt(HEAP_SAMPLE_EVERY_MS * 1e6);
  let done = 0;
  let lastProgress = 0n;
  let lastHeap = 0n;

  timingStart = performance.now();
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (done < spec.iterations) {
    const pending = variant.step();
    if (pending && typeof (pending as Promise<void>).then === "function") await pending;
    done++;
    elapsed = process.hrtime.bigint() - start;
    if (elapsed - lastHeap >= heapNs) {
      // Sampling costs a few microseconds; it runs between steps at most every 5 ms of step time.
      const sampleStart = process.hrtime.bigint();
      peakHeap = Math.max(peakHeap, heapBytes());
      lastHeap = elapsed + (process.hrtime.bigint() - sampleStart);
    }
    if (elapsed - lastProgress >= progressNs) {
      lastProgress = elapsed;
      void send({ type: "progress", done, of: spec.iterations, elapsedMs: Number(elapsed) / 1e6 });
    }
    if (budgetNs > 0n && done < spec.iterations && elapsed >= budgetNs) break;
  }
  timingEnd = performance.now();
  peakHeap = Math.max(peakHeap, heapBytes());

  // GC entries are delivered asynchronously: let them arrive before reading the count.
  await new Promise((resolve) => setTimeout(resolve, 20));
  observer.disconnect();

  const measuredSeconds = Number(elapsed) / 1e9;
  const scaled = done < spec.iterations;
  const checksum = typeof variant.checksum === "function" ? Number(variant.checksum()) : null;
  await variant.dispose?.();
  await send({
    type: "result",
    seconds: scaled ? (measuredSeconds * spec.iterations) / done : measuredSeconds,
    measuredIterations: done,
    scaled,
    checksum: checksum !== null && Number.isFinite(checksum) ? checksum : null,
    peakHeapMiB: peakHeap / MiB,
    gcCount: gcDuringSteps,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
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
