/**
 * The C reference is compiled on the user's machine at first use, into a private cache dir, and
 * reused from there; without a compiler it is skipped with one clear reason.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/cli";

const NATIVE = join(ROOT, "packages", "diffusion", "dist", "native.js");

/** ensureCReference() in a fresh process (it memoises per process) under the given environment. */
function ensure(env: NodeJS.ProcessEnv): { path: string | null; reason?: string } {
  const script = `process.stdout.write(JSON.stringify(require(${JSON.stringify(NATIVE)}).ensureCReference()))`;
  const r = spawnSync(process.execPath, ["-e", script], { env: { ...process.env, ...env }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function hasCompiler(): boolean {
  for (const cc of ["gcc", "cc", "clang"]) {
    if (spawnSync(cc, ["--version"]).status === 0) return true;
  }
  return false;
}

test("built at first use into $XDG_CACHE_HOME/tsprof (mode 0700), then reused", (t) => {
  if (!hasCompiler()) return t.skip("no C compiler on this machine");
  const xdg = mkdtempSync(join(tmpdir(), "tsprof-cache-"));
  try {
    const first = ensure({ XDG_CACHE_HOME: xdg, CC: "" });
    assert.ok(first.path, first.reason);
    assert.ok(first.path.startsWith(join(xdg, "tsprof") + "/"), first.path);
    assert.match(first.path, /diffusion-c-[0-9a-f]{16}$/);
    assert.equal(statSync(join(xdg, "tsprof")).mode & 0o777, 0o700);
    assert.equal(statSync(first.path).mode & 0o022, 0);
    const built = statSync(first.path).mtimeMs;
    const again = ensure({ XDG_CACHE_HOME: xdg, CC: "" });
    assert.equal(again.path, first.path);
    assert.equal(statSync(again.path!).mtimeMs, built, "reused, not rebuilt");
    // No staging folder left behind; the binary runs.
    assert.deepEqual(readdirSync(join(xdg, "tsprof")), [first.path.replace(/^.*\//, "")]);
    assert.match(execFileSync(first.path, ["8", "2", "0"], { encoding: "utf8" }), /^result \{/m);
  } finally {
    rmSync(xdg, { recursive: true, force: true });
  }
});

test("a cache dir writable by others, or a link, is refused (never run from)", (t) => {
  if (!hasCompiler()) return t.skip("no C compiler on this machine");
  const xdg = mkdtempSync(join(tmpdir(), "tsprof-cache-"));
  try {
    mkdirSync(join(xdg, "tsprof"));
    chmodSync(join(xdg, "tsprof"), 0o777);
    const open = ensure({ XDG_CACHE_HOME: xdg });
    assert.equal(open.path, null);
    assert.match(open.reason!, /^skipped: cache dir refused: .*tsprof is writable by others \(mode 777\)$/);
    rmSync(join(xdg, "tsprof"), { recursive: true });
    mkdirSync(join(xdg, "elsewhere"), { mode: 0o700 });
    symlinkSync(join(xdg, "elsewhere"), join(xdg, "tsprof"));
    const linked = ensure({ XDG_CACHE_HOME: xdg });
    assert.equal(linked.path, null);
    assert.match(linked.reason!, /is a symbolic link$/);
  } finally {
    rmSync(xdg, { recursive: true, force: true });
  }
});

test("without a C compiler: skipped: no C compiler", () => {
  const xdg = mkdtempSync(join(tmpdir(), "tsprof-cache-"));
  const emptyPath = mkdtempSync(join(tmpdir(), "tsprof-nopath-"));
  try {
    const r = ensure({ XDG_CACHE_HOME: xdg, PATH: emptyPath, CC: "" });
    assert.equal(r.path, null);
    assert.match(r.reason!, /^skipped: no C compiler/);
    assert.deepEqual(readdirSync(xdg), [], "nothing created without a compiler");
  } finally {
    rmSync(xdg, { recursive: true, force: true });
    rmSync(emptyPath, { recursive: true, force: true });
  }
});
