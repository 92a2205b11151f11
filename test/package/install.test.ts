/**
 * The published package, as a user gets it: `npm pack ./cli`, then `npm i --omit=optional` of that
 * one tarball into an empty project outside the repo (from npm's cache where it can), then tsprof
 * run from there. A file missing from the package, a dependency of a bundled workspace that
 * `tsprof` does not declare, or an optional part that is not optional fails here.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/cli";

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
let work = "";
let project = "";

/** npm's environment without what `npm test` put there (it would point a nested npm at this repo). */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("npm_") && !/^npm_config_(cache|registry|userconfig|globalconfig|nodedir)$/.test(key)) continue;
    if (key === "INIT_CWD") continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  // maxBuffer: a sample-mode run over a library prints its hottest functions' tables, which can pass
  // spawnSync's default 1 MiB (ENOBUFS, the run lost) depending on where the samples fall.
  const r = spawnSync(command, args, { cwd, env: cleanEnv(env), encoding: "utf8", timeout: 600_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}

/** The installed command, run the way `npx tsprof` runs it (node_modules/.bin). */
function tsprof(args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return run(process.execPath, [join(project, "node_modules", ".bin", "tsprof"), ...args], project, env);
}

before(() => {
  work = mkdtempSync(join(tmpdir(), "tsprof-install-"));
  const packed = run(NPM, ["pack", "./cli", "--json", "--pack-destination", work], ROOT);
  assert.equal(packed.status, 0, packed.stderr);
  const [{ filename }] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
  assert.ok(!existsSync(join(ROOT, "cli", "node_modules", "@tsprof")), "postpack removed the staged workspaces");
  project = join(work, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }));
  const installed = run(
    NPM,
    ["install", "--omit=optional", "--prefer-offline", "--no-audit", "--no-fund", join(work, filename)],
    project,
  );
  assert.equal(installed.status, 0, installed.stderr);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the tarball holds the runtime files and no prebuilt C binary", () => {
  const root = join(project, "node_modules", "tsprof", "node_modules", "@tsprof");
  for (const file of [
    "runner/dist/register.js",
    "runner/dist/hooks.mjs",
    "line/dist/line-worker.js",
    "mem/dist/heap-worker.js",
    "diffusion/dist/cell-child.js",
    "diffusion/dist/native/diffusion.wasm",
    "diffusion/c/diffusion.c",
    "dashboard/dist/variant-entry.js",
    // The dashboard's line pane maps the variants' compiled lines back to their TypeScript.
    "diffusion/dist/variants/diffusion/nested.js.map",
    "diffusion/src/variants/diffusion/nested.ts",
  ]) {
    assert.ok(existsSync(join(root, file)), `${file} is in the package`);
  }
  // In the installed layout too, a compiled line leads to its .ts line.
  const nestedJs = join(root, "diffusion", "dist", "variants", "diffusion", "nested.js");
  const evolveAt = readFileSync(nestedJs, "utf8").split("\n").findIndex((l) => l.startsWith("function evolve(")) + 1;
  const origins = `new (require(${JSON.stringify(join(root, "dashboard", "dist", "original-lines.js"))}).CompiledFileOrigins)()`;
  const mapped = run(process.execPath, ["-e", `process.stdout.write(JSON.stringify(${origins}.original(${JSON.stringify(nestedJs)}, ${evolveAt})))`], project);
  const evolveTs = readFileSync(join(root, "diffusion", "src", "variants", "diffusion", "nested.ts"), "utf8").split("\n").findIndex((l) => l.startsWith("export function evolve(")) + 1;
  assert.deepEqual(JSON.parse(mapped.stdout || "null"), { file: join(root, "diffusion", "src", "variants", "diffusion", "nested.ts"), line: evolveTs }, mapped.stderr);
  assert.ok(!existsSync(join(root, "diffusion", "dist", "native", "diffusion-c")), "no -march=native binary ships");
  assert.ok(!existsSync(join(project, "node_modules", "v8-profiler-next")), "--omit=optional left the addon out");
});

test("tsprof line runs an ESM TypeScript script that imports { profile } from tsprof", () => {
  writeFileSync(
    join(project, "squares.ts"),
    `import { profile } from "tsprof";
const squares = profile((n: number): number => {
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += i * i;
  }
  return total;
});
console.log(squares(1000));
`,
  );
  const r = tsprof(["line", "squares.ts"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^332833500$/m);
  assert.match(r.stdout, /Function: squares at line 2 \(1 call\)/);
  assert.match(r.stdout, /^\s+4\s+1001\s/m, "the loop header counted n + 1 times");
  assert.match(r.stdout, /^\s+5\s+1000\s/m, "the body n times");
  // The missing optional addon: one whole line, the fallback and what to install.
  assert.match(r.stdout, /note: V8 sampling through node:inspector: v8-profiler-next is not installed \(optional; .*npm install v8-profiler-next.*\)$/m);
});

test("a user's own calls into typescript (the copy tsprof also depends on) show in the summary", () => {
  writeFileSync(
    join(project, "transpile.ts"),
    `import ts from "typescript";
let out = 0;
for (let i = 0; i < 40; i++) out += ts.transpileModule(\`export const f\${i} = (x: number): number => x * \${i};\`, {}).outputText.length;
console.log(out > 0);
`,
  );
  const json = join(work, "transpile.json");
  const r = tsprof(["line", "--mode", "sample", "--json", json, "transpile.ts"]);
  assert.equal(r.status, 0, r.stderr);
  const frames = JSON.stringify((JSON.parse(readFileSync(json, "utf8")) as { profiles: unknown }).profiles);
  // Forty transpiles take tens of milliseconds at least: V8 samples inside them every time.
  assert.match(frames, /node_modules\/typescript\/lib\/typescript\.js/, "typescript's frames are the user's, not tsprof's");
});

test("types and runtime of `tsprof` from ESM and CommonJS, checked by tsc with a real tsconfig", () => {
  writeFileSync(join(project, "typed.mts"), `import { profile } from "tsprof";\nexport const f: (n: number) => number = profile((n: number) => n + 1);\n`);
  writeFileSync(join(project, "typed.cts"), `import { profile } from "tsprof";\nexport const g: (s: string) => string = profile((s: string) => s);\n`);
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, noEmit: true, types: [] }, files: ["typed.mts", "typed.cts"] }),
  );
  const tsc = run(process.execPath, [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", "."], project);
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  const esm = run(process.execPath, ["--input-type=module", "-e", `import { profile } from "tsprof"; process.stdout.write(String(profile(Math.max) === Math.max));`], project);
  assert.equal(esm.stdout, "true", esm.stderr);
  const cjs = run(process.execPath, ["-e", `process.stdout.write(String(require("tsprof").profile(Math.max) === Math.max))`], project);
  assert.equal(cjs.stdout, "true", cjs.stderr);
});

test("tsprof perf parse reads a perf stat file", () => {
  copyFileSync(join(ROOT, "fixtures", "perf", "book-example-6-08-human.txt"), join(project, "stat.txt"));
  const r = tsprof(["perf", "parse", "stat.txt"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /seconds time elapsed/);
  assert.match(r.stdout, /note: perf measured 'python diffusion_python_memory\.py'/);
});

test("tsprof dashboard --headless runs pure, wasm and C variants; the C one built into the user's cache", () => {
  const cache = join(work, "cache");
  const json = join(project, "study.json");
  // --causes jit: the slow measurements' code runs from the package (the JIT log, mapped back to the
  // variants' shipped sources, is checked below). Not cachegrind: it took minutes here, and a failed
  // simulation is a note in the result, never a failed run, so it proved nothing in this test.
  const r = tsprof(
    ["dashboard", "--headless", "--sizes", "16", "--iterations", "3", "--variants", "nested,wasm-simd,c-reference", "--causes", "jit", "--json", json],
    { XDG_CACHE_HOME: cache },
  );
  assert.equal(r.status, 0, r.stderr);
  const study = JSON.parse(readFileSync(json, "utf8")) as {
    results: Array<{ variant: string; seconds: number | null; checksum: number | null }>;
    jit?: Array<{ variant: string; functions: unknown[] }>;
  };
  const byVariant = new Map(study.results.map((row) => [row.variant, row]));
  for (const variant of ["nested", "wasm-simd"]) assert.ok((byVariant.get(variant)?.seconds ?? 0) > 0, `${variant} ran: ${r.stdout}`);
  const nestedJit = study.jit?.find((j) => j.variant === "nested");
  assert.ok(nestedJit && nestedJit.functions.length > 0, `the JIT log of nested, from the installed package: ${JSON.stringify(study.jit)?.slice(0, 300)}`);
  const compiler = ["gcc", "cc", "clang"].some((cc) => spawnSync(cc, ["--version"]).status === 0);
  if (compiler) {
    assert.ok((byVariant.get("c-reference")?.seconds ?? 0) > 0, `c-reference ran: ${r.stdout}`);
    assert.ok(existsSync(join(cache, "tsprof")), "built into $XDG_CACHE_HOME/tsprof");
    assert.equal(byVariant.get("c-reference")!.checksum, byVariant.get("nested")!.checksum);
  }
});

test("tsprof mem --plot without canvas: the terminal chart and one line saying what to install", () => {
  writeFileSync(join(project, "alloc.js"), `const keep = []; for (let i = 0; i < 50; i++) keep.push(new Array(20000).fill(i)); console.log(keep.length);\n`);
  const r = tsprof(["mem", "--plot", "alloc.js"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /MiB +[┤┼]/);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /^tsprof: terminal chart instead of a PNG: canvas is not installed \(optional; .*npm install canvas chartjs-node-canvas/);
});
