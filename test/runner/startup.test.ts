/**
 * Start-up and footprint (issue 12): what loads where. A warm run finds everything the TypeScript
 * parser would tell it in the compile cache, so tsprof's own process does not load the parser; the
 * profiled process loads only the child side of tsprof (no compiler, no source-map codec, not all of
 * @tsprof/core, no node:inspector while the native sampler is used).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir, tsprof } from "../helpers/cli";

function program(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

// Runs the parent's compile step before launch in a fresh process, as `tsprof line` does, and says
// whether the TypeScript parser loaded and which functions were marked across modules.
const PARENT_STEP = `
const [entry, cache] = process.argv.slice(1);
const runner = ${JSON.stringify(join(ROOT, "packages", "runner", "dist"))};
require(runner + "/compile.js").useCompileCache(cache, null);
const plan = { style: "counters", all: false, modules: [] };
require(runner + "/precompile.js").precompileGraph(entry, plan);
const parser = Object.keys(require.cache).some((k) => /[\\\\/]typescript[\\\\/]/.test(k));
console.log(JSON.stringify({ parser, functions: plan.functions ?? {} }));
`;

function parentStep(entry: string, cache: string): { parser: boolean; functions: Record<string, string[]> } {
  const r = spawnSync(process.execPath, ["-e", PARENT_STEP, entry, cache], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("a warm run does not load the TypeScript parser in tsprof's own process, and keeps cross-module marks", () => {
  const dir = program({
    "main.ts": 'import { profile } from "tsprof";\nimport { square } from "./lib";\nprofile(square);\nconsole.log(square(3));\n',
    "lib.ts": "export function square(x: number): number {\n  return x * x;\n}\n",
  });
  const cache = join(dir, "cache");
  const cold = parentStep(join(dir, "main.ts"), cache);
  assert.equal(cold.parser, true, "a cold run instruments, so it parses");
  assert.deepEqual(cold.functions, { [join(dir, "lib.ts")]: ["square"] });
  const warm = parentStep(join(dir, "main.ts"), cache);
  assert.equal(warm.parser, false);
  assert.deepEqual(warm.functions, cold.functions);
});

// What the profiled program can see of tsprof in its own process (the main thread).
const REPORT_LOADED = `
const loaded = Object.keys(require.cache).filter((k) => /[\\\\/](typescript|esbuild|@jridgewell)[\\\\/]|[\\\\/]core[\\\\/]dist[\\\\/]index\\.js$/.test(k));
const inspector = process.moduleLoadList.includes("NativeModule inspector");
console.log("loaded: " + (loaded.length ? loaded.join(",") : "none") + "; inspector: " + inspector);
`;

test("the profiled process loads no compiler, no source-map codec, not all of core; node:inspector only where it samples with it", () => {
  const dir = program({ "main.ts": "/** @profile */\nfunction main(): void {\n" + REPORT_LOADED + "}\nmain();\n" });
  const cache = join(dir, "cache");
  for (const args of [["line"], ["line", "--mode", "sample"], ["line", "--mode", "trace"], ["mem"], ["line"]]) {
    const r = tsprof([...args, join(dir, "main.ts")], { cwd: dir, env: { TSPROF_CACHE_DIR: cache } });
    assert.equal(r.code, 0, r.stderr);
    const nativeSampler = args[0] === "line" && !/through node:inspector/.test(r.stdout + r.stderr);
    // mem's heap sampling uses the inspector; line's V8 sampler only when the addon is missing.
    const inspector = args[0] === "mem" || !nativeSampler;
    assert.match(r.stdout, new RegExp(`loaded: none; inspector: ${inspector}`), `${args.join(" ")}: ${r.stdout}`);
  }
});
