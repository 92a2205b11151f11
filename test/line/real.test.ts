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

test("sample mode shows library functions, labelled by package; --only-user hides them", () => {
  const r = runLine(["--mode", "sample"], "uses-lib.ts", { cwd: real() });
  assert.equal(r.code, 0, r.stderr);
  const churn = r.result!.summary.find((s) => s.name === "churn");
  assert.ok(churn && churn.file === LIB, `churn in the summary: ${r.result!.summary.map((s) => s.name).join(", ")}`);
  assert.ok(r.result!.functions.some((f) => f.name === "churn" && f.file === LIB), "a line table for the library's hottest function");
  assert.match(r.stdout, /^\s+-\s.*  fakelib\/umd\.js:16\(churn\)$/m);
  assert.match(r.stdout, /^File: fakelib\/umd\.js$/m);
  assert.match(r.stdout, /  node:internal\/[\w/]+:\d+\(/, "Node's internals are listed too");
  const user = tsprof(["line", "--mode", "sample", "--only-user", "uses-lib.ts"], { cwd: real() });
  assert.equal(user.code, 0, user.stderr);
  assert.doesNotMatch(user.stdout, /fakelib\/umd\.js|node:internal/);
  assert.match(user.stdout, /uses-lib\.ts:1\(<module>\)/);
});

test("no tool noise: no compiler helpers at made-up lines, no tsprof frames in the summary", () => {
  const r = runLine([], fixture("line", "decorated.ts"), { cwd: ROOT });
  assert.equal(r.code, 0, r.stderr);
  const names = r.result!.summary.map((s) => `${s.file}:${s.line}(${s.name})`);
  assert.ok(!names.some((n) => /\(__\w+\)/.test(n)), names.join("\n"));
  assert.ok(!r.result!.summary.some((s) => s.file.startsWith(join(ROOT, "packages")) || s.file.startsWith(join(ROOT, "cli"))), names.join("\n"));
});

for (const mode of ["hybrid", "trace"] as const) {
  test(`${mode}: an error's stack shows the original line and column, not the instrumented text's`, () => {
    const r = runLine(["--mode", mode], fixture("line", "marking", "throws.ts"));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /at failing \(.*throws\.ts:5:21\)/);
  });
}

test("every marking style is profiled: aliased import, namespace, tag after a decorator", () => {
  const r = runLine([], real("marks.ts"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^2 4 9 4 5$/m);
  assert.deepEqual(r.result!.functions.map((f) => f.name).sort(), ["A.m", "B.n", "B.o", "f", "g"]);
  for (const f of r.result!.functions) assert.equal(f.calls, 1, f.name);
});

test("profile() around a function imported from another module profiles it there; a package's is a one-line warning", () => {
  for (const mode of ["hybrid", "trace"]) {
    const r = runLine(["--mode", mode], real("add-function.ts"));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^25$/m);
    assert.equal(fn(r.result, "square", real("math-lib.ts")).calls, 2, mode);
  }
  const lib = runLine([], real("add-function-package.ts"));
  assert.equal(lib.code, 0, lib.stderr);
  assert.match(lib.stdout, /^note: .*add-function-package\.ts:4: profile\(fib\) not honoured: 'fib' is imported from the package 'fakelib'; pass its file to --module$/m);
});

test("an ES module that starts no worker gets no worker note (Node's module-hooks thread is tsprof's, not the program's)", () => {
  for (const mode of ["hybrid", "sample"]) {
    const r = runLine(["--mode", mode], real("no-workers.mjs"));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^4999950000$/m);
    assert.doesNotMatch(r.stdout, /worker thread/);
  }
});

test("worker threads and Node child processes the program starts are profiled: no note says they were not", () => {
  const r = runLine([], real("spawns.ts"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^worker said 42$/m);
  assert.match(r.stdout, /^child ran$/m);
  assert.doesNotMatch(r.stdout, /did not profile|main thread only/, "the eval worker and the node child inherited the profiling");
});
