/**
 * A cheap reader of the process's own RSS for the per-line mode, which reads memory at every line.
 * `process.memoryUsage.rss()` opens, reads and closes /proc/self/stat each time (tens of µs);
 * here /proc/self/statm stays open and is re-read in place (one pread, no string). Elsewhere (no
 * /proc), process.memoryUsage.rss().
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
  const residentPages = (): number => {
    const n = readSync(fd, buffer, 0, buffer.length, 0);
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
