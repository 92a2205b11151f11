import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { existsSync, writeFileSync } from "node:fs";
import type { FunctionLineProfile, LineProfileResult } from "@tsprof/core";
import { HYBRID_STACK_SAMPLE_US } from "@tsprof/line";
import { tsprof, tsprofAsync, fixture, tempDir, readJson } from "../helpers/cli";

const marking = (f: string) => fixture("line", "marking", f);

function runLine(args: string[], script: string, scriptArgs: string[] = [], env?: NodeJS.ProcessEnv) {
  const out = join(tempDir(), "result.json");
  const run = tsprof(["line", "--json", out, ...args, script, ...scriptArgs], { env });
  const result = existsSync(out) ? readJson<LineProfileResult>(out) : null;
  return { ...run, result };
}

function fn(result: LineProfileResult | null, name: string): FunctionLineProfile {
  const f = result?.functions.find((x) => x.name === name);
  assert.ok(f, `function ${name} in ${result?.functions.map((x) => x.name).join(", ")}`);
  return f;
}

const hitsAt = (f: FunctionLineProfile, line: number) => f.lines.find((l) => l.line === line)?.hits;
const timeAt = (f: FunctionLineProfile, line: number) => f.lines.find((l) => l.line === line)!.timeNs;

for (const mode of ["hybrid", "trace"] as const) {
  test(`${mode}: exact hits on loops with known trip counts`, () => {
    const r = runLine(["--mode", mode], marking("loops.ts"));
    assert.equal(r.code, 0, r.stderr);
    const f = fn(r.result, "loops");
    assert.equal(f.calls, 2);
    assert.equal(f.line, 2, "table starts at the @profile tag line");
    assert.equal(hitsAt(f, 4), 2); // let total = 0
    assert.equal(hitsAt(f, 5), 22); // for header: n + 1 condition checks per call
    assert.equal(hitsAt(f, 6), 20); // loop body
    assert.equal(hitsAt(f, 9), 8); // while (k < 3) k++: 4 line starts per call (the body continues the line)
    assert.equal(hitsAt(f, 10), 10); // for-of over 4 values: n + 1 per call
    assert.equal(hitsAt(f, 11), 8);
    assert.equal(hitsAt(f, 13), 2); // if + its then-statement on one line: one start per call
    assert.equal(hitsAt(f, 14), 0); // else branch never taken: instrumented, never ran
    assert.equal(hitsAt(f, 15), 2);
    assert.equal(hitsAt(f, 3), null); // the signature line is not a statement
  });

  test(`${mode}: both lines of a 3:1 split are timed (the ratio itself is measured by npm run bench -- line-accuracy)`, () => {
    const r = runLine(["--mode", mode], marking("ratio.ts"), ["2000000"]);
    assert.equal(r.code, 0, r.stderr);
    const f = fn(r.result, "ratio");
    assert.equal(hitsAt(f, 9), 10);
    assert.equal(hitsAt(f, 10), 10);
    assert.ok(timeAt(f, 9) > 0 && timeAt(f, 10) > 0);
    if (mode === "hybrid") {
      // The shadow stack's sampling: the default asked for, and the measured mean period, which a
      // timed wait can only make longer (a busy machine makes it much longer).
      const sampling = r.result!.stackSampling!;
      assert.equal(sampling.requestedUs, HYBRID_STACK_SAMPLE_US);
      assert.ok(sampling.measuredUs !== null && sampling.measuredUs >= sampling.requestedUs * 0.9, JSON.stringify(sampling));
      assert.match(r.stdout + r.stderr, new RegExp(`shadow line stack every ${HYBRID_STACK_SAMPLE_US} µs requested, measured mean`));
    } else assert.equal(r.result!.stackSampling, undefined);
  });
}

test("every marking form is profiled, and unmarked functions are not", () => {
  const r = runLine([], marking("forms.ts"));
  assert.equal(r.code, 0, r.stderr);
  const names = r.result!.functions.map((f) => f.name).sort();
  assert.deepEqual(names, ["Shapes.area", "Shapes.perimeter", "arrowTagged", "double", "lineComment", "plain", "triple"]);
  for (const f of r.result!.functions) assert.equal(f.calls, 3, f.name);
  assert.equal(fn(r.result, "Shapes.area").line, 5, "table starts at the decorator");
  assert.equal(hitsAt(fn(r.result, "triple"), 19), 3);
  // The script's own output is unchanged by profiling.
  assert.match(r.stdout, /^63\.558$/m);
});

test("legacy experimentalDecorators methods are profiled", () => {
  const r = runLine([], marking("legacy-decorators/legacy.ts"));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fn(r.result, "Counter.bump").calls, 5);
  assert.equal(hitsAt(fn(r.result, "Counter.bump"), 7), 5);
});

test("--module profiles every function of one file; --all of every user file", () => {
  const byModule = runLine(["--module", marking("helper-module.ts")], marking("uses-module.ts"));
  assert.equal(byModule.code, 0, byModule.stderr);
  assert.deepEqual(byModule.result!.functions.map((f) => f.name).sort(), ["helperHalf", "helperSquare"]);
  assert.equal(fn(byModule.result, "helperSquare").calls, 4);
  const all = runLine(["--all"], marking("uses-module.ts"));
  assert.deepEqual(all.result!.functions.map((f) => f.name).sort(), ["helperHalf", "helperSquare", "own"]);
  assert.equal(fn(all.result, "own").calls, 4);
});

for (const mode of ["hybrid", "trace"] as const) {
  test(`${mode}: recursion, generators, async functions, nested functions`, () => {
    const r = runLine(["--mode", mode], marking("shapes.ts"));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fn(r.result, "fib").calls, 177);
    assert.equal(hitsAt(fn(r.result, "fib"), 4), 177); // `if (n < 2) return n;` starts once per call
    assert.equal(hitsAt(fn(r.result, "fib"), 5), 88);
    assert.equal(hitsAt(fn(r.result, "countdown"), 11), 4); // yield n
    assert.equal(hitsAt(fn(r.result, "countdown"), 10), 5); // while header
    assert.equal(hitsAt(fn(r.result, "slowSum"), 19), 4); // for-of header: n + 1
    assert.equal(hitsAt(fn(r.result, "slowSum"), 20), 3); // sum += await ...
    assert.equal(hitsAt(fn(r.result, "slowSum"), 22), 1); // return after the awaits
    assert.equal(hitsAt(fn(r.result, "outer"), 31), 6); // for header: n + 1 (its body on the same line adds no start)
    assert.equal(hitsAt(fn(r.result, "outer"), 28), null, "nested function body is not a line of outer");
    assert.ok(!r.result!.functions.some((f) => f.name === "inner"));
    assert.match(r.stdout, /^55$/m);
  });
}

test("ESM (.mts with top-level await), CommonJS (.cts with enum) and plain .js", () => {
  for (const [file, name, calls, out] of [
    ["esm-module.mts", "esmWork", 1, "55"],
    ["commonjs.cts", "cjsWork", 1, "2"],
    ["plain.js", "jsWork", 1, "21"],
  ] as const) {
    const r = runLine([], marking(file));
    assert.equal(r.code, 0, `${file}: ${r.stderr}`);
    assert.equal(fn(r.result, name).calls, calls);
    assert.match(r.stdout, new RegExp(`^${out}$`, "m"));
  }
});

test("script arguments pass through after --", () => {
  const r = runLine([], marking("exits.ts"), ["--", "0"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /leaving with 0 10/);
});

test("a script that throws: tables printed, then its error, exit 1", () => {
  const r = runLine([], marking("throws.ts"));
  assert.equal(r.code, 1);
  assert.equal(fn(r.result, "failing").calls, 2);
  assert.match(r.stdout, /Function: failing at line 1 \(2 calls\)/);
  assert.match(r.stderr, /Error: too big: 45/);
  assert.match(r.result!.error ?? "", /too big: 45/);
});

test("process.exit(n): tables printed, tsprof exits n", () => {
  const r = runLine([], marking("exits.ts"), ["3"]);
  assert.equal(r.code, 3);
  assert.equal(hitsAt(fn(r.result, "leave"), 4), 6); // condition checks (the body continues the line)
  assert.match(r.stdout, /Function: leave/);
});

test("Ctrl-C (SIGINT) in a long run prints the tables so far and exits 130", async () => {
  const out = join(tempDir(), "r.json");
  const child = tsprofAsync(["line", "--json", out, marking("endless.ts")]);
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  await new Promise<void>((resolve) => {
    const check = () => (stdout.includes("started") ? setTimeout(resolve, 300) : setTimeout(check, 50));
    check();
  });
  child.kill("SIGINT");
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  assert.equal(code, 130);
  assert.match(stdout, /Function: spin at line 2/);
  const result = readJson<LineProfileResult>(out);
  assert.equal(result.signal, "SIGINT");
  assert.ok((fn(result, "spin").lines.find((l) => l.line === 6)!.hits ?? 0) > 1000);
});

test("syntax error: file:line:col and message, exit 1, no stack trace", () => {
  const r = tsprof(["line", marking("syntax-error.ts")]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /syntax-error\.ts:2:\d+: Unexpected/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  // The entry does not compile: nothing ran, so no empty tables and no "compiling inside" note.
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.doesNotMatch(r.stdout, /Function summary|No function was profiled/);
});

test("syntax error in an imported file: its file:line:col, exit 1, no note that it was not found before launch", () => {
  const dir = tempDir();
  writeFileSync(join(dir, "broken.ts"), "export const x = {\n");
  writeFileSync(join(dir, "main.ts"), 'import { x } from "./broken";\nconsole.log(x);\n');
  const r = tsprof(["line", join(dir, "main.ts")]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /broken\.ts:2:\d+: /);
  assert.doesNotMatch(r.stderr, /inside the profiled process/);
});

test("usage errors: one line on stderr, exit 2", () => {
  const cases: string[][] = [
    ["line", "does-not-exist.ts"],
    ["line", "--no-such-option", marking("loops.ts")],
    ["line", "--unit", "abc", marking("loops.ts")],
    ["line", "--mode", "fast", marking("loops.ts")],
    ["line", "--module", "missing.ts", marking("loops.ts")],
    ["line", fixture("line")],
    ["line"],
    ["show", "missing.json"],
  ];
  for (const args of cases) {
    const r = tsprof(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(lines[0], /^tsprof: /);
  }
});

test("JSON round trip: tsprof show prints the same tables", () => {
  const dir = tempDir();
  const out = join(dir, "r.json");
  const r = tsprof(["line", "--json", out, marking("loops.ts")]);
  assert.equal(r.code, 0);
  const shown = tsprof(["show", out]);
  assert.equal(shown.code, 0, shown.stderr);
  const tables = r.stdout.slice(r.stdout.indexOf("Timer unit"));
  assert.equal(shown.stdout, tables);
  const result = readJson<LineProfileResult>(out);
  assert.equal(result.schemaVersion, 1);
  assert.equal(result.kind, "line");
  for (const key of ["name", "file", "line", "totalNs", "calls", "lines"]) assert.ok(key in result.functions[0], key);
  for (const key of ["line", "hits", "timeNs", "source"]) assert.ok(key in result.functions[0].lines[0], key);
});

test("-u changes the timer unit and -z hides functions never called", () => {
  const r = tsprof(["line", "-u", "1e-3", "-z", fixture("line", "marking", "forms.ts")]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Timer unit: 1e-03 s$/m);
});

test("sample mode: no instrumentation, tables for the hottest functions from V8 line ticks", () => {
  const r = runLine(["--mode", "sample"], marking("ratio.ts"), ["2000000"]);
  assert.equal(r.code, 0, r.stderr);
  const work = fn(r.result, "work");
  assert.equal(work.calls, null);
  assert.ok(work.lines.every((l) => l.hits === null));
  const hot = work.lines.find((l) => l.line === 4)!;
  assert.ok((hot.samples ?? 0) > 10, `samples on the hot loop: ${hot.samples}`);
});

test("--cpuprofile writes a DevTools profile; the inspector fallback is announced", () => {
  const dir = tempDir();
  const prof = join(dir, "p.cpuprofile");
  const r = runLine(["--cpuprofile", prof], marking("ratio.ts"), ["500000"], { TSPROF_SAMPLER: "inspector" });
  assert.equal(r.code, 0, r.stderr);
  const p = readJson(prof);
  assert.ok(Array.isArray(p.nodes) && p.nodes.length > 0 && Array.isArray(p.samples));
  assert.ok(p.nodes.some((n: any) => n.callFrame.functionName === "work" && n.positionTicks?.length > 0));
  assert.equal(r.result!.sampler, "inspector");
  assert.match(r.stdout, /note: V8 sampling through node:inspector/);
});

test("a script that aborts (process.abort) leaves its whole profile, saved just before the abort", () => {
  const r = runLine([], marking("aborts.ts"), [], { NODE_OPTIONS: "" });
  assert.equal(r.code, 134, r.stderr); // 128 + SIGABRT
  assert.equal(r.result!.signal, "SIGABRT");
  const work = fn(r.result, "work");
  assert.equal(work.calls, 1);
  assert.ok((work.lines.find((l) => l.line === 6)!.hits ?? 0) > 1000);
  // The final write, not a snapshot: the sampler's summary is there too.
  assert.doesNotMatch(r.stdout, /snapshot/);
  assert.notEqual(r.result!.sampler, "none");
});

for (const mode of ["hybrid", "trace"] as const) {
  test(`${mode}: hits stay exact when exceptions or process.exit() cut a straight-line run`, () => {
    const r = runLine(["--mode", mode], marking("runs.ts"));
    assert.equal(r.code, 4, r.stderr);
    const here = fn(r.result, "caughtHere");
    assert.equal(hitsAt(here, 12), 10); // const a
    assert.equal(hitsAt(here, 13), 10); // const b = maybeThrow(i): throws for i = 0, 3, 6, 9
    assert.equal(hitsAt(here, 14), 6);
    assert.equal(hitsAt(here, 15), 6);
    assert.equal(hitsAt(here, 17), 4); // catch body
    const inner = fn(r.result, "inner");
    assert.equal(inner.calls, 7);
    assert.equal(hitsAt(inner, 26), 7);
    assert.equal(hitsAt(inner, 27), 4); // after the throwing call: i = 1, 2, 4, 5
    assert.equal(hitsAt(inner, 28), 4);
    const caller = fn(r.result, "caughtByCaller");
    assert.equal(hitsAt(caller, 36), 7);
    assert.equal(hitsAt(caller, 37), 4);
    assert.equal(hitsAt(caller, 39), 3);
    const stop = fn(r.result, "stop");
    assert.equal(hitsAt(stop, 48), 1);
    assert.equal(hitsAt(stop, 49), 1); // process.exit(a)
    assert.equal(hitsAt(stop, 50), 0, "the statement after process.exit() never started");
  });
}
