/**
 * `tsprof line` profiles the Node child processes the program starts (fork, spawn of node): their
 * tables carry the child's pid, with exact hits; a child still running when the program ends is
 * reported in one line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { existsSync } from "node:fs";
import type { LineProfileResult } from "@tsprof/core";
import { tsprof, fixture, tempDir, readJson } from "../helpers/cli";

const children = (f: string) => fixture("line", "children", f);

function runLine(args: string[], script: string) {
  const out = join(tempDir(), "result.json");
  // A cold compile cache, as on a first run: the children's file (a computed path, not found before
  // launch) is compiled inside each child, and that compile must not show as a worker the program started.
  const run = tsprof(["line", "--json", out, ...args, script], { env: { TSPROF_CACHE_DIR: tempDir() } });
  const result = existsSync(out) ? readJson<LineProfileResult>(out) : null;
  return { ...run, result };
}

for (const mode of ["hybrid", "trace"] as const) {
  test(`${mode}: children started with fork() and spawn(process.execPath) are profiled, labelled by pid, with exact hits`, () => {
    const r = runLine(["--mode", mode], children("parent.ts"));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^child forked counted 450$/m);
    assert.match(r.stdout, /^child spawned counted 750$/m);
    assert.match(r.stdout, /^children exited 0 0$/m);
    const tables = r.result!.functions.filter((f) => f.name === "countTo").sort((a, b) => (a.calls ?? 0) - (b.calls ?? 0));
    const hits = (line: number) => tables.map((t) => t.lines.find((l) => l.line === line)?.hits);
    assert.equal(tables.length, 2, r.stdout);
    assert.deepEqual([hits(5), hits(6), hits(8)], [[301, 501], [300, 500], [1, 1]]);
    for (const t of tables) assert.match(t.thread ?? "", /^process \d+$/);
    assert.notEqual(tables[0].thread, tables[1].thread);
    for (const t of tables) assert.match(r.stdout, new RegExp(`^Thread: ${t.thread}$`, "m"));
    assert.doesNotMatch(r.stdout, /did not profile/);
    // Their CPU samples are kept, one profile per process, for the exports.
    const sampled = (r.result!.profiles ?? []).map((p) => p.thread);
    for (const t of tables) assert.ok(sampled.includes(t.thread!), sampled.join(", "));
  });
}

test("a child still running when the program ends is not profiled, and one line says so", () => {
  const r = runLine([], children("outlives.ts"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^started a child that outlives me$/m);
  assert.match(
    r.stdout,
    /^note: the program started 1 Node child process that tsprof did not profile \(still running when the program ended, or ended before saving\), so its code is not in these tables$/m,
  );
});
