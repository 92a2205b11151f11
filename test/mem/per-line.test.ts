import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MemProfileResult, FunctionMemProfile, MemLineRecord } from "@tsprof/core";
import { tsprof, FIXTURES, BIN } from "./helpers";

const tmp = mkdtempSync(join(tmpdir(), "tsprof-"));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

type Profiled = { result: MemProfileResult; stdout: string; stderr: string; code: number | null };
/** Each distinct run once per file: "increments add up" reads the same two runs as the first two tests. */
const runs = new Map<string, Promise<Profiled>>();
function profile(script: string, extra: string[] = []): Promise<Profiled> {
  const key = JSON.stringify([script, extra]);
  if (!runs.has(key)) runs.set(key, profileNow(script, extra));
  return runs.get(key)!;
}

async function profileNow(script: string, extra: string[]): Promise<Profiled> {
  const json = join(tmp, `${script}-${extra.join("")}.json`);
  const run = await tsprof(["mem", ...extra, "--json", json, script]);
  const result = JSON.parse(readFileSync(json, "utf8")) as MemProfileResult;
  return { result, stdout: run.stdout, stderr: run.stderr, code: run.code };
}

function lineOf(fn: FunctionMemProfile, text: string): MemLineRecord {
  const row = fn.lines.find((l) => l.source.includes(text));
  assert.ok(row, `no line containing ${text}`);
  return row;
}

const within10 = (value: number, expected: number) =>
  assert.ok(Math.abs(value - expected) <= Math.abs(expected) * 0.1, `${value} not within 10% of ${expected}`);

test("a known allocation: new Float64Array(4 Mi) shows +32 MiB heap, its fill +32 MiB RSS", async () => {
  const { result, code, stdout } = await profile("profileme.ts");
  assert.equal(code, 0);
  assert.equal(result.kind, "mem");
  const fn = result.functions.find((f) => f.name === "profileWrapper")!;
  assert.equal(fn.calls, 1);
  within10(lineOf(fn, "new Float64Array").heapIncrementMiB, 32);
  within10(lineOf(fn, "x.fill(1.0)").rssIncrementMiB, 32);
  // The text table has the layout and the row.
  assert.match(stdout, /Line # {4}RSS usage {4}Increment {4}Heap used {4}Increment  Occurrences  Line Contents/);
  assert.match(stdout, /^ +7 +[\d.]+ MiB +[\d.-]+ MiB +[\d.]+ MiB +3[12]\.\d{3} MiB +1 {2}\s+let x: Float64Array/m);
  assert.match(stdout, /Heap = V8 heap used \+ external/);
});

test("--gc: the release shows on the line that drops the array (the slides' del x)", async () => {
  const { result } = await profile("profileme.ts", ["--gc"]);
  assert.equal(result.gc, true);
  const fn = result.functions[0];
  const drop = lineOf(fn, "x = null");
  within10(drop.heapIncrementMiB, -32);
  within10(drop.rssIncrementMiB, -32);
  within10(lineOf(fn, "new Float64Array").heapIncrementMiB, 32);
  // Nothing else moves by more than a MiB.
  for (const row of fn.lines) {
    if (row.source.includes("x = null") || row.source.includes("Float64Array(") || row.source.includes("fill")) continue;
    assert.ok(Math.abs(row.heapIncrementMiB) < 1, `${row.line}: ${row.heapIncrementMiB}`);
  }
});

test("increments add up to the total change over the call", async () => {
  for (const extra of [[], ["--gc"]]) {
    const { result } = await profile("profileme.ts", extra);
    const fn = result.functions[0];
    const ran = fn.lines.filter((l) => l.occurrences > 0);
    const entry = ran[0];
    const last = ran[ran.length - 1];
    // One call, each line once. The function's own line holds the memory on entry and, as its
    // increment, the change up to the first statement; so the value on entry is its usage minus
    // that increment when it grew (else its usage), and entry + every increment = after the last line.
    const check = (usage: (l: MemLineRecord) => number, inc: (l: MemLineRecord) => number, what: string) => {
      const atEntry = usage(entry) - Math.max(0, inc(entry));
      const sum = ran.reduce((s, l) => s + inc(l), 0);
      assert.ok(Math.abs(atEntry + sum - usage(last)) < 1e-9, `${what}: ${atEntry} + ${sum} != ${usage(last)}`);
      // And the sum is the 32 MiB story, not noise: made (+32) and, with --gc, released (-32).
      return sum;
    };
    const heapSum = check((l) => l.heapMiB!, (l) => l.heapIncrementMiB, "heap");
    check((l) => l.rssMiB!, (l) => l.rssIncrementMiB, "rss");
    assert.ok(extra.length ? Math.abs(heapSum) < 1 : Math.abs(heapSum - 32) < 1, `heap total change ${heapSum}`);
  }
});

test("occurrences are exact in loops", async () => {
  const { result } = await profile("loops.ts");
  const fn = result.functions.find((f) => f.name === "nested")!;
  // nested(5, 3) called 4 times.
  assert.equal(fn.calls, 4);
  const occ = (text: string) => lineOf(fn, text).occurrences;
  assert.equal(occ("function nested"), 4);
  assert.equal(occ("let total = 0"), 4);
  assert.equal(occ("for (let i = 0"), 4 * 6); // 5 iterations + the final check
  assert.equal(occ("let j = 0"), 4 * 5);
  assert.equal(occ("while (j < cols)"), 4 * 5 * 4);
  assert.equal(occ("total += i * j"), 4 * 5 * 3);
  assert.equal(occ("j++"), 4 * 5 * 3);
  // for-of header with its one-line body: a line start per check (3 iterations + 1), as line hits.
  assert.equal(occ("for (const v of"), 4 * 4);
  assert.equal(occ("return total"), 4);
  // Lines that are not statements never ran.
  for (const row of fn.lines.filter((l) => l.source.trim() === "}")) {
    assert.equal(row.occurrences, 0);
    assert.equal(row.rssMiB, null);
  }
});

test("allocation table: short-lived garbage in a profiled function is sampled and put on its line", async () => {
  const { result, stdout } = await profile("garbage.ts");
  const sites = result.allocations.filter((s) => s.functionName === "makeGarbage");
  assert.ok(sites.length > 0, "no allocation site for makeGarbage");
  const total = sites.reduce((s, a) => s + a.bytes, 0);
  // 200k objects of {a, b, c} (about 32+ bytes each) that die at once: several MiB sampled.
  assert.ok(total > 2 * 1048576, `${total} bytes`);
  const lineLevel = sites.filter((s) => s.lineLevel);
  assert.ok(lineLevel.length > 0);
  const top = lineLevel.sort((a, b) => b.bytes - a.bytes)[0];
  const source = readFileSync(join(FIXTURES, "garbage.ts"), "utf8").split("\n")[top.line - 1];
  assert.match(source, /const o = \{/);
  // Sampled: usually about 80%, but the rest of the loop's lines get a share of the samples whose
  // position V8 records one statement off, so only a clear plurality is asserted.
  assert.ok(top.bytes > 0.4 * total, `the allocating line has ${((100 * top.bytes) / total).toFixed(0)}% of the bytes`);
  assert.match(stdout, /Where the program allocates/);
});

test("exit codes and error paths: missing script 2, throw 1 with tables then the error, process.exit(n) n", async () => {
  const missing = await tsprof(["mem", "nope.ts"]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, "tsprof: cannot open script 'nope.ts': no such file\n");
  const none = await tsprof(["mem"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^tsprof: no script given/);
  const unknown = await tsprof(["mem", "--bogus", "loops.ts"]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr.trim().split("\n").length, 1);
  const plotOnly = await tsprof(["mem", "--output", "x.png", "loops.ts"]);
  assert.equal(plotOnly.code, 2);
  assert.match(plotOnly.stderr, /--output x.png: .mem. results have no .png. format \(available: text, json[^)]*\); a PNG needs --plot/);

  const threw = await tsprof(["mem", "throws.ts"]);
  assert.equal(threw.code, 1);
  assert.match(threw.stdout, /Function: failing at line 2/);
  // The allocation before the throw is in the table (8 MiB typed array).
  assert.match(threw.stdout, /^ +4 .* +[78]\.\d{3} MiB +1 +const kept = new Float64Array/m);
  assert.match(threw.stderr, /Error: boom from the fixture/);
  assert.doesNotMatch(threw.stderr, /packages\/mem|packages\/runner/);

  const exited = await tsprof(["mem", "exits.ts"]);
  assert.equal(exited.code, 3);
  assert.match(exited.stdout, /Function: leaving at line 2 \(1 call\)/);
  assert.match(exited.stdout, /^ +6 .* +1 +process\.exit\(3\);/m);
});

test("Ctrl-C in a busy loop: the tables so far are printed, exit 130", async () => {
  const { spawn } = require("node:child_process") as typeof import("node:child_process");
  const child = spawn(process.execPath, [BIN, "mem", join(FIXTURES, "long.ts")], {
    cwd: FIXTURES,
    detached: true, // its own process group, as a terminal's Ctrl-C reaches tsprof and the script
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stdout = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  // Wait until the loop runs (the fixture says so first), then a little more.
  const deadline = Date.now() + 60000;
  while (!stdout.includes("longRun started")) {
    if (Date.now() > deadline) throw new Error("the script never started");
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 500));
  const sent = Date.now();
  process.kill(-child.pid!, "SIGINT");
  const code = await exited;
  assert.equal(code, 130);
  assert.ok(Date.now() - sent < 10000, `exit ${Date.now() - sent} ms after Ctrl-C (the loop runs 20 s)`);
  assert.match(stdout, /Function: longRun at line 2 \(1 call\)/);
  // The loop ran (occurrences on its header) and its memory shows.
  assert.match(stdout, /^ +10 .* +\d+ +while \(Date\.now\(\) - spin < 50\)/m);
});

test("marking by --all and --module (no markers in the file); none at all says how to mark", async () => {
  for (const flags of [["--all"], ["--module", "unmarked.ts"]]) {
    const run = await tsprof(["mem", ...flags, "unmarked.ts"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Function: build at line 2 \(1 call\)/);
    // Header (1001 checks) and its one-line body (1000) share the line: 1001 line starts.
    assert.match(run.stdout, /^ +4 .* +1001 +for \(let i = 0; i < n; i\+\+\) out\.push\(i \* 2\);/m);
  }
  const none = await tsprof(["mem", "unmarked.ts"]);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /No profiled functions\. Mark one with/);
  const badModule = await tsprof(["mem", "--module", "missing.ts", "unmarked.ts"]);
  assert.equal(badModule.code, 2);
  assert.match(badModule.stderr, /--module 'missing\.ts': no such file/);
});
