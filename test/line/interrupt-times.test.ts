/**
 * Ctrl-C in a busy loop: the watchdog thread has the main thread run tsprof's interrupt hook (through
 * the inspector, between two statements of the loop), so the whole profile is saved, V8's sampled
 * line times included. (Only where even the hook cannot run does the watchdog save the counters
 * alone; those lines then show a blank Time with a note, see render-text.test.ts.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { BIN, fixture, ROOT } from "../helpers/cli";

test("Ctrl-C inside a busy loop: the whole profile, V8's sampled line times included", async () => {
  // A terminal's Ctrl-C reaches the whole process group: tsprof and the profiled child.
  const child = spawn(process.execPath, [BIN, "line", fixture("line", "julia.ts"), "--", "1000", "300"], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const started = new Promise<void>((resolve) =>
    child.stdout.on("data", (d) => {
      stdout += d;
      // The script prints this just before its kernel starts; give the kernel a moment.
      if (stdout.includes("Total elements")) setTimeout(resolve, 700);
    }),
  );
  await started;
  process.kill(-child.pid!, "SIGINT");
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  assert.equal(code, 130, stderr);
  const table = stdout.slice(stdout.indexOf("Line #"));
  // `let n = 0;` (line 29) ran many times and calls nothing: its time comes only from V8's ticks.
  const row29 = table.split("\n").find((l) => /^\s+29\s/.test(l));
  assert.ok(row29, table);
  assert.match(row29!, /^\s+29\s+\d+\s+\d+\.\d\s+\d+\.\d\s+\d+\.\d\s+let n = 0;$/, row29);
  assert.doesNotMatch(stdout, /note: times were cut short/);
});
