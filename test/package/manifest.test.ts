/**
 * The published `tsprof` declares every npm dependency of the workspaces it bundles (with the same
 * range), and bundles every workspace it depends on: a dependency added to packages/<x> but not to
 * cli/package.json would be missing from a user's install. Fast; install.test.ts checks for real.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../helpers/cli";

test("cli/package.json covers the bundled workspaces' dependencies", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "cli", "scripts", "bundle-workspaces.js"), "check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});
