/**
 * Brackets of profiled-function calls for `tsprof mem --plot` (mprof's shaded spans), shared
 * between the child's main thread (which sees enter/exit) and its sampler thread.
 *
 * Calls of the same function separated by less than the sampling interval are merged into one
 * bracket (a hot function called a million times is one span, not a million), so the file gets at
 * most a couple of lines per interval per function. A bracket is opened by the main thread at the
 * first outermost enter; it is closed (its end is the last outermost exit) by whichever thread first
 * sees that the function stayed idle for a whole interval: the main thread at its next call, the
 * sampler thread at its next tick, or the exit handler. Compare-and-swap on the bracket id decides
 * who writes the close line, so it is written exactly once.
 */

/** States of the sampler thread, in a shared Int32 (plot-collector <-> heap-worker). */
export const SAMPLER_IDLE = 0; // not connected yet
export const SAMPLER_CONNECTED = 1; // connected to the main thread's inspector
export const SAMPLER_DONE = 2; // disconnected after the stop message
export const SAMPLER_CLOSED = 3; // the main thread exited before the sampler connected

/** Epoch milliseconds with sub-millisecond resolution; the same clock in every thread. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export class BracketTable {
  /** Nesting depth of each function (recursion counts once). */
  readonly depth: Int32Array;
  /** Id of the open bracket of each function, 0 when none. */
  readonly ids: Int32Array;
  /** Epoch ms of the last outermost exit of each function. */
  readonly lastExit: Float64Array;
  /** Slot 0: number of functions in use; slot 1: last bracket id handed out. */
  readonly counters: Int32Array;

  private constructor(readonly buffer: SharedArrayBuffer, readonly capacity: number) {
    this.lastExit = new Float64Array(buffer, 0, capacity);
    this.depth = new Int32Array(buffer, capacity * 8, capacity);
    this.ids = new Int32Array(buffer, capacity * 12, capacity);
    this.counters = new Int32Array(buffer, capacity * 16, 2);
  }

  static create(capacity: number): BracketTable {
    return new BracketTable(new SharedArrayBuffer(capacity * 16 + 8), capacity);
  }

  static attach(buffer: SharedArrayBuffer): BracketTable {
    return new BracketTable(buffer, (buffer.byteLength - 8) / 16);
  }

  /** Reserve a slot for a function; -1 when the table is full (then no brackets for it). */
  allocate(): number {
    const slot = Atomics.add(this.counters, 0, 1);
    return slot < this.capacity ? slot : -1;
  }

  /**
   * An outermost call starts at `now`. Returns the id of a bracket to open (the caller writes the
   * open line), or 0 when the call continues the current bracket. `onClose` gets a bracket this call
   * ends (idle for at least `gapMs` since its last exit).
   */
  enter(slot: number, now: number, gapMs: number, onClose: (id: number, endMs: number) => void): number {
    const current = Atomics.load(this.ids, slot);
    if (current !== 0 && now - this.lastExit[slot] >= gapMs) {
      if (Atomics.compareExchange(this.ids, slot, current, 0) === current) onClose(current, this.lastExit[slot]);
    }
    if (Atomics.load(this.ids, slot) !== 0) return 0;
    const id = Atomics.add(this.counters, 1, 1) + 1;
    Atomics.store(this.ids, slot, id);
    return id;
  }

  /** Sampler side: close every bracket whose function has been idle for `gapMs`. */
  closeIdle(now: number, gapMs: number, onClose: (id: number, endMs: number) => void): void {
    const used = Math.min(Atomics.load(this.counters, 0), this.capacity);
    for (let slot = 0; slot < used; slot++) {
      const id = Atomics.load(this.ids, slot);
      if (id === 0 || Atomics.load(this.depth, slot) !== 0) continue;
      const end = this.lastExit[slot];
      if (now - end < gapMs) continue;
      if (Atomics.compareExchange(this.ids, slot, id, 0) === id) onClose(id, end);
    }
  }

  /** At exit: close every open bracket (at its last exit, or `now` if still inside the call). */
  closeAll(now: number, onClose: (id: number, endMs: number) => void): void {
    const used = Math.min(Atomics.load(this.counters, 0), this.capacity);
    for (let slot = 0; slot < used; slot++) {
      const id = Atomics.load(this.ids, slot);
      if (id === 0) continue;
      const end = Atomics.load(this.depth, slot) !== 0 ? now : this.lastExit[slot];
      if (Atomics.compareExchange(this.ids, slot, id, 0) === id) onClose(id, end);
    }
  }
}
