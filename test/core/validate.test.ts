import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ResultFileError, resultFromJSON, SCHEMA_VERSION, type LineProfileResult } from "@tsprof/core";
import { fixture } from "../helpers/cli";

const LINE: LineProfileResult = {
  kind: "line",
  schemaVersion: SCHEMA_VERSION,
  command: ["line", "x.ts"],
  startedAt: "2026-11-21T08:00:00.000Z",
  exitCode: 0,
  signal: null,
  mode: "hybrid",
  timerUnit: 1e-6,
  sampler: "inspector",
  samplingIntervalUs: 250,
  durationNs: 1000,
  functions: [
    { name: "f", file: "/x.ts", line: 1, calls: 1, totalNs: 10, lines: [{ line: 2, hits: 3, timeNs: 10, source: "  x++;" }] },
  ],
  summary: [{ name: "f", file: "/x.ts", line: 1, ncalls: 1, tottimeNs: 10, cumtimeNs: 10 }],
  notes: [],
};

const load = (...parts: string[]) => JSON.parse(readFileSync(fixture(...parts), "utf8"));
const BASES: Record<string, () => any> = {
  line: () => structuredClone(LINE),
  study: () => load("diffusion", "study-small.json"),
  mem: () => load("mem", "results", "garbage.json"),
  counters: () => load("dashboard", "perf-fused-128-cachegrind.json"),
};

/** Each case: a base result, a change that breaks it, and what the one-line message must say. */
const CASES: Array<{ name: string; base?: string; text?: string; change?: (r: any) => unknown; message: RegExp }> = [
  { name: "not JSON", text: "{kind: line", message: /not a tsprof result \(invalid JSON/ },
  { name: "a JSON array", text: "[1, 2]", message: /a JSON array, expected an object/ },
  { name: "a number", text: "42", message: /expected a JSON object/ },
  { name: "null", text: "null", message: /expected a JSON object/ },
  { name: "no kind", text: '{"schemaVersion": 1}', message: /no "kind" field/ },
  { name: "kind toString (a prototype name)", text: '{"kind":"toString"}', message: /unknown kind "toString"/ },
  { name: "kind __proto__", text: '{"kind":"__proto__","schemaVersion":1}', message: /unknown kind "__proto__"/ },
  { name: "kind a number", text: '{"kind": 3}', message: /no "kind" field/ },
  { name: "another schema version", change: (r) => (r.schemaVersion = 99), message: /schema version 99 is not supported/ },
  { name: "schema version missing", change: (r) => delete r.schemaVersion, message: /schema version undefined is not supported/ },
  { name: "line: functions missing", change: (r) => delete r.functions, message: /at functions: expected array, received undefined/ },
  { name: "line: functions an object", change: (r) => (r.functions = {}), message: /at functions: expected array, received object/ },
  { name: "line: hits a string", change: (r) => (r.functions[0].lines[0].hits = "3"), message: /at functions\[0\]\.lines\[0\]\.hits: expected number, received string/ },
  { name: "line: line number fractional", change: (r) => (r.functions[0].lines[0].line = 2.5), message: /at functions\[0\]\.lines\[0\]\.line: expected int/ },
  { name: "line: unknown mode", change: (r) => (r.mode = "fast"), message: /at mode: expected one of "hybrid"\|"trace"\|"sample"/ },
  { name: "line: timer unit zero", change: (r) => (r.timerUnit = 0), message: /at timerUnit: Too small/ },
  { name: "line: command a string", change: (r) => (r.command = "line x.ts"), message: /at command: expected array, received string/ },
  { name: "line: notes of numbers", change: (r) => (r.notes = [1]), message: /at notes\[0\]: expected string, received number/ },
  { name: "line: summary row null", change: (r) => (r.summary = [null]), message: /at summary\[0\]: expected object, received null/ },
  { name: "line: exitCode a string", change: (r) => (r.exitCode = "0"), message: /at exitCode: expected number, received string/ },
  { name: "line: error not a string", change: (r) => (r.error = { message: "x" }), message: /at error: expected string, received object/ },
  { name: "study: results an object", base: "study", change: (r) => (r.results = { a: 1 }), message: /invalid study result at results: expected array/ },
  { name: "study: unknown status", base: "study", change: (r) => (r.results[0].status = "maybe"), message: /at results\[0\]\.status: expected one of "ok"\|"failed"\|"unavailable"\|"timed-out"/ },
  { name: "study: seconds a string", base: "study", change: (r) => (r.results[1].seconds = "1.5"), message: /at results\[1\]\.seconds: expected number, received string/ },
  { name: "study: unknown workload", base: "study", change: (r) => (r.workload = "heat"), message: /at workload: expected one of/ },
  { name: "study: variants an array of strings", base: "study", change: (r) => (r.variants = ["nested"]), message: /at variants\[0\]: expected object, received string/ },
  { name: "study: machine an array", base: "study", change: (r) => (r.machine = []), message: /at machine: expected object, received array/ },
  { name: "mem: allocations missing", base: "mem", change: (r) => delete r.allocations, message: /invalid mem result at allocations: expected array/ },
  { name: "mem: gc a string", base: "mem", change: (r) => (r.gc = "yes"), message: /at gc: expected boolean, received string/ },
  { name: "mem: occurrences negative-free but a string", base: "mem", change: (r) => (r.functions[0].lines[1].occurrences = "1"), message: /at functions\[0\]\.lines\[1\]\.occurrences: expected number/ },
  { name: "counters: counter status unknown", base: "counters", change: (r) => (r.counters[Object.keys(r.counters)[0]].status = "maybe"), message: /at counters\..+\.status: expected one of "counted"/ },
  { name: "counters: derived missing", base: "counters", change: (r) => delete r.derived, message: /at derived: expected object, received undefined/ },
  { name: "counters: simulated an array", base: "counters", change: (r) => (r.simulated = []), message: /at simulated: expected object, received array/ },
  { name: "counters: per-second rate a string", base: "counters", change: (r) => (r.derived.perSecond = { cycles: "1" }), message: /at derived\.perSecond\.cycles: expected number, received string/ },
];

for (const c of CASES) {
  test(`malformed result: ${c.name}`, () => {
    let text = c.text;
    if (text === undefined) {
      const value = BASES[c.base ?? "line"]();
      c.change!(value);
      text = JSON.stringify(value);
    }
    assert.throws(
      () => resultFromJSON(text!, "saved.json"),
      (err: unknown) => {
        assert.ok(err instanceof ResultFileError, `a ResultFileError, got ${String(err)}`);
        assert.ok(err.message.startsWith("saved.json: "), err.message);
        assert.doesNotMatch(err.message, /\n/, "one line");
        assert.match(err.message, c.message);
        return true;
      },
    );
  });
}

test("at least 20 malformed shapes are checked", () => {
  assert.ok(CASES.length >= 20);
});

test("every base result is valid as it is", () => {
  for (const [kind, base] of Object.entries(BASES)) assert.equal(resultFromJSON(JSON.stringify(base()), kind).kind, kind);
});

test("a study cell saved before cells had a status gets one derived from its figures and error", () => {
  const study = BASES.study();
  const cells = [
    { ...study.results[0], seconds: 1.5, error: undefined },
    { ...study.results[0], seconds: null, error: "unavailable: no C compiler (gcc)" },
    { ...study.results[0], seconds: null, error: "timed out after 60 s" },
    { ...study.results[0], seconds: null, error: "RangeError: Invalid array length" },
  ];
  for (const cell of cells) delete cell.status;
  study.results = cells;
  const read = resultFromJSON(JSON.stringify(study), "old.json", "study");
  assert.deepEqual(
    read.results.map((c) => c.status),
    ["ok", "unavailable", "timed-out", "failed"],
  );
});

test("cachegrind totals saved before llLocalMissPct get it computed as the builder does", () => {
  const counters = BASES.counters();
  const totals = counters.simulated.workload;
  delete totals.llLocalMissPct;
  const read = resultFromJSON(JSON.stringify(counters), "old.json", "counters");
  const expected = (totals.llMisses / totals.llRefs) * 100;
  assert.equal(read.simulated!.workload.llLocalMissPct, expected);
});

test("a result of another kind than the one asked for is refused", () => {
  assert.throws(() => resultFromJSON(JSON.stringify(LINE), "x.json", "study"), /x\.json: a line result, expected a study result/);
});
