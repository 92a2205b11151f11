/**
 * What the profiled program starts that tsprof does not profile: worker threads that do not load
 * tsprof's loader (started with their own execArgv or env; the others are profiled, threads.ts),
 * or all of them under a collector without a thread side, and Node child processes (they do not
 * inherit the profiling). Counted so the output says so in one line instead of staying silent.
 * Node children are seen however they are started (spawn, fork, exec, a shell): NODE_OPTIONS
 * preloads spawn-marker.js into them, which appends its pid to a log in the run's temp dir.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const SPAWN_LOG_ENV = "TSPROF_SPAWN_LOG";

/** Thread ids of every worker started; tsprof's own are told apart when the note is written. */
const startedThreads = new Set<number>();
let spawnLog: string | null = null;
const ownThreads = new Set<number>();

/** tsprof's own worker threads (a collector's sampler) are not the program's. */
export function markOwnThread(threadId: number): void {
  ownThreads.add(threadId);
}

/** Start counting, in the profiled process. */
export function watchSpawned(tempDir: string): void {
  if (spawnLog) return;
  spawnLog = join(tempDir, "spawned.log");
  // Node emits "worker" inside the Worker constructor, before a collector can mark its own
  // thread: record every id now, and leave tsprof's own out when counting.
  // Node 20's module-hooks thread (module.register) is announced too, as an InternalWorker.
  process.on("worker", (worker: { threadId: number; constructor: { name: string } }) => {
    if (worker.constructor.name !== "InternalWorker") startedThreads.add(worker.threadId);
  });
  const marker = pathToFileURL(join(__dirname, "spawn-marker.js")).href;
  process.env[SPAWN_LOG_ENV] = spawnLog;
  process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--import "${marker}"`].filter(Boolean).join(" ");
}

function nodeChildren(): number {
  if (!spawnLog || !existsSync(spawnLog)) return 0;
  try {
    return readFileSync(spawnLog, "utf8").split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
}

/**
 * One line about what was not profiled, or null when the program started none of it.
 * @param profiledThreads worker threads the collector profiled (they loaded tsprof's loader and
 *   reported); null when the collector does not profile threads at all.
 * @param options.children false: leave Node child processes out (the run profiles them).
 */
export function unprofiledNote(profiledThreads: ReadonlySet<number> | null = null, options: { children?: boolean } = {}): string | null {
  // (Where child processes are profiled, tsprof itself counts the ones that were not: processes.ts.)
  const children = options.children === false ? 0 : nodeChildren();
  const workers = [...startedThreads].filter((id) => !ownThreads.has(id) && !profiledThreads?.has(id)).length;
  const parts: string[] = [];
  if (workers > 0) parts.push(`${workers} worker thread${workers === 1 ? "" : "s"}`);
  if (children > 0) parts.push(`${children} Node child process${children === 1 ? "" : "es"}`);
  if (parts.length === 0) return null;
  if (profiledThreads === null) {
    return `the program started ${parts.join(" and ")}; tsprof profiles the main thread only, so their code is not in these tables`;
  }
  const why: string[] = [];
  if (workers > 0) why.push("a worker started with its own execArgv or env does not load tsprof's loader");
  if (children > 0) why.push("child processes are not profiled");
  return `the program started ${parts.join(" and ")} that tsprof did not profile (${why.join("; ")}), so their code is not in these tables`;
}
