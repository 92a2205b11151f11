/** Run the built `tsprof` CLI as a user would, and read what it wrote. */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "..", "..");
export const BIN = join(ROOT, "cli", "dist", "bin.js");
export const fixture = (...parts: string[]) => join(ROOT, "fixtures", ...parts);

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function tsprof(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    encoding: "utf8",
    timeout: options.timeoutMs ?? 120_000,
    // Not spawnSync's default 1 MiB: past it the run is cut (ENOBUFS) and its output lost.
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Start tsprof in the background (for signals). */
export function tsprofAsync(args: string[], options: { cwd?: string } = {}) {
  return spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, NO_COLOR: "1" } });
}

/** Every folder tempDir() made in this test process; removed when the process exits. */
const madeDirs = new Set<string>();
let cleanupHooked = false;

/**
 * A fresh private folder under the system temp dir. The test runner starts one process per test
 * file, so each file's folders go when its process exits (set TSPROF_KEEP_TEST_DIRS=1 to keep them
 * for a post-mortem). A test that removes its folder itself is fine: removal is forced.
 */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tsprof-test-"));
  madeDirs.add(dir);
  if (!cleanupHooked) {
    cleanupHooked = true;
    process.on("exit", removeTempDirs);
  }
  return dir;
}

/** A fresh folder holding a small program: file name (may contain folders) -> its text. */
export function programDir(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function removeTempDirs(): void {
  if (process.env.TSPROF_KEEP_TEST_DIRS) return;
  for (const dir of madeDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A test may have left a folder without write permission (the permission-fault tests): open it up.
      try {
        chmodRecursive(dir);
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // Nothing more to do at exit; the folder is under the temp dir, the system clears it.
      }
    }
  }
}

function chmodRecursive(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !entry.isSymbolicLink()) chmodRecursive(join(dir, entry.name));
  }
}

export function readJson<T = any>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}
