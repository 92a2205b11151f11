import type { CellWindow } from "./window-marker";

/**
 * Messages between the study runner (parent) and a cell child (cell-child.ts), over Node's IPC
 * channel, so the user's own stdout/stderr never gets mixed into the protocol.
 */

/** What the parent asks a cell child to run. */
export interface CellSpec {
  mode: "cell";
  workload: "diffusion" | "poly" | "custom";
  variant: string;
  size: number;
  iterations: number;
  /** Stop early and scale once this many seconds of steps have run (0 = never). */
  budgetSeconds: number;
  /** Absolute path of the user's module (workload "custom"). */
  customModule?: string;
  /**
   * A slow-cause run (counters): `warmupSteps` untimed steps, then the `iterations` steps inside a
   * window marked for the tool that runs the child (see window-marker.ts); nothing is timed.
   */
  window?: CellWindow;
}

/** What the parent asks a discovery child: the variant exports of a custom module. */
export interface ListSpec {
  mode: "list";
  customModule: string;
}

export type ChildMessage =
  | { type: "progress"; done: number; of: number; elapsedMs: number }
  | {
      type: "result";
      seconds: number;
      measuredIterations: number;
      scaled: boolean;
      checksum: number | null;
      /** Why checksum is null although checksum() exists: "checksum() returned NaN" (JSON has no NaN). */
      checksumNote?: string;
      peakHeapMiB: number;
      gcCount: number;
      maxRssMiB: number;
      /** Causes of the measured steps (see StudyCell); null where not measured. */
      cpuSeconds: number | null;
      coresUsed: number | null;
      allocatedBytes: number | null;
      gcSeconds: number | null;
      minorFaults: number | null;
      majorFaults: number | null;
    }
  | { type: "variants"; names: string[] }
  | { type: "error"; message: string };
