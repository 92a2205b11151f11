/**
 * Node child processes of the profiled program, profiled like it (when the command asks: ChildConfig
 * `profileChildren`).
 *
 * How a child gets the profiling: the profiled process puts the run's config path in
 * TSPROF_PROCESS_CONFIG, which its children inherit with the environment. A child started with
 * `fork()` inherits tsprof's `--import`/`--require` of register.js with execArgv; one started as
 * `spawn(process.execPath, ...)` gets spawn-marker.js through NODE_OPTIONS, which loads register.js.
 * There, the child derives a config of its own: its files in a folder of the run's temp dir named by
 * its pid (created exclusively), the run's interrupt file and compiled code shared. It then runs the
 * collector as the program's main process does, and its result waits in that folder for tsprof,
 * which adds it to the program's, labelled with the pid. A child still running when the program
 * ends is not in the result; the output says how many were not profiled.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isMainThread } from "node:worker_threads";
import type { ChildConfig } from "./config";
import { shareConfigWithThreads } from "./threads";

export const PROCESS_CONFIG_ENV = "TSPROF_PROCESS_CONFIG";
const PROCESS_DIR = /^process-(\d+)$/;

/** The profiled process: let its Node children find the run's config. */
export function shareConfigWithChildren(configPath: string): void {
  process.env[PROCESS_CONFIG_ENV] = configPath;
}

/** In a Node child of the profiled program: its own config, or null (not such a child, or the run is over). */
export function readChildProcessConfig(): ChildConfig | null {
  const shared = process.env[PROCESS_CONFIG_ENV];
  if (!shared || !isMainThread) return null;
  let base: ChildConfig;
  try {
    base = JSON.parse(readFileSync(shared, "utf8")) as ChildConfig;
  } catch {
    return null;
  }
  const dir = join(base.tempDir, `process-${process.pid}`);
  try {
    // Exclusively: the folder is this process's alone.
    mkdirSync(dir, { mode: 0o700 });
  } catch {
    return null;
  }
  const config: ChildConfig = {
    ...base,
    outFile: join(dir, "result.json"),
    errorFile: join(dir, "error.txt"),
    tempDir: dir,
    planFile: join(dir, "plan.jsonl"),
    // No snapshots: tsprof reads a child's final result only.
    snapshotFile: "",
    // Its own files may be ES modules whatever the program's were.
    esmHooks: true,
    childProcess: true,
  };
  // Its worker threads read it from a file, as the program's do.
  const path = join(dir, "config.json");
  try {
    writeFileSync(path, JSON.stringify(config), { mode: 0o600, flag: "wx" });
    shareConfigWithThreads(path);
  } catch {
    // Its threads run unprofiled.
  }
  return config;
}

/** Parent side: the result bodies the program's profiled child processes left, by pid. */
export function childProcessResults(tempDir: string): Array<{ pid: number; body: unknown }> {
  const out: Array<{ pid: number; body: unknown }> = [];
  let names: string[] = [];
  try {
    names = readdirSync(tempDir);
  } catch {
    return out;
  }
  for (const name of names) {
    const m = PROCESS_DIR.exec(name);
    const file = m ? join(tempDir, name, "result.json") : null;
    if (!m || !file || !existsSync(file)) continue;
    try {
      out.push({ pid: Number(m[1]), body: JSON.parse(readFileSync(file, "utf8")) });
    } catch {
      // Cut short (the child was killed while writing): as if it had left nothing.
    }
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** Parent side: the pids of every Node child the program started (spawn-marker.ts logs them). */
export function spawnedChildPids(tempDir: string): number[] {
  try {
    return readFileSync(join(tempDir, "spawned.log"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
