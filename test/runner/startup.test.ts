/**
 * Start-up and footprint (issue 12): what loads where. A warm run finds everything the TypeScript
 * parser would tell it in the compile cache, so tsprof's own process does not load the parser; the
 * profiled process loads only the child side of tsprof (no compiler, no source-map codec, not all of
 * @tsprof/core, no node:inspector while the native sampler is used) and takes its compiled files from
 * the parent's handover, so it neither hashes (node:crypto) nor reads the tsconfig (get-tsconfig).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT, programDir, tempDir, tsprof } from "../helpers/cli";
import { handedOver, writeHandover } from "../../packages/runner/src/handover";

const program = programDir;

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
const loaded = Object.keys(require.cache).filter((k) => /[\\\\/](typescript|esbuild|@jridgewell|get-tsconfig)[\\\\/]|[\\\\/]core[\\\\/]dist[\\\\/]index\\.js$/.test(k));
if (process.moduleLoadList.includes("NativeModule crypto")) loaded.push("node:crypto");
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

// Registered by the program after tsprof's own exit handler: runs once the collector has finished.
const REPORT_LOADED_AT_EXIT = `
process.on("exit", () => {
  const loaded = Object.keys(require.cache).filter((k) => /[\\\\/]line[\\\\/]dist[\\\\/](build-result|sampled-functions|raw-result|threads)\\.js$|[\\\\/]runner[\\\\/]dist[\\\\/](source-map|map-profile|source-lines|original-positions)\\.js$|[\\\\/]@jridgewell[\\\\/]/.test(k));
  require("node:fs").writeSync(1, "loaded at exit: " + (loaded.length ? loaded.map((k) => k.split(/[\\\\/]/).slice(-2).join("/")).join(",") : "none") + "\\n");
});
`;

test("the profiled process ends without the result builder, the source maps library or the thread merger: tsprof's parent builds the result", () => {
  const dir = program({ "main.ts": REPORT_LOADED_AT_EXIT + "/** @profile */\nfunction work(n: number): number {\n  let s = 0;\n  for (let i = 0; i < n; i++) {\n    s += i;\n  }\n  return s;\n}\nconsole.log(work(1000));\n" });
  const cache = join(dir, "cache");
  for (const mode of ["hybrid", "sample", "trace"]) {
    const r = tsprof(["line", "--mode", mode, join(dir, "main.ts")], { cwd: dir, env: { TSPROF_CACHE_DIR: cache } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /loaded at exit: none/, `${mode}: ${r.stdout}`);
    // The parent built the result from the raw write (not from a snapshot); with instrumentation, the
    // profiled function's table with its loop line counted. (Sample mode's tables depend on where samples fell.)
    assert.doesNotMatch(r.stdout, /the program died/, `${mode}: ${r.stdout}`);
    assert.match(r.stdout, new RegExp(`Mode: ${mode} `), `${mode}: ${r.stdout}`);
    if (mode !== "sample") assert.match(r.stdout, /Function: work at line \d+/, `${mode}: ${r.stdout}`);
    if (mode !== "sample") assert.match(r.stdout, /^\s+\d+\s+1000\s/m, `${mode}: the loop line's hits`);
  }
});

test("an ES module program runs from the handed-over code: its marked function is profiled, nothing compiles in the child", () => {
  const dir = program({
    "main.mts": 'import { work } from "./work.mjs";\nconsole.log("crypto: " + process.moduleLoadList.includes("NativeModule crypto"));\nconsole.log(work(4));\n',
    "work.mts": "/** @profile */\nexport function work(n: number): number {\n  return n * 2;\n}\n",
  });
  const r = tsprof(["line", join(dir, "main.mts")], { cwd: dir, env: { TSPROF_CACHE_DIR: join(dir, "cache") } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /crypto: false/);
  assert.match(r.stdout, /^8$/m);
  assert.match(r.stdout, /Function: work at line 1/);
  assert.doesNotMatch(r.stderr, /inside the profiled process/);
});

test("ES module hooks run on the program's own thread where Node has module.registerHooks, else in a loader thread", () => {
  const dir = program({
    "main.mts": 'import { readdirSync } from "node:fs";\nimport { work } from "./work.mjs";\nconsole.log("threads " + readdirSync("/proc/self/task").length);\nconsole.log(work(4));\n',
    "work.mts": "/** @profile */\nexport function work(n: number): number {\n  return n * 2;\n}\n",
  });
  const threads = (env: NodeJS.ProcessEnv): number => {
    const r = tsprof(["line", join(dir, "main.mts")], { cwd: dir, env: { TSPROF_CACHE_DIR: join(dir, "cache"), ...env } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^8$/m);
    assert.match(r.stdout, /Function: work at line 1/);
    return Number(/threads (\d+)/.exec(r.stdout)![1]);
  };
  const inThread = typeof (require("node:module") as { registerHooks?: unknown }).registerHooks === "function";
  // TSPROF_HOOKS=thread keeps Node's loader thread even where registerHooks exists (with it, libuv's
  // pool threads for its asynchronous file reads).
  const [own, loader] = [threads({}), threads({ TSPROF_HOOKS: "thread" })];
  if (inThread) assert.ok(own < loader, `${own} threads in-thread, ${loader} with the loader thread`);
  else assert.equal(own, loader);
});

test("V8's code cache for tsprof's own modules where Node has one (22.1+), in tsprof's cache folder; never for the profiled program", () => {
  const dir = program({ "main.ts": 'console.log("program cache: " + (require("node:module").getCompileCacheDir?.() ?? "none"));\n' });
  const cache = join(dir, "cache");
  const r = tsprof(["line", join(dir, "main.ts")], { cwd: dir, env: { TSPROF_CACHE_DIR: cache } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /program cache: none/);
  const nodeHasIt = typeof (require("node:module") as { enableCompileCache?: unknown }).enableCompileCache === "function";
  assert.equal(existsSync(join(cache, "v8")), nodeHasIt);
});

test("the handover gives the parent's code only for the same file, format and source text", () => {
  const dir = tempDir();
  const index = writeHandover(dir, [{ file: "/p/a.ts", format: "commonjs", source: "const a = 1;\n", code: "var a = 1;\n" }]);
  assert.equal(handedOver(index, "/p/a.ts", "commonjs", "const a = 1;\n"), "var a = 1;\n");
  assert.equal(handedOver(index, "/p/a.ts", "commonjs", "const a = 2;\n"), null, "edited after launch");
  assert.equal(handedOver(index, "/p/a.ts", "commonjs", "const a = 1;\n\n"), null);
  assert.equal(handedOver(index, "/p/a.ts", "module", "const a = 1;\n"), null);
  assert.equal(handedOver(index, "/p/b.ts", "commonjs", "const a = 1;\n"), null);
  assert.equal(handedOver(null, "/p/a.ts", "commonjs", "const a = 1;\n"), null);
});

// Which of tsprof's modules a fresh process holds after requiring `what` (paths under the repository).
function modulesLoadedBy(what: string): string[] {
  const code = `require(${JSON.stringify(what)});\nconsole.log(JSON.stringify(Object.keys(require.cache)));`;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", cwd: ROOT });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as string[]).map((k) => k.slice(ROOT.length + 1).replace(/\\/g, "/"));
}

test("tsprof's own process starts the program without the instrumenter, the child side, the result builder or the source-map codec", () => {
  const unwanted = /runner\/dist\/(instrument[^/]*|child|sampler|source-lines|map-profile|watchdog)\.js$|line\/dist\/build-result\.js$|@jridgewell/;
  for (const entry of [join(ROOT, "packages", "runner", "dist", "launch.js"), join(ROOT, "cli", "dist", "commands", "line.js")]) {
    const loaded = modulesLoadedBy(entry);
    assert.ok(loaded.includes("packages/runner/dist/run-child.js"), loaded.join(", "));
    assert.deepEqual(loaded.filter((m) => unwanted.test(m)), [], entry);
  }
});

test("the line collector's save path (result builder, profile mapper) loads only parts of @tsprof/core, never its index", () => {
  const loaded = modulesLoadedBy(join(ROOT, "packages", "line", "dist", "threads.js"));
  assert.ok(loaded.includes("packages/line/dist/build-result.js"), loaded.join(", "));
  assert.ok(loaded.includes("packages/runner/dist/original-positions.js"), loaded.join(", "));
  assert.deepEqual(loaded.filter((m) => m.endsWith("core/dist/index.js")), []);
});

test("the profiled process saves its result without loading node:crypto (the temp name's random bytes come from /dev/urandom)", { skip: process.platform === "win32" }, () => {
  // The collector's exit handler is installed before the program's, so this one runs after the save.
  const atExit = 'process.on("exit", () => console.log("crypto at exit: " + process.moduleLoadList.includes("NativeModule crypto")));\n';
  const dir = program({ "main.ts": atExit + "/** @profile */\nfunction main(): number {\n  return 1;\n}\nmain();\n" });
  for (const args of [["line"], ["line", "--mode", "sample"], ["mem"]]) {
    const r = tsprof([...args, join(dir, "main.ts")], { cwd: dir, env: { TSPROF_CACHE_DIR: join(dir, "cache") } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /crypto at exit: false/, `${args.join(" ")}: ${r.stdout}`);
    // The tables printed: the child saved its result.
    assert.match(r.stdout, args[0] === "mem" ? /Increment/ : /Timer unit:/, `${args.join(" ")}: ${r.stdout}`);
  }
});
