/**
 * The parent's side of V8's JIT trace (`tsprof line --jit`): the flags that make the profiled
 * process trace its JIT, and the reader of what it writes.
 *
 * V8 writes the trace of every thread (isolate) to the one file named by --redirect-code-traces-to,
 * and each isolate truncates that file when it first traces (CodeTracer's constructor): a worker
 * thread that compiles something after the main thread did would wipe the main thread's trace. V8
 * opens only regular files there (OS::FOpen refuses pipes), so this reader follows the file while
 * the program runs, every few milliseconds, keeping what it has read: a truncation (the file's
 * first bytes are no longer those it saw) starts a new stretch. What a thread wrote in the last
 * few milliseconds before another thread's first trace can still be lost.
 */
import { closeSync, existsSync, openSync, readSync, fstatSync } from "node:fs";
import { join } from "node:path";

const FOLLOW_EVERY_MS = 5;
/** The file's first bytes, kept to notice a truncation that the file has since outgrown. */
const HEAD_BYTES = 256;

export class JitTraceReader {
  readonly path: string;
  private fd: number | null = null;
  private offset = 0;
  private head: Buffer | null = null;
  /** What was read, one list of chunks per stretch between truncations. */
  private readonly stretches: Buffer[][] = [[]];
  private readonly timer: NodeJS.Timeout;

  /** @param dir a private folder (created exclusively) that the trace is written into. */
  constructor(dir: string) {
    this.path = join(dir, "jit-trace.txt");
    this.timer = setInterval(() => this.follow(), FOLLOW_EVERY_MS);
    this.timer.unref();
  }

  /** Node flags for the profiled process. */
  nodeArgs(): string[] {
    return ["--trace-opt", "--trace-baseline", "--trace-deopt-verbose", "--trace-file-names", "--redirect-code-traces", `--redirect-code-traces-to=${this.path}`];
  }

  private readAt(position: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd!, out, done, length - done, position + done);
      if (n <= 0) break;
      done += n;
    }
    return out.subarray(0, done);
  }

  /** Read what was added since the last call; start over after a truncation (the timer calls it). */
  follow(): void {
    if (this.fd === null) {
      if (!existsSync(this.path)) return;
      this.fd = openSync(this.path, "r");
    }
    const size = fstatSync(this.fd).size;
    if (this.head) {
      const head = this.readAt(0, this.head.length);
      if (size < this.offset || !head.equals(this.head)) {
        // Another thread's first trace truncated the file: what was read stays, the file starts anew.
        this.offset = 0;
        this.head = null;
        this.stretches.push([]);
      }
    }
    if (size > this.offset) {
      this.stretches[this.stretches.length - 1].push(this.readAt(this.offset, size - this.offset));
      this.offset = size;
    }
    if (!this.head && size > 0) this.head = this.readAt(0, Math.min(HEAD_BYTES, size));
  }

  /** Everything traced (call once the process has exited); null when V8 wrote no trace. */
  finish(): string | null {
    clearInterval(this.timer);
    this.follow();
    if (this.fd === null) return null;
    closeSync(this.fd);
    this.fd = null;
    // Stretches cut by a truncation can end inside a line: each starts on a new one.
    return this.stretches.map((chunks) => Buffer.concat(chunks).toString("utf8")).join("\n");
  }
}
