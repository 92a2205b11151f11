/**
 * A team of worker_threads driven in lock-step through one shared Int32Array, used by
 * `fused-workers` and the poly thread-scaling variants. One `runGeneration()` is one barrier:
 * the main thread resets DONE, bumps GENERATION and notifies; every worker runs its share for that
 * generation and increments DONE; the last one notifies the main thread. Both sides spin briefly
 * before `Atomics.wait`, because a futex sleep/wake costs tens of microseconds per step while the
 * other side normally arrives within a few microseconds; the spin is bounded so an idle or
 * oversubscribed machine still sleeps.
 */
import { Worker, parentPort } from "node:worker_threads";

export const CONTROL = { GENERATION: 0, DONE: 1, STOP: 2, SLOTS: 4 } as const;

/** Iterations of polling before falling back to Atomics.wait (some tens of microseconds). */
export const SPIN_LIMIT = 20000;

/** Items [start, end) of band `index` out of `bands` for `count` items: as even as possible. */
export function band(count: number, bands: number, index: number): { start: number; end: number } {
  return { start: Math.floor((index * count) / bands), end: Math.floor(((index + 1) * count) / bands) };
}

export interface TeamWorkerData {
  control: SharedArrayBuffer;
  workers: number;
}

export class WorkerTeam {
  private generation = 0;

  private constructor(
    private readonly control: Int32Array,
    private readonly workers: Worker[],
  ) {}

  /** Starts one worker per entry of `data` (each gets `control` and `workers` added) and waits until all are ready. */
  static async start(script: string, data: object[]): Promise<WorkerTeam> {
    const controlBuffer = new SharedArrayBuffer(CONTROL.SLOTS * 4);
    const workers = data.map(
      (d) => new Worker(script, { workerData: { ...d, control: controlBuffer, workers: data.length } satisfies TeamWorkerData }),
    );
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.once("message", () => resolve());
            worker.once("error", reject);
            worker.once("exit", (code) => reject(new Error(`worker exited with code ${code} before it was ready`)));
          }),
      ),
    );
    return new WorkerTeam(new Int32Array(controlBuffer), workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs one generation on all workers while the main thread runs `mainShare`; returns when all are done. */
  runGeneration(mainShare?: (generation: number) => void): number {
    const generation = ++this.generation;
    const control = this.control;
    if (this.workers.length > 0) {
      Atomics.store(control, CONTROL.DONE, 0);
      Atomics.store(control, CONTROL.GENERATION, generation);
      Atomics.notify(control, CONTROL.GENERATION);
    }
    mainShare?.(generation);
    const expected = this.workers.length;
    if (expected === 0) return generation;
    for (let spin = 0; spin < SPIN_LIMIT; spin++) {
      if (Atomics.load(control, CONTROL.DONE) === expected) return generation;
    }
    for (;;) {
      const done = Atomics.load(control, CONTROL.DONE);
      if (done === expected) return generation;
      Atomics.wait(control, CONTROL.DONE, done);
    }
  }

  /** Tells the workers to leave their loop and waits for them to exit. */
  async stop(): Promise<void> {
    const exits = this.workers.map((w) => new Promise((resolve) => w.once("exit", resolve)));
    Atomics.store(this.control, CONTROL.STOP, 1);
    Atomics.add(this.control, CONTROL.GENERATION, 1);
    Atomics.notify(this.control, CONTROL.GENERATION);
    await Promise.all(exits);
  }
}

/**
 * Worker side: reports ready, then runs `work(generation)` once per generation until stopped.
 * Generations start at 0 for a fresh control buffer (read here instead, we could miss the first
 * bump if the main thread starts between our "ready" and the read).
 */
export function serveGenerations(data: TeamWorkerData, work: (generation: number) => void): void {
  const control = new Int32Array(data.control);
  let seen = 0;
  parentPort!.postMessage("ready");
  for (;;) {
    let generation = seen;
    for (let spin = 0; spin < SPIN_LIMIT && generation === seen; spin++) generation = Atomics.load(control, CONTROL.GENERATION);
    while (generation === seen) {
      Atomics.wait(control, CONTROL.GENERATION, seen);
      generation = Atomics.load(control, CONTROL.GENERATION);
    }
    seen = generation;
    if (Atomics.load(control, CONTROL.STOP) !== 0) return;
    work(generation);
    if (Atomics.add(control, CONTROL.DONE, 1) + 1 === data.workers) Atomics.notify(control, CONTROL.DONE);
  }
}
