/** Trace mode's line events: per-line wall time between events, the events' own cost subtracted. */
import { performance } from "node:perf_hooks";
import type { EventSink } from "@tsprof/runner";
import type { FileData } from "./build-result";

export interface Frame {
  slot: number;
  t: number;
  ev: number;
}

/**
 * Trace mode's event sinks, one per file, sharing one event counter: each line's wall time runs
 * until the next line event, minus the calibrated cost of the events in between.
 */
export function traceSinks(eventCostMs: number): (data: FileData) => EventSink<Frame> {
  let events = 0;
  const charge = (data: FileData, frame: Frame, t: number): void => {
    if (frame.slot < 0) return;
    const dt = t - frame.t - eventCostMs * (events - frame.ev + 1);
    data.timeMs[frame.slot] += dt > 0 ? dt : 0;
  };
  return (data) => ({
    enter(fn: number): Frame {
      events++;
      data.calls[fn]++;
      return { slot: -1, t: performance.now(), ev: events };
    },
    line(frame: Frame, slot: number): void {
      const t = performance.now();
      data.hits[slot]++;
      charge(data, frame, t);
      events++;
      frame.slot = slot;
      frame.t = t;
      frame.ev = events;
    },
    exit(frame: Frame): void {
      charge(data, frame, performance.now());
      events++;
      frame.slot = -1;
    },
  });
}

/** Cost of one line event (clock read + bookkeeping), measured here, in milliseconds. */
export function calibrateEventCost(): number {
  const hitsArr = new Float64Array(2);
  const times = new Float64Array(2);
  let fake = 0;
  const frame = { slot: -1, t: 0, ev: 0 };
  const round = (n: number) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      hitsArr[i & 1]++;
      if (frame.slot >= 0) times[frame.slot] += t - frame.t;
      fake++;
      frame.slot = i & 1;
      frame.t = t;
      frame.ev = fake;
    }
    return (performance.now() - t0) / n;
  };
  round(20000);
  const samples = [round(50000), round(50000), round(50000)].sort((a, b) => a - b);
  return samples[1];
}
