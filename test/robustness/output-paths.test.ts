/**
 * Every command that writes a file x every way its output path can be wrong: a missing folder, a
 * folder, a file used as a folder, a place this user cannot write, a name ending in "/". The path is
 * checked before anything runs: exit 1 and one line naming the option, never "internal error" (70),
 * never a stack trace, and nothing printed as if the run had happened. Then a full disk in the middle
 * (a file size limit): the tables still come, then one line and exit 1, and no temp file is left.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, fixture, tempDir, tsprof } from "../helpers/cli";
import { assertNoTrace, assertOneLine, tsprofWithFileLimit } from "./helpers";

let dir: string;
let result: string;
before(() => {
  dir = tempDir();
  result = join(dir, "counters.json");
  const r = tsprof(["perf", "parse", "-o", result, fixture("perf", "vm-no-pmu-csv-r3.txt")]);
  assert.equal(r.code, 0, r.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Each writer: the option as the user spells it, and the argv that puts `out` there. */
const WRITERS: Array<{ name: string; flag: RegExp; args: (out: string) => string[] }> = [
  { name: "line --json", flag: /--json/, args: (o) => ["line", "--json", o, fixture("line", "profileme.ts")] },
  { name: "line --cpuprofile", flag: /--cpuprofile/, args: (o) => ["line", "--cpuprofile", o, fixture("line", "profileme.ts")] },
  { name: "mem --json", flag: /--json/, args: (o) => ["mem", "--json", o, fixture("mem", "profileme.ts")] },
  { name: "mem --plot --json", flag: /--json/, args: (o) => ["mem", "--plot", "--json", o, fixture("mem", "profileme.ts")] },
  { name: "mem --plot -o", flag: /--output/, args: (o) => ["mem", "--plot", "-o", o, fixture("mem", "recordings", "alloc-complete.mem.jsonl")] },
  { name: "perf -o", flag: /--output/, args: (o) => ["perf", "-o", o, "--no-simulate", "--", "true"] },
  { name: "perf parse -o", flag: /--output/, args: (o) => ["perf", "parse", "-o", o, fixture("perf", "vm-no-pmu-csv.txt")] },
  { name: "perf --compare -o", flag: /--output/, args: (o) => ["perf", "--compare", "-o", o, fixture("line", "empty.js"), fixture("line", "empty.js")] },
  { name: "dashboard --json", flag: /--json/, args: (o) => ["dashboard", "--headless", "--sizes", "8", "--iterations", "1", "--json", o] },
  { name: "show -o", flag: /--output/, args: (o) => ["show", "-o", o, result] },
];

/** Each fault: a path this command must refuse before running. */
const FAULTS: Array<{ name: string; path: () => string }> = [
  { name: "missing folder", path: () => join(dir, "no", "such", "folder", "out.json") },
  { name: "a folder", path: () => dir },
  { name: "a file as a folder", path: () => join(result, "out.json") },
  { name: "name ending in /", path: () => join(dir, "sub") + "/" },
  // Root ignores permission bits: /proc refuses new files even to root; others get a read-only folder.
  {
    name: "unwritable folder",
    path: () => {
      if (process.getuid?.() === 0) return "/proc/tsprof-out.json";
      const ro = join(dir, "read-only");
      mkdirSync(ro, { recursive: true, mode: 0o555 });
      return join(ro, "out.json");
    },
  },
];

for (const writer of WRITERS) {
  test(`${writer.name}: every bad output path is one line and exit 1, before the run`, () => {
    for (const fault of FAULTS) {
      const out = fault.path();
      const r = tsprof(writer.args(out), { timeoutMs: 60_000 });
      assertOneLine(r, 1, `${writer.name} onto ${fault.name} (${out})`, writer.flag);
      // Checked before the run: no table, no recording line, no study.
      assert.equal(r.stdout.trim(), "", `${writer.name} onto ${fault.name} ran anyway: ${r.stdout.slice(0, 200)}`);
    }
  });
}

test("a full disk while saving (file size limit): the tables come, then one line, exit 1, no temp file left", () => {
  const out = join(dir, "full", "big.json");
  mkdirSync(join(dir, "full"));
  const r = tsprofWithFileLimit(2, ["perf", "parse", "-o", out, fixture("perf", "vm-no-pmu-csv-r3.txt")]);
  assertOneLine(r, 1, "perf parse -o under a 2 KiB file size limit", /cannot write .*big\.json: (EFBIG|ENOSPC)/);
  assert.match(r.stdout, /Counters read from/, "the tables were lost");
  assert.deepEqual(readdirSync(join(dir, "full")), [], "a partial or temp file was left behind");
});

test("show -o under a full disk: one line, exit 1, the old file untouched", () => {
  const out = join(dir, "old.txt");
  writeFileSync(out, "old\n");
  const r = tsprofWithFileLimit(1, ["show", "-o", out, result]);
  assertOneLine(r, 1, "show -o under a 1 KiB limit", /cannot write/);
  assert.equal(readFileSync(out, "utf8"), "old\n");
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith(".tmp")), []);
});

test("line under a full disk: the child's save fails in one line, no stack trace", () => {
  const r = tsprofWithFileLimit(1, ["line", fixture("line", "profileme.ts")]);
  assertNoTrace(r.stderr, r.stderr);
  assert.ok(!/internal error/.test(r.stderr), r.stderr);
  assert.notEqual(r.code, 0, "a lost profile must not exit 0");
  assert.ok(r.code !== 70, r.stderr);
});

test("/dev/stdout (a pipe or a file), /dev/null and a user's symlink are written through, never replaced", () => {
  const input = fixture("perf", "vm-no-pmu-csv.txt");
  const piped = tsprof(["perf", "parse", "-o", "/dev/stdout", input]);
  assert.equal(piped.code, 0, piped.stderr);
  assert.match(piped.stdout, /Counters read from[\s\S]*"kind": "counters"/);
  // stdout redirected to a file: the JSON is appended after the tables, the file is not swapped.
  const file = join(dir, "stdout.txt");
  const fd = openSync(file, "w");
  const r = spawnSync(process.execPath, [BIN, "perf", "parse", "-o", "/dev/stdout", input], { stdio: ["ignore", fd, "pipe"], encoding: "utf8" });
  closeSync(fd);
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(file, "utf8"), /Counters read from[\s\S]*"kind": "counters"/);
  assert.ok(lstatSync("/dev/stdout").isSymbolicLink(), "/dev/stdout was replaced");
  const n = tsprof(["perf", "parse", "-o", "/dev/null", input]);
  assert.equal(n.code, 0, n.stderr);
  assert.ok(lstatSync("/dev/null").isCharacterDevice(), "/dev/null was replaced");
  // A link the user made to their own file: the file gets the result, the link stays a link.
  const target = join(dir, "target.json");
  const link = join(dir, "link.json");
  writeFileSync(target, "old");
  symlinkSync(target, link);
  const l = tsprof(["perf", "parse", "-o", link, input]);
  assert.equal(l.code, 0, l.stderr);
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.match(readFileSync(target, "utf8"), /"kind": "counters"/);
});
