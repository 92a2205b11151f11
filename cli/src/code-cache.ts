/**
 * Node 22.1+ can keep V8's compiled code of modules on disk (`module.enableCompileCache`): tsprof's
 * own modules then start without being compiled again. Only in tsprof's own process (the profiled
 * program runs as it would without tsprof: Node does not pass this on to child processes), and
 * only in tsprof's private cache folder (a folder others could write would let them hand us code).
 * TSPROF_CACHE=0 turns it off with the compile cache. Loaded first, before tsprof's other modules.
 */
import Module from "node:module";
import { join } from "node:path";

type EnableCompileCache = (dir: string) => unknown;

const enable = (Module as unknown as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
if (typeof enable === "function" && !process.env.NODE_COMPILE_CACHE) {
  // Loaded only here: Node 20 has no compile cache, and its start-up need not pay for the lookup.
  const { trustedUserCacheDir } = require("@tsprof/runner/cache-dir") as typeof import("@tsprof/runner/cache-dir");
  const dir = trustedUserCacheDir();
  try {
    if (dir) enable(join(dir, "v8"));
  } catch {
    // no cache: start-up is only slower
  }
}
