/**
 * Allocation from V8's GC statistics (pure, so it is tested without a cell child). A lower bound:
 * ArrayBuffer backing stores are freed by a concurrent sweeper, so a free between two GCs can hide
 * an allocation of the same size from this arithmetic.
 */

/** One GC as V8's GCProfiler reports it (only the fields used here). */
export interface GcRecord {
  cost: number;
  beforeGC: { heapStatistics: { usedHeapSize: number; externalMemory: number } };
  afterGC: { heapStatistics: { usedHeapSize: number; externalMemory: number } };
}

/**
 * Bytes allocated between two heap readings with GCs in between: nothing is freed between GCs, so
 * every rise of (JS heap + ArrayBuffer memory) from one GC's end to the next GC's start was
 * allocated. ArrayBuffers count because typed arrays keep their data outside the JS heap.
 */
export function allocatedBetween(startBytes: number, gcs: GcRecord[], endBytes: number): number {
  const total = (s: GcRecord["beforeGC"]["heapStatistics"]) => s.usedHeapSize + s.externalMemory;
  let allocated = 0;
  let last = startBytes;
  for (const gc of gcs) {
    allocated += Math.max(0, total(gc.beforeGC.heapStatistics) - last);
    last = total(gc.afterGC.heapStatistics);
  }
  return allocated + Math.max(0, endBytes - last);
}
