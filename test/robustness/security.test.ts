/**
 * Another local user must not be able to make tsprof (perhaps run as root) write where they choose,
 * and a file must not be able to drive the terminal. Symlinks planted at every name a writer could
 * predict are never followed; output reaches the terminal without escape sequences.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { lstatSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkOutputPath, printable, printableDeep, printableLines, writeFileAtomic, writeResultFile, OutputError } from "@tsprof/core";
import { fixture, tempDir, tsprof } from "../helpers/cli";
import { assertOneLine } from "./helpers";

/** Plant symlinks to a victim file at every temp name a writer of `out` could predict from this process. */
function plantTraps(out: string, victim: string, pids: number[]): string[] {
  const names = new Set<string>();
  for (const pid of pids) {
    for (const name of [`${out}.${pid}.tmp`, `${out}.tmp`, `${out}~`, `${out}.new`, `${out}.${pid}`]) names.add(name);
  }
  for (const name of names) symlinkSync(victim, name);
  return [...names];
}

test("writeFileAtomic never follows a symlink planted at a predictable temp name", () => {
  const dir = tempDir();
  try {
    const victim = join(dir, "victim");
    writeFileSync(victim, "precious\n");
    const out = join(dir, "result.json");
    const traps = plantTraps(out, victim, [process.pid, process.pid + 1, process.ppid]);
    for (let i = 0; i < 20; i++) writeResultFile(out, { kind: "line", i });
    assert.equal(readFileSync(victim, "utf8"), "precious\n", "the victim was overwritten through a planted link");
    for (const t of traps) assert.ok(lstatSync(t).isSymbolicLink(), `${t} was replaced`);
    assert.equal(JSON.parse(readFileSync(out, "utf8")).i, 19);
    // Nothing but the traps, the victim and the result: no temp file left behind.
    assert.deepEqual(readdirSync(dir).sort(), [...traps.map((t) => t.slice(dir.length + 1)), "result.json", "victim"].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the CLI's result writers go through the same exclusive temp files (traps for a range of pids)", () => {
  const dir = tempDir();
  try {
    const victim = join(dir, "victim");
    writeFileSync(victim, "precious\n");
    const out = join(dir, "counters.json");
    // The child's pid is unknown in advance: cover the next few hundred the kernel may hand out.
    const base = process.pid;
    plantTraps(out, victim, Array.from({ length: 400 }, (_, i) => base + i));
    const r = tsprof(["perf", "parse", "-o", out, fixture("perf", "vm-no-pmu-csv.txt")]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(victim, "utf8"), "precious\n");
    assert.match(readFileSync(out, "utf8"), /"kind": "counters"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an output that is a symlink owned by another user is refused, not followed", { skip: process.getuid?.() !== 0 && "needs root to chown a link" }, () => {
  const dir = tempDir();
  try {
    const victim = join(dir, "victim");
    writeFileSync(victim, "precious\n");
    const out = join(dir, "out.json");
    symlinkSync(victim, out);
    require("node:fs").lchownSync(out, 12345, 12345);
    assert.throws(() => writeFileAtomic(out, "x"), (e: unknown) => e instanceof OutputError && /owned by another user/.test((e as Error).message));
    assert.equal(readFileSync(victim, "utf8"), "precious\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a failed write leaves the old file and no temp file", () => {
  const dir = tempDir();
  try {
    const out = join(dir, "x.json");
    writeFileSync(out, "old");
    assert.throws(() => writeFileAtomic(join(dir, "missing", "x.json"), "new"), OutputError);
    assert.throws(() => checkOutputPath(dir, "--json"), /--json .*: is a directory/);
    assert.deepEqual(readdirSync(dir), ["x.json"]);
    assert.equal(readFileSync(out, "utf8"), "old");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const ESCAPES = [
  "\x1b]0;owned\x07", // set the window title (OSC, BEL)
  "\x1b]2;owned\x1b\\", // the same, ST-terminated
  "\x1b[2J\x1b[H", // clear the screen, cursor home
  "\x1b[31;1m", // colour
  "\x1bc", // reset the terminal
  "\x9b2J", // C1 CSI
  "\x1bP1$qm\x1b\\", // DCS request
  "\r\b\x07\x00\x7f",
];

test("printable() removes every escape sequence and control character, and keeps the text", () => {
  for (const e of ESCAPES) {
    const s = printable(`cyc${e}les`);
    assert.ok(!/[\x00-\x1f\x7f-\x9f]/.test(s), JSON.stringify([e, s]));
    assert.ok(s.startsWith("cyc") && s.endsWith("les"), JSON.stringify([e, s]));
  }
  assert.equal(printableLines("a\tb\nc"), "a\tb\nc");
  assert.equal(printable("a\tb\nc"), "a b c");
  assert.equal(printable("µs ünïcode ✓"), "µs ünïcode ✓");
  assert.deepEqual(printableDeep({ a: ["x\x1b[2Jy", 1, null], b: { c: "\x1b]0;t\x07z" } }), { a: ["xy", 1, null], b: { c: "z" } });
});

test("tsprof show and perf parse never print an escape sequence from the file", () => {
  const dir = tempDir();
  try {
    const saved = join(dir, "counters.json");
    assert.equal(tsprof(["perf", "parse", "-o", saved, fixture("perf", "vm-no-pmu-csv.txt")]).code, 0);
    const result = JSON.parse(readFileSync(saved, "utf8"));
    // Hostile strings in every field a renderer prints: the label, an event name, notes.
    result.label = `evil${ESCAPES[0]}label`;
    const evil = `cyc${ESCAPES[2]}les`;
    result.counters[evil] = { ...result.counters.cycles, event: evil, status: "counted", value: 1000 };
    result.notes = [`note${ESCAPES[1]}`];
    const hostile = join(dir, "hostile.json");
    writeFileSync(hostile, JSON.stringify(result));
    for (const format of ["text", "markdown"]) {
      const r = tsprof(["show", "--format", format, hostile]);
      if (r.code !== 0) {
        // A schema may reject the name outright: then it must be one clean line.
        assertOneLine(r, 2, `show --format ${format} of a hostile result`);
        assert.ok(!/\x1b/.test(r.stderr));
        continue;
      }
      assert.ok(!/[\x1b\x07\x9b]/.test(r.stdout), `show --format ${format} printed an escape: ${JSON.stringify(r.stdout.slice(0, 300))}`);
    }
    const text = join(dir, "perf.txt");
    writeFileSync(text, ` Performance counter stats for 'x${ESCAPES[0]}':\n\n          1,000      cycles${ESCAPES[2]}\n          2,000      instructions\n`);
    const p = tsprof(["perf", "parse", text]);
    assert.ok(!/[\x1b\x07]/.test(p.stdout + p.stderr), JSON.stringify(p));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
