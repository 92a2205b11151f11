/**
 * A team of worker_threads driven in lock-step through one shared Int32Array, used by
 * `fused-workers` and the poly thread-scaling variants.
 *
 * One `runGeneration()` is one step: the work is cut into `chunks` pieces (bands of rows, ranges of
 * points) that the threads claim dynamically from a shared counter, and the step ends when all
 * chunks are done. Dynamic claiming (rather than a fixed band per thread) matters on a shared
 * machine: if one thread is descheduled, the others take over its chunks instead of the whole step
 * waiting for it. The counter is tagged with the generation, so a worker that wakes up late can
 * never claim (or compute with the wrong grid parity) a chunk of a later step.
 *
 * Waiting spins briefly before `Atomics.wait`, because a futex sleep/wake costs tens of
 * microseconds per step while the other side normally arrives within a few microseconds; the spin
 * is bounded so that an idle or oversubscribed machine still sleeps.
 */
import { Worker, parentPort } from "node:worker_threads";

const GENERATION = 0;
const NEXT = 1; // (generation tag << CHUNK_BITS) | next unclaimed chunk
const DONE = 2; // chunks finished in the current generation
const STOP = 3;
const SLOTS = 4;

const CHUNK_BITS = 10;
/** At most this many chunks per generation (the chunk index lives in the counter's low bits). */
export const MAX_CHUNKS = (1 << CHUNK_BITS) - 1;
const TAG_MASK = (1 << (31 - CHUNK_BITS)) - 1;

/**
 * Iterations of polling before falling back to Atomics.wait: about 50 us here (an Atomics.load
 * round costs ~15 ns in V8), longer than the usual hand-off between the two sides on an idle
 * machine, short enough not to burn much of a loaded machine's time.
 */
export const SPIN_LIMIT = 3000;

/** Items [start, end) of band `index` out of `bands` for `count` items: as even as possible. */
export function band(count: number, bands: number, index: number): { start: number; end: number } {
  return { start: Math.floor((index * count) / bands), end: Math.floor(((index + 1) * count) / bands) };
}

/** First item of band `index` (band(count, bands, index).start without allocating an object). */
export function bandStart(count: number, bands: number, index: number): number {
  return Math.floor((index * count) / bands);
}

/**
 * First row of band `index` when `rows` rows are cut into `bands` bands of whole row pairs (the
 * fused kernel computes two rows per pass; an odd last row is a band's single leftover).
 */
export function pairBandStart(rows: number, bands: number, index: number): number {
  return Math.min(rows, 2 * bandStart(Math.ceil(rows / 2), bands, index));
}

/** How many chunks to cut `items` into for `threads` threads: several per thread so that a slow thread's share can move. */
export function chunkCount(items: number, threads: number): number {
  return Math.max(1, Math.min(items, threads * 8, MAX_CHUNKS));
}

export interface TeamWorkerData {
  control: SharedArrayBuffer;
  chunks: number;
}

/** Claims and runs chunks of `generation` until none is left; returns how many this thread ran. */
function claimChunks(control: Int32Array, generation: number, chunks: number, work: (chunk: number, generation: number) => void): number {
  const tag = generation & TAG_MASK;
  let ran = 0;
  for (;;) {
    const current = Atomics.load(control, NEXT);
    if (current >>> CHUNK_BITS !== tag) return ran;
    const chunk = current & MAX_CHUNKS;
    if (chunk >= chunks) return ran;
    if (Atomics.compareExchange(control, NEXT, current, current + 1) !== current) continue;
    work(chunk, generation);
    ran++;
    if (Atomics.add(control, DONE, 1) + 1 === chunks) Atomics.notify(control, DONE);
  }
}

export class WorkerTeam {
  private generation = 0;

  private constructor(
    private readonly control: Int32Array,
    private readonly workers: Worker[],
    readonly chunks: number,
  ) {}

  /**
   * Starts one worker per entry of `data` (each also gets `control` and `chunks` in its
   * workerData) and waits until all are ready. `chunks` <= MAX_CHUNKS.
   */
  static async start(script: string, data: object[], chunks: number): Promise<WorkerTeam> {
    if (!(chunks >= 1 && chunks <= MAX_CHUNKS)) throw new RangeError(`chunks must be 1..${MAX_CHUNKS}`);
    const controlBuffer = new SharedArrayBuffer(SLOTS * 4);
    const workers = data.map((d) => new Worker(script, { workerData: { ...d, control: controlBuffer, chunks } satisfies TeamWorkerData }));
    try {
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
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    return new WorkerTeam(new Int32Array(controlBuffer), workers, chunks);
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Runs one generation: the workers (and, if `mainWork` is given, the calling thread) claim the
   * chunks and run them; returns the generation number once every chunk is done.
   */
  runGeneration(mainWork?: (chunk: number, generation: number) => void): number {
    const generation = ++this.generation;
    const control = this.control;
    const chunks = this.chunks;
    Atomics.store(control, DONE, 0);
    Atomics.store(control, NEXT, (generation & TAG_MASK) << CHUNK_BITS);
    Atomics.store(control, GENERATION, generation);
    Atomics.notify(control, GENERATION);
    if (mainWork) claimChunks(control, generation, chunks, mainWork);
    for (let spin = 0; spin < SPIN_LIMIT; spin++) {
      if (Atomics.load(control, DONE) === chunks) return generation;
    }
    for (;;) {
      const done = Atomics.load(control, DONE);
      if (done === chunks) return generation;
      Atomics.wait(control, DONE, done);
    }
  }

  /** Tells the workers to leave their loop and waits for them to exit. */
  async stop(): Promise<void> {
    const exits = this.workers.map((w) => new Promise((resolve) => w.once("exit", resolve)));
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    await Promise.all(exits);
  }
}

/**
 * Worker side: reports ready, then for every generation claims and runs chunks until none is
 * left, until stopped. Generations start at 0 for a fresh control buffer (read here instead, we
 * could miss the first bump if the main thread starts between our "ready" and the read).
 */
export function serveGenerations(data: TeamWorkerData, work: (chunk: number, generation: number) => void): void {
  const control = new Int32Array(data.control);
  let seen = 0;
  parentPort!.postMessage("ready");
  for (;;) {
    let generation = seen;
    for (let spin = 0; spin < SPIN_LIMIT && generation === seen; spin++) generation = Atomics.load(control, GENERATION);
    while (generation === seen) {
      Atomics.wait(control, GENERATION, seen);
      generation = Atomics.load(control, GENERATION);
    }
    seen = generation;
    if (Atomics.load(control, STOP) !== 0) return;
    claimChunks(control, generation, data.chunks, work);
  }
}
