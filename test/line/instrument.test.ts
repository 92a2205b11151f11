/**
 * instrumentSource, source in and result out: the instrumented text runs in a vm context with a
 * fake collector, so these tests need no child process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { instrumentSource, type InstrumentStyle, type FileMeta } from "@tsprof/runner";

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
