/**
 * instrumentSource, source in and result out: the instrumented text runs in a vm context with a
 * fake collector, so these tests need no child process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { instrumentSource, crossModuleMarks, type InstrumentStyle, type FileMeta } from "@tsprof/runner";
import { hitsOfSlots, lineHits } from "@tsprof/runner/child";

/** Run instrumented JavaScript with a collector that counts slot hits; returns them and the value of `result`. */
export function runInstrumented(source: string, style: InstrumentStyle, all = true) {
  const out = instrumentSource(source, "/virtual/file.js", { style, all });
  assert.ok(out, "something was instrumented");
  const counters = new Float64Array(out.meta.slots.length + 1);
  const calls = new Float64Array(out.meta.functions.length);
  let meta: FileMeta | null = null;
  const tsprof = {
    registerFile(m: FileMeta) {
      meta = m;
      if (style === "counters") return { counters, stack: new Int32Array(64), base: 0, escapes: new Float64Array(counters.length) };
      return {
        enter: (fn: number) => (calls[fn]++, {}),
        line: (_f: unknown, slot: number) => counters[slot]++,
        exit: () => undefined,
      };
    },
  };
  const sandbox: Record<string, unknown> = { globalThis: undefined, result: undefined };
  sandbox.globalThis = { __tsprof: tsprof };
  runInNewContext(out.code, sandbox);
  return { code: out.code, meta: meta ?? out.meta, counters, calls, result: sandbox.result };
}

for (const style of ["counters", "events", "calls"] as const) {
  test(`${style}: "use strict" directives stay first, in the file and in functions, with or without semicolons`, () => {
    const file = `"use strict"\nresult = [isStrict(), sloppyInside()]\nfunction isStrict() { return this === undefined }\nfunction sloppyInside() {\n  "use strict"\n  let x = 1\n  x++\n  return this === undefined && x === 2\n}\n`;
    const r = runInstrumented(file, style);
    assert.equal(JSON.stringify(r.result), "[true,true]", r.code);
    assert.ok(r.code.startsWith('"use strict"'), "the file's directive is still its first statement");
  });

  test(`${style}: statements ended by automatic semicolon insertion stay valid`, () => {
    const src = `function f(a) {\n  let s = a.map(x => x)\n  s[0] = () => { return 1 }\n  if (a.length) return s.length\n}\nresult = f([1, 2])\n`;
    assert.equal(runInstrumented(src, style).result, 2);
  });
}

/** Line hits of function `fnIndex` from a run, as the line table shows them. */
function hitsByLine(r: ReturnType<typeof runInstrumented>, fnIndex = 0): Map<number, number> {
  const fnMeta = r.meta.functions[fnIndex];
  // Hybrid counts a straight-line run once, on its first statement: spread to every slot first.
  return lineHits(r.meta.slots, hitsOfSlots(r.meta.slots, r.counters, null), fnIndex, fnMeta.entrySlot);
}

for (const style of ["counters", "events"] as const) {
  test(`${style}: hits are line starts — \`if (n < 2) return n;\` in fib(15) counts the calls, 1973`, () => {
    const src = `function fib(n) {\n  if (n < 2) return n;\n  return fib(n - 1) + fib(n - 2);\n}\nresult = fib(15);\n`;
    // counters: plain counters (no runs) are what a vm without the shadow stack can check.
    const r = runInstrumented(src, style);
    assert.equal(r.result, 610);
    const calls = style === "counters" ? r.counters[r.meta.functions[0].entrySlot] : r.calls[0];
    assert.equal(calls, 1973);
    const h = hitsByLine(r);
    assert.equal(h.get(2), 1973, "the if's line: once per call, not if + return (2960)");
    assert.equal(h.get(3), 986);
  });

  test(`${style}: several statements on a line count once; loop headers n + 1; a line that never ran has 0`, () => {
    const src = [
      "function f(n) {",
      "  let a = 0; let b = 1; a++;",
      "  for (let i = 0; i < n; i++) { a += i; b++ }",
      "  while (a > 100) a -= 100;",
      "  if (a < 0) {",
      "    a = 0;",
      "  }",
      "  return a + b;",
      "}",
      "result = f(10) + f(10);",
    ].join("\n");
    const r = runInstrumented(src, style);
    const h = hitsByLine(r);
    assert.equal(h.get(2), 2, "three statements, one line start per call");
    assert.equal(h.get(3), 22, "for header: 11 checks per call, body on the same line adds none");
    assert.equal(h.get(6), 0, "dead code: instrumented, never ran");
    assert.equal(h.get(7), undefined, "a closing brace has no statement");
    assert.equal(h.get(8), 2);
  });
}

for (const style of ["counters", "events"] as const) {
  test(`${style}: \`for (;;)\` and do-while count every iteration, on one line or several`, () => {
    const src = [
      "function f() {",
      "  let t = 0;",
      "  for (;;) { t++; if (t > 1000) break; }",
      "  do { t++; } while (t < 2000);",
      "  for (;;) {",
      "    if (++t > 2500) break;",
      "  }",
      "  do {",
      "    t++;",
      "  } while (t < 3000);",
      "  return t;",
      "}",
      "result = f();",
    ].join("\n");
    const r = runInstrumented(src, style);
    assert.equal(r.result, 3000);
    const h = hitsByLine(r);
    assert.equal(h.get(3), 1 + 1001, "for (;;) on one line: its start and each of its 1001 iterations");
    assert.equal(h.get(4), 1 + 999, "one-line do-while: its start and each of its 999 condition checks");
    assert.equal(h.get(5), 1 + 501, "for (;;) header: its start and each of its 501 iteration starts");
    assert.equal(h.get(6), 501);
    assert.equal(h.get(8), 1, "do { starts once");
    assert.equal(h.get(9), 499);
    assert.equal(h.get(10), 499, "} while (c): once per condition check");
  });
}

test("marking styles: an aliased import, a namespace, and a tag between a decorator and its method", () => {
  const src = [
    'import { profile as p } from "tsprof";',
    'import * as tsprof from "tsprof";',
    "class A {",
    "  @logged",
    "  /** @profile */",
    "  m(x: number) { return x + 1; }",
    "}",
    "const f = p((x: number) => x * 2);",
    "const g = tsprof.profile((x: number) => x * 3);",
    "class B { @p n(x: number) { return x; } }",
  ].join("\n");
  const out = instrumentSource(src, "/virtual/marks.ts", { style: "events", all: false });
  assert.deepEqual(out?.meta.functions.map((f) => f.name).sort(), ["A.m", "B.n", "f", "g"]);
  assert.equal(out?.meta.functions.find((f) => f.name === "A.m")?.line, 4, "the table starts at the decorator, as line_profiler's does");
});

test("a marking that cannot be honoured is a one-line warning naming file:line", () => {
  const src = 'import { profile } from "tsprof";\nimport { parse } from "acorn";\nconst p = profile(parse);\n';
  const out = instrumentSource(src, "/virtual/uses.ts", { style: "counters", all: false });
  assert.ok(out, "the file registers, to carry the warning");
  assert.equal(out.meta.warnings?.length, 1);
  assert.match(out.meta.warnings![0], /^\/virtual\/uses\.ts:3: profile\(parse\) not honoured: 'parse' is imported from the package 'acorn'; pass its file to --module$/);
});

test("profile(imported) marks the function in its own module (line_profiler's add_function)", () => {
  const src = 'import { profile } from "tsprof";\nimport { square as sq } from "./math";\nconst p = profile(sq);\n';
  assert.deepEqual(crossModuleMarks(src, "/virtual/uses.ts"), [{ name: "square", from: "./math" }]);
  const lib = "export function square(x: number) {\n  return x * x;\n}\nexport function cube(x: number) {\n  return x ** 3;\n}\n";
  const out = instrumentSource(lib, "/virtual/math.ts", { style: "events", all: false, names: ["square"] });
  assert.deepEqual(out?.meta.functions.map((f) => f.name), ["square"]);
});

test("counters: the shadow stack marks a call statement's line exactly while it runs, and is cleared before code that calls nothing", () => {
  const src = [
    "function f() {",
    "  let s = 0;",
    "  probe(); probe();",
    "  s += 1;",
    "  while (probe() && s < 4) {",
    "    probe();",
    "    s++;",
    "  }",
    "  if (probe()) s++;",
    "  return s;",
    "}",
    "result = f();",
  ].join("\n");
  const out = instrumentSource(src, "/virtual/file.js", { style: "counters", all: true });
  assert.ok(out);
  const meta = out.meta;
  const stack = new Int32Array(64);
  // Every write to the function's own stack entry, as the line of the slot written (0: cleared),
  // and "P" for each call of probe, which also checks what the stack shows while it runs.
  const log: Array<number | string> = [];
  const lineOf = (slot: number) => (slot === 0 ? 0 : meta.slots[slot].line);
  const watched = new Proxy(stack, {
    get: (t, k) => Reflect.get(t, k),
    set: (t, k, v) => {
      if (k !== "0") log.push(lineOf(v));
      return Reflect.set(t, k, v);
    },
  });
  const probe = () => {
    log.push(`P${lineOf(stack[stack[0]])}`);
    return true;
  };
  const tsprof = { registerFile: () => ({ counters: new Float64Array(meta.slots.length), stack: watched, base: 0, escapes: new Float64Array(meta.slots.length) }) };
  const sandbox: Record<string, unknown> = { globalThis: { __tsprof: tsprof }, probe, result: undefined };
  runInNewContext(out.code, sandbox);
  assert.equal(sandbox.result, 5);
  // Line 3: the second call's mark replaces the first's (nothing runs between); line 5's condition
  // stays marked into the body, whose first statement marks line 6 at once, and is cleared when it
  // ends the loop; line 9's `if` header is cleared before its branch, which calls nothing.
  assert.equal(log.join(" "), "0 3 P3 3 P3 0 " + "5 P5 6 P6 0 ".repeat(3) + "5 P5 0 9 P9 0", out.code);
});
