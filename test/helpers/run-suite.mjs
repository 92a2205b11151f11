#!/usr/bin/env node
/**
 * `npm test`: every test/**\/*.test.ts file, each in its own process (node:test's default), two
 * files at a time; then the files that must run alone, one by one. Exit status: failed if either
 * phase failed.
 *
 * Two at a time: most of a file's wall time is tsprof's child processes starting and the parent
 * waiting on them, so a second file fills the idle core. Every sampling assertion in the suite is
 * written to hold under much heavier load than a second file brings (it passes with the machine's
 * load average at 10-16 on 2 cores).
 * TSPROF_TEST_CONCURRENCY=1 runs everything one file at a time, as before.
 *
 * Alone, one by one after the others:
 *   - test/package/install.test.ts runs `npm pack ./cli`, which copies the workspaces into
 *     cli/node_modules/@tsprof for the packing: a CLI started meanwhile would load those copies;
 *   - the signal tests (lifecycle, hangs-leaks) stop runs at set moments (0.1 s into a function)
 *     and run two cases at a time themselves: a second file's load moves those moments.
 *
 * Arguments: test files to run instead of all (the same phases apply).
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/**
 * Started first, longest first (measured one file at a time): a long file started last would run
 * on alone at the end while the other core idles.
 */
const LONGEST = ["test/perf/cli.test.ts", "test/line/line.test.ts", "test/line/real.test.ts", "test/mem/per-line.test.ts", "test/mem/plot-cli.test.ts"];
const ALONE = new Set(["test/package/install.test.ts", "test/robustness/lifecycle.test.ts", "test/robustness/hangs-leaks.test.ts"]);

function testFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...testFiles(path));
    else if (entry.name.endsWith(".test.ts")) found.push(relative(ROOT, path));
  }
  return found;
}

function runFiles(files, concurrency) {
  if (files.length === 0) return 0;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...files], { cwd: ROOT, stdio: "inherit" });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

const asked = process.argv.slice(2).map((f) => relative(ROOT, resolve(f)));
const rank = (f) => (LONGEST.includes(f) ? LONGEST.indexOf(f) : LONGEST.length);
const files = (asked.length ? asked : testFiles(join(ROOT, "test"))).sort().sort((a, b) => rank(a) - rank(b));
const concurrency = Math.max(1, Number(process.env.TSPROF_TEST_CONCURRENCY ?? 2) || 1);
const together = runFiles(files.filter((f) => !ALONE.has(f)), concurrency);
const alone = runFiles(files.filter((f) => ALONE.has(f)), 1);
process.exit(together || alone);
