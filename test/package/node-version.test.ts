/** A Node older than tsprof supports is turned away by the launcher: one line, exit 2. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir } from "../helpers/cli";

const LAUNCHER = join(ROOT, "cli", "bin", "tsprof.js");

/** Runs the launcher with process.versions.node reading `version` (as an older Node would report). */
function launchAs(version: string, args: string[]) {
  const fake = join(tempDir(), "node-version.js");
  writeFileSync(fake, `Object.defineProperty(process.versions, "node", { value: ${JSON.stringify(version)} });\n`);
  return spawnSync(process.execPath, ["--require", fake, LAUNCHER, ...args], { encoding: "utf8" });
}

for (const version of ["18.20.8", "20.5.1", "16.0.0"]) {
  test(`Node ${version}: one line naming the supported versions, exit 2`, () => {
    const r = launchAs(version, ["line", "script.ts"]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `tsprof: Node ${version} is not supported; tsprof needs Node >=20.6 (Node 20, 22 and 24 are tested)\n`);
  });
}

test("Node 20.6 passes the gate (and engines says the same range)", () => {
  const r = launchAs("20.6.0", ["--version"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+\.\d+\.\d+/);
  const engines = JSON.parse(readFileSync(join(ROOT, "cli", "package.json"), "utf8")).engines.node;
  assert.equal(engines, ">=20.6");
});
