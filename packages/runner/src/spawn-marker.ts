/**
 * Preloaded (through NODE_OPTIONS) into the Node processes a profiled program starts: it only
 * notes that one started, so tsprof can say that it did not profile it (see spawned.ts).
 */
import { appendFileSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

const log = process.env.TSPROF_SPAWN_LOG;
// Worker threads read NODE_OPTIONS too: they are not processes (spawned.ts counts them apart).
if (log && isMainThread) {
  try {
    appendFileSync(log, `${process.pid}\n`);
  } catch {
    // The profiled run is over (its temp dir is gone): nothing to report to.
  }
}
