/**
 * Which files are tsprof's own in the profiled process (left out of summaries and allocation
 * tables). tsprof's compilers are not: installed, `typescript` is the same hoisted copy a user's
 * program imports, and its frames must show when the user's code calls it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "../helpers/cli";

const child = require(join(ROOT, "packages", "runner", "dist", "child-helpers.js")) as {
  OWN_DIRS: string[];
  isOwnFile(file: string): boolean;
};

test("tsprof's packages and CLI are its own; typescript and esbuild are the user's to profile", () => {
  assert.ok(child.isOwnFile(join(ROOT, "packages", "runner", "dist", "register.js")));
  assert.ok(child.isOwnFile(join(ROOT, "packages", "line", "dist", "collector.js")));
  assert.ok(child.isOwnFile(join(ROOT, "cli", "dist", "api.js")));
  assert.ok(!child.isOwnFile(require.resolve("typescript")), "the user's typescript calls are profiled");
  assert.ok(!child.isOwnFile(require.resolve("esbuild")), "the user's esbuild calls are profiled");
  assert.equal(new Set(child.OWN_DIRS).size, child.OWN_DIRS.length, "no folder listed twice");
});
