/**
 * Where tsprof keeps its caches (compiled user files, and V8's code for tsprof's own modules), and
 * whether that folder may be used. Light on purpose: the CLI asks before loading anything else.
 */
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { untrustedCacheDir } from "./compile-cache";

/**
 * TSPROF_CACHE_DIR, else $XDG_CACHE_HOME/tsprof, else ~/.cache/tsprof. Empty or relative values are
 * ignored (the XDG rule): a relative one would put the cache in whatever folder tsprof runs in.
 */
export function userCacheDir(): string | null {
  const absolute = (value: string | undefined) => (value && isAbsolute(value) ? value : undefined);
  const explicit = absolute(process.env.TSPROF_CACHE_DIR);
  if (explicit) return explicit;
  const xdg = absolute(process.env.XDG_CACHE_HOME);
  if (xdg) return join(xdg, "tsprof");
  // HOME="" or relative: no home to keep a cache in; run uncached.
  const home = absolute(homedir());
  return home ? join(home, ".cache", "tsprof") : null;
}

/** The user's cache folder when caching is on and the folder is safe to use (see compile-cache.ts), else null. */
export function trustedUserCacheDir(): string | null {
  if (process.env.TSPROF_CACHE === "0") return null;
  try {
    const dir = userCacheDir();
    return dir !== null && untrustedCacheDir(dir) === null ? dir : null;
  } catch {
    return null;
  }
}
