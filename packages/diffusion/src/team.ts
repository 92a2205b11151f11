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
 *
 * Failures never hang the team: a worker whose chunk throws reports the error on a port of its own
 * (read synchronously by the main thread, which is blocked in the step and cannot run events),
 * sets FAILED and counts its chunk and the unclaimed ones as done, so the step ends and
 * `runGeneration` throws that error. Workers are unref'd once ready: a team nobody stopped never
 * keeps the process alive.
 */
import { MessageChannel, type MessagePort, Worker, parentPort, receiveMessageOnPort } from "node:worker_threads";

const GENERATION = 0;
const NEXT = 1; // (generation tag << CHUNK_BITS) | next unclaimed chunk
const DONE = 2; // chunks finished in the current generation
const STOP = 3;
const FAILED = 4; // set by a worker whose chunk threw (its message is on its failure port)
const SLOTS = 5;

const CHUNK_BITS = 10;
/** At most this many chunks per generation (the chunk index lives in the counter's low bits). */
export const MAX_CHUNKS = (1 << CHUNK_BITS) - 1;
const TAG_MASK = (1 << (31 - CHUNK_BITS)) - 1;

/**
 * Iterations of polling before falling back to Atomics.wait: about 50 us here (an Atomics.load
 * round costs ~15 ns in V8), longer than the usual hand-off between the two sides on an idle
 * machine, short enough not to burn much of a loaded machine's time.
 */
export const SPIN_LIMIT = underValgrind() ? 0 : 3000;

/**
 * Under valgrind (the study's cachegrind runs of the slow measurements) threads run one at a
 * time: a spinning thread waits for a thread that cannot run until it gives up its turn, and every
 * spin is counted as the variant's instructions. There, wait at once. Valgrind preloads its core
 * library into the program it runs.
 */
function underValgrind(): boolean {
  return /vgpreload/.test(process.env.LD_PRELOAD ?? "");
}

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
  /** Where this worker posts the error of a chunk that threw. */
  failures: MessagePort;
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
    private readonly failurePorts: MessagePort[],
    /** Settles when each worker has exited (registered at start, so an early exit is not missed). */
    private readonly exits: Promise<unknown>[],
    readonly chunks: number,
  ) {}

  /**
   * Starts one worker per entry of `data` (each also gets `control`, `chunks` and its failure
   * port in its workerData) and waits until all are ready. `chunks` <= MAX_CHUNKS.
   */
  static async start(script: string, data: object[], chunks: number): Promise<WorkerTeam> {
    if (!(chunks >= 1 && chunks <= MAX_CHUNKS)) throw new RangeError(`chunks must be 1..${MAX_CHUNKS}`);
    const controlBuffer = new SharedArrayBuffer(SLOTS * 4);
    const failurePorts: MessagePort[] = [];
    const workers = data.map((d) => {
      const { port1, port2 } = new MessageChannel();
      failurePorts.push(port1);
      const workerData: TeamWorkerData = { ...d, control: controlBuffer, chunks, failures: port2 };
      return new Worker(script, { workerData, transferList: [port2] });
    });
    const exits = workers.map((worker) => new Promise((resolve) => worker.once("exit", resolve)));
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
      for (const port of failurePorts) port.close();
      throw error;
    }
    for (const worker of workers) {
      worker.removeAllListeners("error");
      // An error outside a chunk (none is expected) must not crash the process as an unhandled
      // 'error' event; the step that misses the worker's chunks is ended by terminate().
      worker.on("error", () => {});
      worker.unref();
    }
    return new WorkerTeam(new Int32Array(controlBuffer), workers, failurePorts, exits, chunks);
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Runs one generation: the workers (and, if `mainWork` is given, the calling thread) claim the
   * chunks and run them; returns the generation number once every chunk is done. Throws the
   * error of a worker whose chunk threw (the grid is then partly written: stop the team).
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
    let spin = 0;
    for (;;) {
      const done = Atomics.load(control, DONE);
      if (done === chunks) break;
      if (spin < SPIN_LIMIT) spin++;
      else Atomics.wait(control, DONE, done);
    }
    if (Atomics.load(control, FAILED) !== 0) throw this.failure(generation);
    return generation;
  }

  private failure(generation: number): Error {
    for (const [index, port] of this.failurePorts.entries()) {
      const received = receiveMessageOnPort(port);
      if (received) return new Error(`worker thread ${index + 1} failed in step ${generation}: ${String(received.message)}`);
    }
    return new Error(`a worker thread failed in step ${generation}`);
  }

  /** Tells the workers to leave their loop and waits for them to exit. */
  async stop(): Promise<void> {
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    await this.settle();
  }

  /** Ends the workers wherever they are (after a failed step: one may be mid-chunk or gone). */
  async terminate(): Promise<void> {
    Atomics.store(this.control, STOP, 1);
    await Promise.all(this.workers.map((w) => w.terminate()));
    await this.settle();
  }

  private async settle(): Promise<void> {
    // Keep the event loop alive until the exits arrive (the workers are unref'd).
    for (const worker of this.workers) worker.ref();
    await Promise.all(this.exits);
    for (const port of this.failurePorts) port.close();
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
    try {
      claimChunks(control, generation, data.chunks, work);
    } catch (error) {
      reportFailure(control, data, generation, error);
      return;
    }
  }
}

/**
 * A chunk threw: post the error where the main thread can read it synchronously, mark the step
 * failed, count the chunk as done and claim (without running) every chunk nobody has taken yet,
 * so the step ends instead of waiting forever for chunks this worker will never run.
 */
function reportFailure(control: Int32Array, data: TeamWorkerData, generation: number, error: unknown): void {
  data.failures.postMessage(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  Atomics.store(control, FAILED, 1);
  if (Atomics.add(control, DONE, 1) + 1 === data.chunks) Atomics.notify(control, DONE);
  claimChunks(control, generation, data.chunks, () => {});
}
