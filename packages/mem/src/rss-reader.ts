/**
 * A cheap reader of the process's own RSS for the per-line mode, which reads memory at every line.
 * `process.memoryUsage.rss()` opens, reads and closes /proc/self/stat each time (tens of µs);
 * here /proc/self/statm stays open and is re-read in place (one pread, no string). Elsewhere (no
 * /proc), process.memoryUsage.rss().
 *
 * `fs.readSync` allocates a small object per call, which the per-line heap columns would count as
 * the user's; Node's fs binding `read` (what readSync calls) does not. It is not a public API, so
 * it is used only if it reads the same bytes as readSync; otherwise readSync.
 */
import { openSync, readSync } from "node:fs";

export function createRssReader(): () => number {
  let fd: number;
  try {
    fd = openSync("/proc/self/statm", "r");
  } catch {
    return () => process.memoryUsage.rss();
  }
  const buffer = Buffer.alloc(256);
  const read = allocationFreeRead(fd, buffer) ?? (() => readSync(fd, buffer, 0, buffer.length, 0));
  const residentPages = (): number => {
    const n = read();
    // Fields: size resident shared text lib data dt (pages). Parse the second without allocating.
    let i = 0;
    while (i < n && buffer[i] !== 0x20) i++;
    i++;
    let pages = 0;
    while (i < n) {
      const c = buffer[i];
      if (c < 0x30 || c > 0x39) break;
      pages = pages * 10 + (c - 0x30);
      i++;
    }
    return pages;
  };
  // Page size: the power of two that makes statm agree with Node's own RSS figure.
  const pages = residentPages();
  const rss = process.memoryUsage.rss();
  const pageSize = pages > 0 ? 2 ** Math.round(Math.log2(rss / pages)) : 4096;
  return () => residentPages() * pageSize;
}

function allocationFreeRead(fd: number, buffer: Buffer): (() => number) | null {
  const processWithBinding = process as unknown as { binding?: (name: string) => unknown };
  if (typeof processWithBinding.binding !== "function") return null;
  const emitWarning = process.emitWarning;
  try {
    // process.binding warns once (DEP0111); keep that off the profiled program's stderr.
    process.emitWarning = (() => undefined) as typeof process.emitWarning;
    const binding = processWithBinding.binding("fs") as { read?: (...args: unknown[]) => unknown };
    if (typeof binding.read !== "function") return null;
    const viaBinding = binding.read(fd, buffer, 0, buffer.length, 0);
    const first = buffer.toString("latin1", 0, 8);
    const viaFs = readSync(fd, buffer, 0, buffer.length, 0);
    if (typeof viaBinding !== "number" || viaBinding <= 0 || Math.abs(viaBinding - viaFs) > 8) return null;
    if (first.split(" ")[0] !== buffer.toString("latin1", 0, 8).split(" ")[0]) return null;
    const read = binding.read;
    return () => read(fd, buffer, 0, buffer.length, 0) as number;
  } catch {
    return null;
  } finally {
    process.emitWarning = emitWarning;
  }
}
