/**
 * The loader without a run config (a plain run: perf's, the benchmark's baseline). Preloaded with
 * --require (loaderExecArgv({ esmHooks: false })), it installs only the require hook that compiles
 * TypeScript: no ES module hooks, so Node 20 starts no hooks thread. Preloaded with --import, the ES
 * module hooks are there. What tells them apart: an ES module import of "./lib.js" where only lib.ts
 * exists resolves only through tsprof's ES module hooks (Node's own type stripping does not map .js).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { programDir } from "../helpers/cli";
import { loaderExecArgv } from "@tsprof/runner";

const loader = (esmHooks: boolean) => loaderExecArgv({ esmHooks });

function runPlain(esmHooks: boolean): { stdout: string; stderr: string; status: number | null } {
  const dir = programDir({
    // main.js: CommonJS JavaScript, which the loader leaves as it is (no plan), so its import() reaches Node's ES module loader.
    "main.js": 'import("./lib.js").then((m) => console.log("imported " + m.value), (e) => console.log("not imported " + e.code));\nconsole.log("required " + require("./lib.js").value);\n',
    "lib.ts": "export const value: number = 42;\n",
  });
  const r = spawnSync(process.execPath, [...loader(esmHooks), join(dir, "main.js")], { encoding: "utf8", cwd: dir });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

test("plain run preloaded with --require: TypeScript compiles through require, no ES module hooks", () => {
  const r = runPlain(false);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^required 42$/m);
  assert.match(r.stdout, /^not imported ERR_MODULE_NOT_FOUND$/m);
});

test("plain run preloaded with --import: the ES module hooks resolve ./lib.js to lib.ts", () => {
  const r = runPlain(true);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^required 42$/m);
  assert.match(r.stdout, /^imported 42$/m);
});
