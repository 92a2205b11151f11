/**
 * tsprof cleans up after itself: a finished run (line in each mode, mem, mem --plot, a script that
 * throws) leaves nothing in $TMPDIR. Each run gets a private TMPDIR, so other processes' files
 * cannot hide or fake a leak. Stopped runs (signals, dashboard quit) are in hangs-leaks.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fixture, tempDir, tsprof } from "../helpers/cli";

/** Run tsprof with TMPDIR set to a fresh folder; return the run and what is left in that folder. */
function runWithPrivateTmp(args: string[], cwd?: string) {
  const tmp = tempDir();
  const run = tsprof(args, { cwd, env: { TMPDIR: tmp } });
  return { run, left: readdirSync(tmp) };
}

test("a finished line run leaves nothing in $TMPDIR (hybrid, sample, trace)", () => {
  const out = tempDir();
  for (const mode of ["hybrid", "sample", "trace"]) {
    const json = join(out, `${mode}.json`);
    const { run, left } = runWithPrivateTmp(["line", "--mode", mode, "--json", json, fixture("line", "julia.ts"), "60", "30"]);
    assert.equal(run.code, 0, `${mode}: ${run.stderr}`);
    assert.deepEqual(left, [], `line --mode ${mode} left ${left.join(", ")}`);
  }
});

test("a finished mem run, a mem --plot run and a script that throws leave nothing in $TMPDIR", () => {
  const cwd = tempDir();
  const table = runWithPrivateTmp(["mem", fixture("mem", "loops.ts")], cwd);
  assert.equal(table.run.code, 0, table.run.stderr);
  assert.deepEqual(table.left, [], `mem left ${table.left.join(", ")}`);

  const plot = runWithPrivateTmp(["mem", "--plot", "--terminal", fixture("mem", "loops.ts")], cwd);
  assert.equal(plot.run.code, 0, plot.run.stderr);
  assert.deepEqual(plot.left, [], `mem --plot left ${plot.left.join(", ")}`);

  const threw = runWithPrivateTmp(["line", fixture("mem", "throws.ts")]);
  assert.equal(threw.run.code, 1, threw.run.stderr);
  assert.deepEqual(threw.left, [], `a line run whose script threw left ${threw.left.join(", ")}`);
});
