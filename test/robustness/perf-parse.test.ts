/**
 * `perf parse` against what is not perf output: random bytes (seeded), every real fixture cut at
 * random points, text with terminal escapes, endless input (/dev/zero), and cachegrind summaries
 * with counts missing or impossible. In process for the many inputs (fast), through the CLI for the
 * few that test the command's own promises: exit 2 and one line, bounded memory, no made-up ratio.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { countersFromText, binaryProblem, renderCounters } from "@tsprof/perf";
import { fixture, tempDir, tsprof } from "../helpers/cli";
import { assertOneLine, prng } from "./helpers";

const FIXTURES = [fixture("perf"), fixture("perf", "collected")].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => /\.(txt|csv|json|out)$/.test(f) && !/^(README|ORIGIN|SOURCES)/.test(f))
    .map((f) => join(dir, f)),
);

function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/** Every miss rate a result holds is a percentage in 0..100 or null: never 200% misses. */
function assertRatesSane(result: unknown, what: string): void {
  const walk = (v: unknown, path: string): void => {
    if (v === null || typeof v !== "object") return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (/MissPct$/.test(k) && typeof x === "number") assert.ok(x >= 0 && x <= 100, `${what}: ${path}.${k} = ${x}`);
      walk(x, `${path}.${k}`);
    }
  };
  walk(result, "result");
}

test("random bytes are never read as counters (200 seeded inputs, in process)", () => {
  const rand = prng(20261201);
  let accepted = 0;
  for (let i = 0; i < 200; i++) {
    const bytes = randomBytes(rand, 1 + Math.floor(rand() * 4096));
    const text = bytes.toString("utf8");
    const { counted } = countersFromText(text, { label: `random-${i}`, command: [] });
    if (counted) accepted++;
  }
  assert.equal(accepted, 0, `${accepted} of 200 random inputs were accepted as counters`);
});

test("random printable junk and truncated real files: never a throw, never a rate outside 0..100%", () => {
  const rand = prng(7);
  let inputs = 0;
  for (const file of FIXTURES) {
    const text = readFileSync(file, "utf8");
    for (let k = 0; k < 8; k++) {
      const cut = text.slice(0, Math.floor(rand() * (text.length + 1)));
      const { result } = countersFromText(cut, { label: file, command: [] });
      assertRatesSane(result, `${file} cut at ${cut.length}`);
      renderCounters(result);
      inputs++;
    }
  }
  assert.ok(inputs >= FIXTURES.length * 8);
});

test("binaryProblem: text passes, NUL bytes and undecodable bytes do not", () => {
  assert.equal(binaryProblem(readFileSync(fixture("perf", "vm-no-pmu-csv.txt"), "utf8")), null);
  assert.match(binaryProblem("cycles\u0000,1") ?? "", /binary/);
  assert.match(binaryProblem(Buffer.from([0xff, 0xfe, 0xfd, 0x41, 0x0a, 0xc3]).toString("utf8")) ?? "", /binary/);
});

test("a cachegrind summary with counts missing or impossible gives no ratio (was: 200% I1 misses)", () => {
  const out = [
    "desc: I1 cache: 32768 B, 64 B, 8-way associative",
    "cmd: node x.js",
    "events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw",
    "fl=a.js",
    "fn=f",
    "1 100 200",
  ];
  for (const summary of ["summary: 100 200", "summary: 100", "summary: 100 200 0 0 0 0 0 0 0", "summary:"]) {
    const { result, counted } = countersFromText([...out, summary, ""].join("\n"), { label: "short", command: [] });
    assertRatesSane(result, summary);
    const text = renderCounters(result);
    assert.ok(!/\b(1\d\d|[2-9]\d\d)\.\d+%/.test(text), `${summary}: ${text}`);
    if (summary !== "summary: 100 200 0 0 0 0 0 0 0") assert.equal(counted, false, `${summary} was read as a full count`);
  }
});

test("perf parse through the CLI: random bytes, junk, /dev/zero, a folder, a missing file: exit 2, one line", () => {
  const dir = tempDir();
  try {
    const rand = prng(99);
    const cases: Array<[string, string]> = [];
    for (let i = 0; i < 4; i++) {
      const f = join(dir, `random-${i}.bin`);
      writeFileSync(f, randomBytes(rand, 2000 + i * 1000));
      cases.push([`random bytes #${i}`, f]);
    }
    const junk = join(dir, "junk.txt");
    writeFileSync(junk, "hello world\nthis is not perf\n");
    cases.push(["plain text", junk], ["/dev/zero (endless)", "/dev/zero"], ["a folder", dir], ["a missing file", join(dir, "nope.txt")]);
    const empty = join(dir, "empty.txt");
    writeFileSync(empty, "");
    cases.push(["an empty file", empty]);
    for (const [what, file] of cases) {
      const r = tsprof(["perf", "parse", file], { timeoutMs: 60_000 });
      assertOneLine(r, 2, `perf parse of ${what}`);
      assert.equal(r.stdout, "", `${what}: printed a table`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("perf's bounds: -r 1e12, --i1 of 2^40 bytes are usage errors (exit 2)", () => {
  for (const args of [["-r", "1e12"], ["-r", "100000"], ["--i1", "1099511627776,8,64"], ["--ll", "99999999999M,16,64"]]) {
    const r = tsprof(["perf", ...args, "--", "true"]);
    assertOneLine(r, 2, `perf ${args.join(" ")}`);
  }
});
