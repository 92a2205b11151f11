/**
 * How a cell child marks the window of steps a slow-cause run counts, for the tool that runs it.
 * The child writes commands, one a line, to a control FIFO and waits for `ack` on a second FIFO
 * after each, so no step runs before the tool has acted on the command:
 * - perf stat reads the FIFOs itself (`--delay=-1 --control fifo:ctl,ack`: events start disabled)
 *   and knows `enable` and `disable`;
 * - under callgrind, tsprof serves the FIFOs (serveCallgrindWindow in slow-causes.ts) and turns
 *   each command into a monitor command sent through vgdb: `instrument` (instrumentation on, so
 *   the simulated caches fill during a few steps that are not counted), `enable` (zero the counts),
 *   `disable` (instrumentation off). JavaScript cannot issue valgrind's client requests (a magic
 *   instruction sequence), so the window is marked from outside, at a point the child waits on.
 */
import * as fs from "node:fs";

/** The window of a slow-cause run (a field of its cell spec). */
export interface CellWindow {
  /** Steps run first, uncounted, so the JIT has compiled the kernel. */
  warmupSteps: number;
  /** Steps run after `instrument` and before `enable` (callgrind: fill the simulated caches); 0 for perf. */
  instrumentSteps: number;
  controlFifo: string;
  ackFifo: string;
}

export interface OpenMarker {
  command(text: "instrument" | "enable" | "disable"): void;
  close(): void;
}

/** The tool answers each command with "ack\n" on the ack FIFO; wait for it (a blocking read). */
function waitForAck(fd: number): void {
  const buffer = Buffer.alloc(64);
  let text = "";
  while (!text.includes("ack")) {
    const n = fs.readSync(fd, buffer, 0, buffer.length, null);
    // The tool went away: nothing will answer, and nothing is counted any more.
    if (n === 0) throw new Error("the counting tool closed its control channel before acknowledging");
    text += buffer.toString("utf8", 0, n);
  }
}

/** Open the window's FIFOs (the tool holds both open read-write before this process starts: no open blocks). */
export function openMarker(window: CellWindow): OpenMarker {
  const control = fs.openSync(window.controlFifo, "w");
  const ack = fs.openSync(window.ackFifo, "r");
  return {
    command(text) {
      fs.writeSync(control, `${text}\n`);
      waitForAck(ack);
    },
    close() {
      fs.closeSync(control);
      fs.closeSync(ack);
    },
  };
}
