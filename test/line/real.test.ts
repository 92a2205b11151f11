/**
 * `tsprof line` on real programs: libraries in node_modules, `--module` anywhere, "use strict"
 * bundles (a vendored UMD file under fixtures/real/node_modules, so no network at test time).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { existsSync } from "node:fs";
import type { FunctionLineProfile, LineProfileResult } from "@tsprof/core";
import { tsprof, fixture, tempDir, readJson, ROOT } from "../helpers/cli";

const real = (...f: string[]) => fixture("real", ...f);
const LIB = real("node_modules", "fakelib", "umd.js");

function runLine(args: string[], script: string, options: { cwd?: string } = {}) {
  const out = join(tempDir(), "result.json");
  const run = tsprof(["line", "--json", out, ...args, script], options);
  const result = existsSync(out) ? readJson<LineProfileResult>(out) : null;
  return { ...run, result };
}

function fn(result: LineProfileResult | null, name: string, file?: string): FunctionLineProfile {
  const f = result?.functions.find((x) => x.name === name && (!file || x.file === file));
  assert.ok(f, `function ${name} in ${result?.functions.map((x) => x.name).join(", ")}`);
  return f;
}

for (const mode of ["hybrid", "trace"] as const) {
  test(`${mode}: --module instruments a file in node_modules; a "use strict" UMD bundle still runs strict`, () => {
    const r = runLine(["--mode", mode, "--module", LIB], real("uses-lib.ts"), { cwd: ROOT });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^610 true strict$/m, "the bundle's directive stayed first");
    assert.equal(fn(r.result, "fib", LIB).calls, 1973);
    assert.equal(fn(r.result, "churn", LIB).calls, 20);
    assert.equal(fn(r.result, "churn", LIB).lines.find((l) => l.line === 17)?.hits, 20);
  });
}

test("sample mode runs the UMD bundle too", () => {
  const r = runLine(["--mode", "sample"], real("uses-lib.ts"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^610 true strict$/m);
});

test("--module takes a folder or a bare package name", () => {
  for (const arg of ["node_modules/fakelib", "fakelib"]) {
    const r = runLine(["--module", arg], "uses-lib.ts", { cwd: real() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fn(r.result, "fib", LIB).calls, 1973, arg);
    assert.deepEqual(r.result!.notes.filter((n) => n.includes("--module")), [], arg);
  }
});

test("--module on tsprof's own files instruments them", () => {
  const api = join(ROOT, "cli", "dist", "api.js");
  const r = runLine(["--module", api], real("own-files.ts"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^5$/m);
  assert.ok(r.result!.functions.some((f) => f.file === api && f.calls! > 0), r.result!.functions.map((f) => `${f.file}:${f.name}`).join(", "));
});

test("a --module the program never loads gets a one-line note; an unknown one is a usage error", () => {
  const r = runLine(["--module", "fakelib"], "never-loads.ts", { cwd: real() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^note: --module 'fakelib': the program never loaded it, so nothing of it was profiled$/m);
  const bad = runLine(["--module", "no-such-package-here"], "never-loads.ts", { cwd: real() });
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
});
