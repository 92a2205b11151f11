import type { InstrumentStyle } from "./instrument";
import type { HandoverIndex } from "./handover";

/** What the parent tells the child: written to a JSON file whose path is in TSPROF_CHILD_CONFIG. */
export interface ChildConfig {
  /** Absolute path of the collector module, or null to only run the script. */
  collector: string | null;
  collectorOptions: unknown;
  instrument: { style: InstrumentStyle; all: boolean; modules: string[] } | null;
  /** Where the collector writes its result. */
  outFile: string;
  /** Where the child writes the uncaught error text, so the parent prints it after the tables. */
  errorFile: string;
  tempDir: string;
  /** The one interrupt file, and the snapshot files (see collector.ts). */
  interruptFile: string;
  planFile: string;
  snapshotFile: string;
  /** The compile cache the parent filled before launch (null: the user's cache; see precompile.ts). */
  cacheDir?: string | null;
  /** False when every file is CommonJS: the child then does without Node's ESM hooks. */
  esmHooks?: boolean;
  /** The files the parent compiled before launch, by format and path (see handover.ts). */
  handover?: HandoverIndex | null;
  /** The program's Node child processes are profiled too (processes.ts). */
  profileChildren?: boolean;
  /** Set in the config a Node child of the profiled program derives for itself (processes.ts). */
  childProcess?: boolean;
}

export const CONFIG_ENV = "TSPROF_CHILD_CONFIG";

/** The fd of an early-started child's go channel (its stdio entry 3). */
export const GO_FD = 3;
/**
 * Set (to GO_FD) in the environment of a child spawned before the parent's compile (early start):
 * it prepares, then reads its go on that fd (EOF without one: the run is off, exit at once) and
 * reads its config again (early-start.ts). In the environment, not the config: the parent rewrites
 * the config at the go, possibly before the child has read it at all.
 */
export const GO_FD_ENV = "TSPROF_GO_FD";
