/**
 * Compiling outside the profiled process: the parent walks the entry's imports and compiles them
 * before launch, so the child loads neither esbuild nor the TypeScript parser; a file the walk
 * cannot see still runs, compiled in the child with a one-line note.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { precompileGraph, resolveRelative } from "../../packages/runner/src/precompile";
import { programDir, tsprof } from "../helpers/cli";

const NOTE = /compiling .* inside the profiled process/;

const program = programDir;

// What the profiled program itself can see: which compilers are loaded in its process.
const REPORT_COMPILERS =
  'const loaded = Object.keys(require.cache).filter((k) => /[\\\\/](typescript|esbuild)[\\\\/]/.test(k));\n' +
  'console.log("compilers loaded: " + (loaded.length ? loaded.join(",") : "none"));\n';

test("the walk resolves TypeScript's ./x.js, extensionless and index imports, and finds ESM", () => {
  const dir = program({
    "main.ts": 'import { a } from "./a.js";\nconst b = require("./b");\nexport * from "./lib";\nconsole.log(a, b);\n',
    "a.ts": "export const a = 1;\n",
    "b.ts": "module.exports = 2;\n",
    "lib/index.ts": "export const c = 3;\n",
    "unused.ts": "export const d = 4;\n",
  });
  assert.equal(resolveRelative(join(dir, "main.ts"), "./a.js"), join(dir, "a.ts"));
  assert.equal(resolveRelative(join(dir, "main.ts"), "./b"), join(dir, "b.ts"));
  assert.equal(resolveRelative(join(dir, "main.ts"), "node:fs"), null);
  const cjs = precompileGraph(join(dir, "main.ts"), null);
  assert.deepEqual(cjs.files.sort(), ["a.ts", "b.ts", "lib/index.ts", "main.ts"].map((f) => join(dir, f)).sort());
  assert.equal(cjs.esmHooks, false);

  const esm = program({ "main.ts": 'import { x } from "./x.mjs";\nconsole.log(x);\n', "x.mts": "export const x = 1;\n" });
  assert.equal(precompileGraph(join(esm, "main.ts"), null).esmHooks, true);
  const dynamic = program({ "main.ts": 'import("./y.js").then((m) => console.log(m.y));\n', "y.ts": "export const y = 1;\n" });
  assert.equal(precompileGraph(join(dynamic, "main.ts"), null).esmHooks, true);
  // A CommonJS .cts entry in a "type": "module" package: Node 20 loads it through its ES module loader.
  const ctsInModule = program({ "package.json": '{ "type": "module" }', "main.cts": "const z: number = 1;\nconsole.log(z);\n" });
  assert.equal(precompileGraph(join(ctsInModule, "main.cts"), null).esmHooks, true);
  const ctsAlone = program({ "main.cts": "const z: number = 1;\nconsole.log(z);\n" });
  assert.equal(precompileGraph(join(ctsAlone, "main.cts"), null).esmHooks, false);
});

test("line and mem: the profiled process loads no compiler, cold cache or warm", () => {
  const dir = program({
    "main.ts":
      'import { work } from "./work.js";\n' + REPORT_COMPILERS + "console.log(work(5));\n",
    "work.ts": "/** @profile */\nexport function work(n: number): number {\n  let t = 0;\n  for (let i = 0; i < n; i++) t += i;\n  return t;\n}\n",
  });
  const cache = join(dir, "cache");
  for (const args of [["line"], ["line", "--mode", "trace"], ["line", "--mode", "sample"], ["mem"], ["line"]]) {
    const r = tsprof([...args, join(dir, "main.ts")], { cwd: dir, env: { TSPROF_CACHE_DIR: cache } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /compilers loaded: none/, `${args.join(" ")}: ${r.stdout}`);
    assert.match(r.stdout, /^10$/m);
    assert.doesNotMatch(r.stderr, NOTE);
    if (args[0] === "line" && args.length === 1) assert.match(r.stdout, /Function: work at line 1/);
  }
  // No persistent cache: the parent hands its output over in the run's private dir.
  const off = tsprof(["line", join(dir, "main.ts")], { cwd: dir, env: { TSPROF_CACHE: "0" } });
  assert.equal(off.code, 0, off.stderr);
  assert.match(off.stdout, /compilers loaded: none/);
});

test("a file the walk cannot see is compiled in the child, with one line saying so", () => {
  const dir = program({
    "main.ts": 'const name = ["./hid", "den"].join("");\nconst { hidden } = require(name);\nconsole.log("hidden " + hidden(3));\n',
    "hidden.ts": "/** @profile */\nexport function hidden(n: number): number {\n  return n * 2;\n}\n",
  });
  const r = tsprof(["line", join(dir, "main.ts")], { cwd: dir, env: { TSPROF_CACHE_DIR: join(dir, "cache") } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /hidden 6/);
  assert.match(r.stdout, /Function: hidden at line 1/);
  const notes = r.stderr.split("\n").filter((l) => NOTE.test(l));
  assert.equal(notes.length, 1, r.stderr);
  assert.match(notes[0], /hidden\.ts/);
});
