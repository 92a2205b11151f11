/**
 * Worker threads of the profiled program are profiled like its main thread.
 *
 * How a worker gets the profiling: a Worker inherits its parent's execArgv (tsprof's `--import` /
 * `--require` of register.js) and a copy of its process.env. The main thread's register.ts puts
 * the run's config path in TSPROF_THREAD_CONFIG, tagged with the pid, so that only this process's
 * threads take it (a child process copies the variable too, but has another pid). In the worker,
 * register.ts compiles with the run's instrument plan and installs the collector's thread side
 * (`createThread`) as `globalThis.__tsprof`.
 *
 * How its counts come back: a worker can end at any moment (`worker.terminate()` runs none of its
 * JavaScript, not even 'exit' handlers). So its counters live in SharedArrayBuffers that it posts,
 * as it starts, on a BroadcastChannel the main thread listens on: once posted, the main thread
 * holds the memory, and reads the counts at its own end however the worker ended. What needs the
 * worker's own isolate (its CPU samples, mapped through its source maps) is written to a file by
 * the worker's 'exit' handler (natural end, process.exit, an uncaught error); a terminated worker
 * keeps its exact counts and lacks its sampled times, which the output says.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BroadcastChannel, Worker, isMainThread, receiveMessageOnPort, threadId } from "node:worker_threads";
import type { ChildConfig } from "./config";
import type { Collector, CollectorModule } from "./collector";

export const THREAD_CONFIG_ENV = "TSPROF_THREAD_CONFIG";

/** Main thread: let the program's worker threads find the run's config (read by readThreadConfig). */
export function shareConfigWithThreads(configPath: string): void {
  process.env[THREAD_CONFIG_ENV] = `${process.pid}:${configPath}`;
}

/** What a worker thread of the profiled process runs with: the run's config and its collector's thread side. */
export interface ThreadSetup {
  config: ChildConfig;
  module: CollectorModule | null;
}

/**
 * In a worker thread of the profiled process: the run's config, and the collector module when it
 * profiles threads (else the worker only gets the TypeScript loader, as before). Null elsewhere.
 */
export function readThreadConfig(): ThreadSetup | null {
  if (isMainThread) return null;
  const value = process.env[THREAD_CONFIG_ENV];
  if (!value) return null;
  const at = value.indexOf(":");
  if (Number(value.slice(0, at)) !== process.pid) return null;
  let config: ChildConfig;
  try {
    config = JSON.parse(readFileSync(value.slice(at + 1), "utf8")) as ChildConfig;
  } catch {
    // The run is over (its temp dir is gone): this thread runs unprofiled.
    return null;
  }
  const module = config.collector ? (require(config.collector) as CollectorModule) : null;
  return { config, module: module?.createThread ? module : null };
}

/** The channel a run's threads post their counters on. */
export function threadChannelName(tempDir: string): string {
  return `tsprof:${tempDir}`;
}

/** How a thread is named in results (the same as the sampled profiles' `thread`). */
export function threadLabel(id: number): string {
  return id === 0 ? "main" : `worker ${id}`;
}

/** Where a worker's collector writes what only its own isolate can give (its sampled profile). */
export function threadResultFile(tempDir: string, id: number): string {
  return join(tempDir, `thread-${id}.json`);
}

/** A worker thread: install the collector's thread side and save at the thread's end. */
export function installThreadCollector(setup: ThreadSetup): void {
  const { config, module } = setup;
  if (!module?.createThread) return;
  const collector: Collector = module.createThread(config.collectorOptions, {
    tempDir: config.tempDir,
    threadId,
    channel: threadChannelName(config.tempDir),
    resultFile: threadResultFile(config.tempDir, threadId),
  });
  (globalThis as { __tsprof?: Collector }).__tsprof = collector;
  let finished = false;
  const finishOnce = (exitCode: number): void => {
    if (finished) return;
    finished = true;
    try {
      collector.finish({ exitCode, signal: null, error: null });
    } catch (err) {
      process.stderr.write(`tsprof: cannot save worker ${threadId}'s profile: ${(err as Error).message.split("\n")[0]}\n`);
    }
  };
  // Natural end, process.exit() in the worker, an uncaught error: 'exit' runs. terminate() runs
  // nothing, which is why the counters already live in the main thread's hands.
  process.on("exit", (code) => finishOnce(code));
  // Asked to save because the main thread is terminating this thread (saveBeforeTerminate):
  // answered whenever this thread's event loop is free.
  const requests = new BroadcastChannel(saveChannel(threadChannelName(config.tempDir)));
  (requests as unknown as { onmessage: (e: { data: unknown }) => void }).onmessage = (e) => {
    if (e.data === threadId) finishOnce(1);
  };
  (requests as unknown as { unref(): void }).unref();
}

const saveChannel = (name: string) => `${name}:save`;

/**
 * Main thread: `worker.terminate()` runs none of the worker's JavaScript, so first ask the worker
 * to save (its sampled profile), and wait for it a moment: a worker idle in its event loop answers
 * at once; a busy one cannot, and is terminated after `waitSaved` gives up.
 * @param waitSaved blocks until the thread has saved or the wait is not worth it.
 */
export function saveBeforeTerminate(tempDir: string, waitSaved: (threadId: number) => void): void {
  const requests = new BroadcastChannel(saveChannel(threadChannelName(tempDir)));
  (requests as unknown as { unref(): void }).unref();
  const proto = Worker.prototype as unknown as { terminate: (...args: unknown[]) => unknown };
  const terminate = proto.terminate;
  proto.terminate = function (this: Worker, ...args: unknown[]) {
    const id = this.threadId;
    if (id > 0) {
      try {
        requests.postMessage(id);
        waitSaved(id);
      } catch {
        // (The profile is what is lost: never the program's terminate.)
      }
    }
    return terminate.apply(this, args);
  };
}

/**
 * The receiving end of a run's thread channel: keeps every message, whether it arrives while the
 * thread's event loop runs or is drained synchronously (at exit, or from a loop that never yields).
 */
export class ThreadInbox<M = unknown> {
  private readonly channel: BroadcastChannel;
  private readonly received: M[] = [];

  constructor(name: string, listen = true) {
    this.channel = new BroadcastChannel(name);
    if (listen) (this.channel as unknown as { onmessage: (e: { data: M }) => void }).onmessage = (e) => this.received.push(e.data);
    // Never keeps the profiled program alive.
    (this.channel as unknown as { unref(): void }).unref();
  }

  /** Every message not taken yet. */
  take(): M[] {
    for (let m = receiveMessageOnPort(this.channel as never); m; m = receiveMessageOnPort(this.channel as never)) this.received.push(m.message as M);
    return this.received.splice(0);
  }
}

/** The sending end, in a worker thread. */
export function threadOutbox(name: string): { post(message: unknown): void } {
  const channel = new BroadcastChannel(name);
  (channel as unknown as { unref(): void }).unref();
  return { post: (message) => channel.postMessage(message) };
}
