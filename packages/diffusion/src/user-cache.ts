/**
 * tsprof's private folder in the user's cache dir ($XDG_CACHE_HOME/tsprof, else ~/.cache/tsprof),
 * for things built on the user's machine at first use (the C reference). Programs are run from
 * it, so it must be the user's alone: created exclusively with mode 0700, and an existing one that
 * is a link, not owned by this user, or writable by group or others is refused, never used.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The cache root tsprof would use (not created here). */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says a relative path is invalid and must be ignored.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), ".cache");
  return path.join(base, "tsprof");
}

/** Why an existing path may not serve as a private folder or file, or null when it may. */
export function notPrivate(target: string, kind: "directory" | "file"): string | null {
  const st = fs.lstatSync(target);
  if (st.isSymbolicLink()) return `${target} is a symbolic link`;
  if (kind === "directory" ? !st.isDirectory() : !st.isFile()) return `${target} is not a ${kind}`;
  if (typeof process.getuid === "function" && st.uid !== process.getuid()) return `${target} is not owned by you`;
  if ((st.mode & 0o022) !== 0) return `${target} is writable by others (mode ${(st.mode & 0o777).toString(8)})`;
  return null;
}

/** The private cache folder, created now if missing; throws an Error whose message says why not. */
export function privateCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = userCacheDir(env);
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const problem = notPrivate(dir, "directory");
  if (problem) throw new Error(`cache dir refused: ${problem}`);
  return dir;
}
