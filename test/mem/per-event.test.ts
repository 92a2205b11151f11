// The per-line mode's hot path (a line event: read RSS and the V8 heap, credit the previous line)
// must allocate nothing per event on the JavaScript heap: whatever it allocates lands in the very heap
// columns it measures, on the user's lines. Checked with V8's sampling heap profiler at a fine
// interval, in this process, over events whose lines do allocate (so every branch of the
// bookkeeping runs, the heap-growth one included).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { Session } from "node:inspector";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Collector, FileMeta } from "@tsprof/runner/child";

const MEM_DIST = dirname(require.resolve("@tsprof/mem"));

interface HeapNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: HeapNode[];
}

function post<T>(session: Session, method: string, params?: object): T {
  let result: T | undefined;
  let error: Error | null = null;
  session.post(method, params ?? {}, (err, res) => {
    error = err;
    result = res as T;
  });
  if (error) throw error;
  return result as T;
}

/** Bytes sampled with one of mem's own modules as the allocating frame, by function name. */
function ownBytesByFunction(head: HeapNode): Map<string, number> {
  const out = new Map<string, number>();
  const stack = [head];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const url = node.callFrame.url.replace(/^file:\/\//, "");
    if (node.selfSize > 0 && url.startsWith(MEM_DIST)) {
      const name = node.callFrame.functionName || "(anonymous)";
      out.set(name, (out.get(name) ?? 0) + node.selfSize);
    }
    stack.push(...node.children);
  }
  return out;
}

test("line events allocate nothing per event on the JavaScript heap (growth on every other line)", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsprof-"));
  try {
    const { create } = require(join(MEM_DIST, "line-collector.js")) as { create: (options: object, context: object) => Collector };
    const collector = create(
      { gc: false, samplingIntervalBytes: 0 },
      {
        outFile: join(dir, "out.json"),
        tempDir: dir,
        interruptFile: join(dir, "interrupt"),
        planFile: join(dir, "plan"),
        snapshotFile: join(dir, "snapshot"),
        hookState: new SharedArrayBuffer(4),
        parentPid: process.pid,
      },
    );
    const meta: FileMeta = {
      file: join(dir, "program.ts"),
      functions: [{ name: "program", line: 1, bodyLine: 2, endLine: 4, entrySlot: 0, suspends: false }],
      slots: [0, 1, 2].map((i) => ({ line: i + 2, fn: 0, leader: i, call: false })),
    } as FileMeta;
    const sink = collector.registerFile(meta) as { enter(fn: number): unknown; line(frame: unknown, slot: number): void; exit(frame: unknown): void };
    const kept: object[] = [];
    const program = (iterations: number): void => {
      const frame = sink.enter(0);
      for (let i = 0; i < iterations; i++) {
        sink.line(frame, 1);
        kept.push({ i }); // the user's line grows the heap
        sink.line(frame, 2);
      }
      sink.exit(frame);
    };
    program(20_000); // optimized before the profile starts: unoptimized code boxes its doubles
    kept.length = 0;

    const session = new Session();
    session.connect();
    // Objects collected since count too: garbage made per event is what to catch.
    post(session, "HeapProfiler.startSampling", { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    program(50_000);
    const { profile } = post<{ profile: { head: HeapNode } }>(session, "HeapProfiler.stopSampling");
    session.disconnect();
    collector.finish({ exitCode: 0, signal: null, error: null });

    const own = ownBytesByFunction(profile.head);
    // The snapshot for the parent (every 50 ms or more) copies on purpose.
    own.delete("snapshot");
    const total = [...own.values()].reduce((a, b) => a + b, 0);
    // 100,000 events: an object or a boxed number made by every event would be 1.6 MB or more.
    // What stays is small and varies from run to run (0.2 to 0.6 MB here): the clock read every 64
    // events (performance.now() returns a new heap number) and the numbers boxed while V8 runs the
    // event code unoptimized, after a deoptimization, until it optimizes it again.
    assert.ok(total < 1_600_000, `mem's line events allocated ${total} bytes: ${JSON.stringify([...own])}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
