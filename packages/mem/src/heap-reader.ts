/**
 * Read V8's heap used and external memory without allocating, for the per-line mode.
 *
 * Why: `v8.getHeapStatistics()` and `process.memoryUsage()` build a fresh object on every call
 * (hundreds of bytes with its numbers), read at every line event. That garbage lands in the very
 * heap columns being measured, and outweighs a small object made by the user's line. Node keeps the
 * same statistics in a Float64Array that `updateHeapStatisticsBuffer()` refills (what
 * `v8.getHeapStatistics()` itself reads); it is reachable through the legacy `process.binding('v8')`.
 * That is not a public API, so: every field is checked, and anything missing falls back to
 * `v8.getHeapStatistics()`. Its one-time deprecation warning is kept off the user's stderr.
 * Node 24 has no `process.binding('v8')`: there the fallback runs, written so that optimized code
 * allocates nothing either (test/mem/per-event.test.ts checks both on every Node CI runs).
 */
import { getHeapStatistics } from "node:v8";

export interface HeapReader {
  /** Refresh, then read with used() / external(). */
  update(): void;
  used(): number;
  external(): number;
  /** "buffer" (Node 20, 22) or "getHeapStatistics" (Node 24; allocates only until V8 optimizes the caller). */
  kind: "buffer" | "getHeapStatistics";
}

interface V8Binding {
  updateHeapStatisticsBuffer?: () => void;
  heapStatisticsBuffer?: Float64Array;
  kUsedHeapSizeIndex?: number;
  kExternalMemoryIndex?: number;
}

function legacyBinding(): V8Binding | null {
  const processWithBinding = process as unknown as { binding?: (name: string) => unknown };
  if (typeof processWithBinding.binding !== "function") return null;
  const emitWarning = process.emitWarning;
  try {
    process.emitWarning = (() => undefined) as typeof process.emitWarning;
    return processWithBinding.binding("v8") as V8Binding;
  } catch {
    return null;
  } finally {
    process.emitWarning = emitWarning;
  }
}

export function createHeapReader(): HeapReader {
  const b = legacyBinding();
  if (
    b &&
    typeof b.updateHeapStatisticsBuffer === "function" &&
    b.heapStatisticsBuffer instanceof Float64Array &&
    typeof b.kUsedHeapSizeIndex === "number" &&
    typeof b.kExternalMemoryIndex === "number"
  ) {
    const update = b.updateHeapStatisticsBuffer.bind(b);
    const buffer = b.heapStatisticsBuffer;
    const iUsed = b.kUsedHeapSizeIndex;
    const iExternal = b.kExternalMemoryIndex;
    // Check it agrees with the public API before trusting it.
    update();
    const check = getHeapStatistics();
    if (Math.abs(buffer[iExternal] - check.external_memory) < 1 << 20 && Math.abs(buffer[iUsed] - check.used_heap_size) < 4 << 20) {
      return { update, used: () => buffer[iUsed], external: () => buffer[iExternal], kind: "buffer" };
    }
  }
  // The object getHeapStatistics() returns is read where it is made and never kept: once V8
  // optimizes the line event with this inlined, escape analysis removes the object and its boxed
  // numbers, and the read allocates nothing (Node 24, which has no process.binding('v8')).
  const figures = new Float64Array(2);
  const read = (): void => {
    const stats = getHeapStatistics();
    figures[0] = stats.used_heap_size;
    figures[1] = stats.external_memory;
  };
  read();
  return { update: read, used: () => figures[0], external: () => figures[1], kind: "getHeapStatistics" };
}
