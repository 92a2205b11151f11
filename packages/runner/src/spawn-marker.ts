/**
 * Preloaded (through NODE_OPTIONS) into the Node processes a profiled program starts: it notes
 * that one started, so tsprof can say whether it profiled it (see spawned.ts), and loads tsprof's
 * loader into it where the command profiles child processes (processes.ts).
 */
import { appendFileSync } from "node:fs";
import { isMainThread } from "node:worker_threads";
import { join } from "node:path";

const log = process.env.TSPROF_SPAWN_LOG;
// Worker threads read NODE_OPTIONS too: they are not processes (spawned.ts counts them apart).
if (log && isMainThread) {
  try {
    appendFileSync(log, `${process.pid}\n`);
  } catch {
    // The profiled run is over (its temp dir is gone): nothing to report to.
  }
}

// A program whose children tsprof profiles (processes.ts): a child started without tsprof's
// loader in its execArgv (spawn(process.execPath, ...), not fork) loads it here.
if (isMainThread && process.env.TSPROF_PROCESS_CONFIG && !process.execArgv.some((a) => a.includes("register.js"))) {
  require(join(__dirname, "register.js"));
}
