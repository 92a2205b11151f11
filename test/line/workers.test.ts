/**
 * `tsprof line` profiles the program's worker threads like its main thread: exact hits per thread,
 * tables and summary rows labelled with the thread, and a worker's counts survive it ending early
 * (process.exit, an uncaught error, worker.terminate(), the main thread exiting).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { existsSync } from "node:fs";
import type { FunctionLineProfile, LineProfileResult } from "@tsprof/core";
import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import Ajv from "ajv";
import { Profile } from "pprof-format";
import { toPprof, toSpeedscope } from "@tsprof/export";
import { renderLineProfile } from "@tsprof/line";
import { tsprof, fixture, tempDir, readJson } from "../helpers/cli";

const workers = (f: string) => fixture("line", "workers", f);
const SUM = workers("sum.ts");

function runLine(args: string[], script: string) {
  const out = join(tempDir(), "result.json");
  const run = tsprof(["line", "--json", out, ...args, script]);
  const result = existsSync(out) ? readJson<LineProfileResult>(out) : null;
  return { ...run, result };
}

/** The sumTo tables, one per thread, with the hits of their loop body (line 6). */
function sumTables(result: LineProfileResult | null): Array<{ thread: string; calls: number | null; body: number | null | undefined; table: FunctionLineProfile }> {
  return (result?.functions ?? [])
    .filter((f) => f.name === "sumTo" && f.file === SUM)
    .map((table) => ({ thread: table.thread ?? "", calls: table.calls, body: table.lines.find((l) => l.line === 6)?.hits, table }));
}

const hitsAt = (f: FunctionLineProfile, line: number) => f.lines.find((l) => l.line === line)?.hits;

const twoWorkersRuns = new Map<string, ReturnType<typeof runLine>>();
/** One run of the two-worker fixture per mode, shared by the tests that read it. */
function twoWorkers(mode: "hybrid" | "trace") {
  if (!twoWorkersRuns.has(mode)) twoWorkersRuns.set(mode, runLine(["--mode", mode], workers("two-workers.ts")));
  return twoWorkersRuns.get(mode)!;
}

for (const mode of ["hybrid", "trace"] as const) {
  test(`${mode}: a marked function run in the main thread and in two workers has exact hits per thread`, () => {
    const r = twoWorkers(mode);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^workers 2997 5995$/m);
    const tables = sumTables(r.result);
    assert.equal(tables.length, 3, r.stdout);
    const main = tables.find((t) => t.thread === "main");
    assert.ok(main, "the main thread's table is labelled main");
    assert.deepEqual([main.calls, main.body, hitsAt(main.table, 5)], [1, 10, 11]);
    const inWorkers = tables.filter((t) => t.thread !== "main").sort((a, b) => (a.body ?? 0) - (b.body ?? 0));
    assert.equal(inWorkers.length, 2);
    assert.notEqual(inWorkers[0].thread, inWorkers[1].thread);
    for (const t of inWorkers) assert.match(t.thread, /^worker \d+$/);
    assert.deepEqual(
      inWorkers.map((t) => [t.calls, hitsAt(t.table, 5), t.body, hitsAt(t.table, 8)]),
      [
        [1, 1001, 1000, 1],
        [1, 2001, 2000, 1],
      ],
    );
    // The text says which thread each table and each summary row ran on.
    for (const t of inWorkers) assert.match(r.stdout, new RegExp(`^Thread: ${t.thread}$`, "m"));
    assert.match(r.stdout, /^Thread: main$/m);
    // Summary rows too (its user rows: the 20 rows printed may all be the main thread's).
    const summary = renderLineProfile(r.result!, { color: false, skipZero: false, onlyUser: true });
    for (const t of inWorkers) assert.match(summary, new RegExp(`sum\\.ts:2\\(sumTo\\) \\[${t.thread}\\]$`, "m"));
    const rows = r.result!.summary.filter((row) => row.name === "sumTo");
    assert.deepEqual(rows.map((row) => row.thread).sort(), tables.map((t) => t.thread).sort());
    // Each worker saved its own CPU samples, kept per thread for the exports.
    assert.deepEqual(
      (r.result!.profiles ?? []).map((p) => p.thread).sort(),
      ["main", ...inWorkers.map((t) => t.thread)].sort(),
    );
    assert.doesNotMatch(r.stdout, /did not profile|main thread only/);
  });

  test(`${mode}: workers that exit, throw or are terminated keep their exact hits; an idle one saves its samples first`, () => {
    const r = runLine(["--mode", mode], workers("ends-early.ts"));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^exit: exit 3$/m);
    assert.match(r.stdout, /^throw: error worker gave up after 1197$/m);
    assert.match(r.stdout, /^terminate: exit 1$/m);
    assert.match(r.stdout, /^busy: exit 1$/m);
    const tables = sumTables(r.result).sort((a, b) => (a.body ?? 0) - (b.body ?? 0));
    assert.equal(tables.length, 4, r.stdout);
    assert.deepEqual(
      tables.slice(0, 3).map((t) => [t.calls, hitsAt(t.table, 5), t.body, hitsAt(t.table, 8)]),
      [
        [1, 301, 300, 1],
        [1, 401, 400, 1],
        [1, 501, 500, 1],
      ],
    );
    // Terminated in its loop of sumTo(600) calls: every call it started is counted. Usually inside a
    // call (one call more than returns); but where the termination lands is the scheduler's choice:
    // under load the worker can be stopped between two calls, even before its second one.
    const busy = tables[3];
    const returned = hitsAt(busy.table, 8)!;
    const calls = busy.calls!;
    assert.ok(returned >= 1 && (returned === calls || returned === calls - 1), `${returned} returns of ${calls} calls`);
    if (returned === calls) assert.equal(busy.body, 600 * calls, "every started call ran to its end");
    else assert.ok(busy.body! >= 600 * returned && busy.body! < 600 * calls, `body ${busy.body} of ${calls} calls, ${returned} returned`);
    // The worker terminated while idle saved its samples when asked; the busy one could not
    // answer: its samples are missing, and the output says so.
    assert.deepEqual(
      r.result!.notes.filter((n) => n.includes("terminated")),
      [`${busy.thread} ended without running its exit handlers (terminated): its hits are exact, its sampled times are missing`],
    );
    const sampled = (r.result!.profiles ?? []).map((p) => p.thread).sort();
    assert.deepEqual(sampled, ["main", ...tables.slice(0, 3).map((t) => t.thread)].sort());
  });
}

test("sample mode: each worker's CPU samples are kept under its thread; a busy terminated worker's are reported lost", () => {
  const r = runLine(["--mode", "sample"], workers("ends-early.ts"));
  assert.equal(r.code, 0, r.stderr);
  const threads = (r.result!.profiles ?? []).map((p) => p.thread);
  assert.equal(threads.filter((t) => t.startsWith("worker ")).length, 3, threads.join(", "));
  assert.ok(threads.includes("main"));
  assert.match(r.stdout, /^note: worker \d+ ended without running its exit handlers \(terminated\): its CPU samples were lost$/m);
  // Every table and summary row says its thread.
  for (const f of r.result!.functions) assert.match(f.thread ?? "", /^(main|worker \d+)$/);
  for (const row of r.result!.summary) assert.match(row.thread ?? "", /^(main|worker \d+)$/);
});

test("the main thread's process.exit ends a busy worker: its counts up to then are kept, and the exit code comes back", () => {
  const r = runLine([], workers("main-exits.ts"));
  assert.equal(r.code, 4, r.stderr);
  const [t] = sumTables(r.result);
  assert.ok(t, r.stdout);
  assert.match(t.thread, /^worker \d+$/);
  const calls = t.calls!;
  const returned = hitsAt(t.table, 8)!;
  assert.ok(calls >= 2, `calls ${calls}`);
  // The call in progress when the thread stopped has not returned.
  assert.ok(returned === calls || returned === calls - 1, `${returned} returns of ${calls} calls`);
  assert.ok(t.body! >= 100 * returned && t.body! <= 100 * calls, `body ${t.body}`);
  assert.ok(hitsAt(t.table, 5)! >= 101 * returned && hitsAt(t.table, 5)! <= 101 * calls);
});

test("a worker started with its own execArgv runs without tsprof's loader: one line says it was not profiled", () => {
  const r = runLine([], workers("own-execargv.ts"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^plain worker said 42$/m);
  assert.match(r.stdout, /^profiled worker said 147$/m);
  assert.equal(sumTables(r.result).length, 1);
  assert.match(r.stdout, /^note: the program started 1 worker thread that tsprof did not profile \(a worker started with its own execArgv or env does not load tsprof's loader\)/m);
});

test("exports keep each thread apart: speedscope has one valid profile per thread, pprof labels samples by thread", () => {
  const { result } = twoWorkers("hybrid");
  const threads = (result!.profiles ?? []).map((p) => p.thread);
  assert.equal(threads.length, 3, threads.join(", "));
  const doc = toSpeedscope(result!);
  const schemaPath = join(dirname(require.resolve("speedscope/package.json")), "dist", "release", "file-format-schema.json");
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(schemaPath, "utf8")));
  assert.ok(validate(JSON.parse(JSON.stringify(doc))), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.deepEqual(
    doc.profiles.map((p) => p.name),
    threads.map((t) => `CPU, ${t} thread`),
  );
  const profile = Profile.decode(gunzipSync(toPprof(result!)));
  const str = (i: number | bigint) => profile.stringTable.strings[Number(i)];
  const labelled = new Set(profile.sample.flatMap((s) => s.label.filter((l) => str(l.key) === "thread").map((l) => str(l.str))));
  assert.ok(labelled.has("main"));
  for (const t of labelled) assert.ok(threads.includes(t), t);
});

test("an ES module's worker started from a URL is profiled through the ESM hooks", () => {
  const r = runLine([], workers("esm-workers.mts"));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^main 10 worker 2100$/m);
  assert.doesNotMatch(r.stderr, /compiling/, "the worker's files were compiled before launch");
  const tables = sumTables(r.result).map((t) => [t.thread === "main" ? "main" : "worker", t.calls, t.body]);
  assert.deepEqual(tables.sort(), [
    ["main", 1, 5],
    ["worker", 1, 700],
  ]);
});

test("mem (no thread side) runs a program whose workers load marked code: the workers run unprofiled, never broken", () => {
  const r = tsprof(["mem", workers("two-workers.ts")]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^workers 2997 5995$/m);
  assert.doesNotMatch(r.stderr, /registerFile/);
  // ... and the output says so in one line instead of staying silent.
  assert.match(r.stdout + r.stderr, /the program started 2 worker threads; tsprof profiles the main thread only/);
});
