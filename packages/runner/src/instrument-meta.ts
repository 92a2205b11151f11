/** Pure helpers on instrumentation metadata, free of the TypeScript parser (used at run time). */
import type { SlotMeta } from "./instrument";

/**
 * Hits per slot from the raw counters: a statement counted by its run's first statement started
 * as often as that one, minus the exceptions that left the run at an earlier statement.
 */
export function hitsOfSlots(slots: readonly SlotMeta[], counters: ArrayLike<number>, escapes: ArrayLike<number> | null): Float64Array {
  const hits = new Float64Array(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const leader = slots[i].leader;
    if (leader === i) {
      hits[i] = counters[i];
      continue;
    }
    let h = counters[leader];
    if (escapes) for (let j = leader; j < i; j++) h -= escapes[j];
    hits[i] = h;
  }
  return hits;
}

/**
 * Hits per line of one function, as line_profiler counts them: how often a statement started the
 * line. Statements that continue a line already started (`continues`) add nothing; a line with a
 * statement that never ran has 0 (dead code shows), a line with no statement is absent.
 */
export function lineHits(slots: readonly SlotMeta[], slotHits: ArrayLike<number>, fn: number, entrySlot: number): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    if (slot.fn !== fn || i === entrySlot) continue;
    const sum = out.get(slot.line) ?? 0;
    out.set(slot.line, slot.continues ? sum : sum + slotHits[i]);
  }
  return out;
}
