/**
 * Bad input and hostile environments: one line, the right exit code, never a stack trace, and
 * nothing left behind. Fast CLI invocations only (the suite runs on a 2-core machine).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixture, tempDir, tsprof } from "../helpers/cli";
import { assertOneLine } from "./helpers";

test("unknown help topic, unknown command, unknown option: one line, exit 2", () => {
  for (const args of [["help", "nosuch"], ["nosuch"], ["perf", "--nosuch"], ["line"], ["show"]]) {
    const r = tsprof(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.ok(!/Usage:|Commands:/.test(r.stdout + r.stderr), `${args.join(" ")} printed the whole help`);
    assert.ok(r.stderr.trim().split("\n").length <= 2, `${args.join(" ")}: ${r.stderr}`);
  }
});

test("TMPDIR missing or a file: one line naming TMPDIR, never a stack trace", () => {
  const dir = tempDir();
  try {
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    for (const tmp of [join(dir, "missing"), file]) {
      for (const args of [["line", fixture("line", "profileme.ts")], ["perf", "--no-simulate", "-r", "1", "--", "true"]]) {
        const r = tsprof(args, { env: { TMPDIR: tmp } });
        assertOneLine(r, 1, `${args[0]} with TMPDIR=${tmp}`, /TMPDIR|temporary/);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("HOME missing, a file, or unset: the run works (the compile cache is skipped), no stack trace", () => {
  const dir = tempDir();
  try {
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    for (const home of [join(dir, "missing"), file, ""]) {
      const cwd = join(dir, "cwd");
      mkdirSync(cwd, { recursive: true });
      const r = tsprof(["line", fixture("line", "profileme.ts")], { cwd, env: { HOME: home, XDG_CACHE_HOME: "", TSPROF_CACHE_DIR: "", TSPROF_CACHE: "1" } });
      assert.equal(r.code, 0, `HOME=${home}: ${r.stderr}`);
      // An empty XDG_CACHE_HOME is unset, never "" (which put a tsprof/ cache in the working folder).
      assert.deepEqual(readdirSync(cwd), [], `HOME=${home} left ${readdirSync(cwd).join(", ")} in the working folder`);
      assert.match(r.stdout, /Line #/);
      assert.ok(!/^\s+at /m.test(r.stderr), r.stderr);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a compile cache others can write is refused in one line and the run goes on uncached", { skip: process.platform === "win32" }, () => {
  const dir = tempDir();
  try {
    const cache = join(dir, "cache");
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    const r = tsprof(["line", fixture("line", "profileme.ts")], { env: { TSPROF_CACHE_DIR: cache, TSPROF_CACHE: "1" } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /not using the compile cache .*writable by/);
    assert.equal(r.stderr.trim().split("\n").length, 1, `more than one line: ${r.stderr}`);
    assert.deepEqual(readdirSync(cache), [], "an untrusted cache was written to");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a corrupted or replaced cache entry is recompiled, never run", () => {
  const dir = tempDir();
  try {
    const cache = join(dir, "cache");
    const env = { TSPROF_CACHE_DIR: cache, TSPROF_CACHE: "1" };
    assert.equal(tsprof(["line", fixture("line", "profileme.ts")], { env }).code, 0);
    const entries = readdirSync(cache).filter((n) => n.endsWith(".js"));
    assert.ok(entries.length > 0, "nothing was cached");
    const garbage = ['console.log("INJECTED")\n', "//tsprof-sha256:00\nconsole.log(\"INJECTED\")\n", "\u0000\u0001garbage"];
    for (const text of garbage) {
      for (const e of entries) writeFileSync(join(cache, e), text);
      const r = tsprof(["line", fixture("line", "profileme.ts")], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!/INJECTED/.test(r.stdout + r.stderr), `a tampered entry ran: ${JSON.stringify(text)}`);
      assert.match(r.stdout, /Line #/);
      // Recompiled and stored again with its hash.
      assert.match(readFileSync(join(cache, entries[0]), "utf8"), /^\/\/tsprof-sha256:[0-9a-f]{64}\n/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("dashboard: a module that cannot be loaded exits 2 in one line, like every other command's bad input", () => {
  const dir = tempDir();
  try {
    const syntax = join(dir, "syntax.ts");
    writeFileSync(syntax, "export const x = {\n");
    for (const module of [syntax, fixture("diffusion", "custom-throws-on-load.ts"), join(dir, "missing.ts"), dir]) {
      const r = tsprof(["dashboard", module, "--headless", "--sizes", "8", "--iterations", "1"], { timeoutMs: 60_000 });
      assertOneLine(r, 2, `dashboard ${module}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--module of a folder is never silent", () => {
  const dir = tempDir();
  try {
    const r = tsprof(["line", "--module", dir, fixture("line", "profileme.ts")]);
    assert.ok(r.code !== 0 || /--module|folder|directory/.test(r.stderr + r.stdout), `accepted silently: ${r.stderr}`);
    assert.ok(!/^\s+at /m.test(r.stderr), r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
