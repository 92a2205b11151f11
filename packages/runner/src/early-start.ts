/**
 * The child side of an early start (run-child.ts): the parent spawns the child before it compiles
 * the program, so that Node's boot, tsprof's loader and the collector (with its thread) get ready
 * on the other core meanwhile. The child then waits here, blocked, for the parent's go: one byte
 * on its go channel, after the parent has put the complete config (the compiled files' handover,
 * and whether the guess of the ES module hooks held) in place of the early one.
 */
import { closeSync, readFileSync, readSync } from "node:fs";
import type { ChildConfig } from "./config";

/**
 * Block until the parent's go (true) or the end of the channel without one (false: the parent
 * failed before the program could start, was interrupted or killed, or replaces this child).
 */
export function waitForGo(fd: number): boolean {
  const byte = Buffer.alloc(1);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  try {
    for (;;) {
      try {
        return readSync(fd, byte, 0, 1, null) === 1;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // A non-blocking end of the channel: poll it (the go comes within the parent's compile).
        if (code === "EAGAIN" || code === "EWOULDBLOCK") Atomics.wait(pause, 0, 0, 1);
        else if (code !== "EINTR") return false;
      }
    }
  } finally {
    // The program must not find an fd of tsprof's open.
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}

/** The complete config the parent wrote before the go (the early one lacked the handover). */
export function readConfigAfterGo(path: string): ChildConfig {
  return JSON.parse(readFileSync(path, "utf8")) as ChildConfig;
}
