/**
 * Snapshots: how a collector's counters reach the parent when the child dies without running any
 * of its code (SIGKILL, abort, out of memory). The child appends its static plan (one JSON line per
 * instrumented file, as it registers) and rewrites one binary file of counter arrays often; the
 * parent rebuilds the tables from the latest one and says when it was taken.
 *
 * Snapshot file: uint32 header length, the header (JSON: takenAtMs, sections), zero padding to a
 * multiple of 8, then each section's float64 values in order. Written to a temp name and renamed,
 * so the parent never reads half of one.
 */
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";

export interface ChildSnapshot {
  /** Milliseconds since the collector started when the counters were copied. */
  takenAtMs: number;
  /** The plan entries, in registration order. */
  plan: unknown[];
  sections: Map<string, Float64Array>;
}

/** Child side: record one plan entry (before any of its counters can move). */
export function appendPlan(planFile: string, entry: unknown): void {
  appendFileSync(planFile, JSON.stringify(entry) + "\n");
}

/** Child side: copy the counters out. Sections are named views (their current values are written). */
export function writeSnapshot(snapshotFile: string, takenAtMs: number, sections: Array<[string, Float64Array]>): void {
  const header = Buffer.from(JSON.stringify({ takenAtMs, sections: sections.map(([name, values]) => [name, values.length]) }));
  const padded = Math.ceil((4 + header.length) / 8) * 8;
  const head = Buffer.alloc(padded);
  head.writeUInt32LE(header.length, 0);
  header.copy(head, 4);
  const tmp = `${snapshotFile}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, head);
    for (const [, values] of sections) writeSync(fd, values);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, snapshotFile);
}

/** Parent side: the latest snapshot and the plan, or null when there is none (or it is unreadable). */
export function readSnapshot(planFile: string, snapshotFile: string): ChildSnapshot | null {
  if (!existsSync(snapshotFile) || !existsSync(planFile)) return null;
  const counters = readCounters(snapshotFile);
  return counters && { ...counters, plan: readPlan(planFile) };
}

/** Parent side: the plan entries, in registration order (none when no file registered: no plan file). */
export function readPlan(planFile: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(planFile, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as unknown];
      } catch {
        // A line cut short by the child's death: the files before it are whole.
        return [];
      }
    });
}

/** Parent side: a file in the snapshot format (counters only), or null when it is missing or unreadable. */
export function readCounters(file: string): Omit<ChildSnapshot, "plan"> | null {
  try {
    const bytes = readFileSync(file);
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString("utf8")) as { takenAtMs: number; sections: Array<[string, number]> };
    let offset = Math.ceil((4 + headerLength) / 8) * 8;
    const sections = new Map<string, Float64Array>();
    for (const [name, length] of header.sections) {
      const end = offset + length * 8;
      if (end > bytes.length) return null;
      // A copy: Buffer pool slices are not necessarily 8-byte aligned.
      sections.set(name, new Float64Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + end)));
      offset = end;
    }
    return { takenAtMs: header.takenAtMs, sections };
  } catch {
    return null;
  }
}
