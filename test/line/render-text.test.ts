/**
 * Issue 13, the line table's text: what each time means, the measured sampling interval, blank
 * (not 0.0) times that were not collected, BOM / tabs / long lines, and colour from the environment.
 * Pure: results in, text out.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { displaySourceLine, outputWidth, useColor, SCHEMA_VERSION, type LineProfileResult } from "@tsprof/core";
import { renderLineProfile } from "@tsprof/line";

function result(overrides: Partial<LineProfileResult> = {}): LineProfileResult {
  return {
    kind: "line",
    schemaVersion: SCHEMA_VERSION,
    command: ["line", "x.ts"],
    startedAt: "2026-12-01T00:00:00.000Z",
    exitCode: 0,
    signal: null,
    mode: "hybrid",
    timerUnit: 1e-6,
    sampler: "v8-profiler-next",
    samplingIntervalUs: 250,
    measuredIntervalUs: 431.6,
    durationNs: 1e9,
    functions: [
      {
        name: "work",
        file: "/p/x.ts",
        line: 1,
        calls: 1,
        totalNs: 3e6,
        lines: [
          { line: 1, hits: null, timeNs: 0, source: "\uFEFFfunction work() {" },
          { line: 2, hits: 10, timeNs: 3e6, source: "\tlet s = compute();\t// tab" },
          { line: 3, hits: 10, timeNs: null, source: "  s += 1;" },
          { line: 4, hits: 1, timeNs: 0, source: "  return " + "x".repeat(5000) + ";" },
        ],
      },
    ],
    summary: [{ name: "work", file: "/p/x.ts", line: 1, ncalls: 1, tottimeNs: 1e6, cumtimeNs: 3e6 }],
    notes: [],
    ...overrides,
  };
}

const render = (r: LineProfileResult, width?: number) => renderLineProfile(r, { color: false, skipZero: false, cwd: "/p", width });
const rowOf = (text: string, line: number) => text.split("\n").find((l) => new RegExp(`^\\s+${line} `).test(l))!;

test("the table and the summary say what their times measure, and the sampling interval asked for and measured", () => {
  const text = render(result());
  assert.match(text, /Total time: 0\.003000 s \(sum of the lines: wall time of lines that call, sampled self time of the rest\)/);
  assert.match(text, /V8 CPU samples: tottime = self, cumtime = self \+ callees; sampled every 250 µs requested, measured mean 432 µs/);
  const trace = render(result({ mode: "trace", sampler: "none", samplingIntervalUs: null, measuredIntervalUs: null }));
  assert.match(trace, /Total time: [\d.]+ s \(sum of the lines: wall time between line events\)/);
  assert.doesNotMatch(trace, /sampled every/);
});

test("hybrid's Mode line says how often the shadow line stack was sampled, asked for and measured; older results say nothing", () => {
  const text = render(result({ stackSampling: { requestedUs: 250, measuredUs: 312.4 } }));
  assert.match(text, /^Mode: hybrid \(exact hits; line time sampled from a shadow line stack every 250 µs requested, measured mean 312 µs\)$/m);
  const unmeasured = render(result({ stackSampling: { requestedUs: 250, measuredUs: null } }));
  assert.match(unmeasured, /^Mode: hybrid \(exact hits; line time sampled from a shadow line stack every 250 µs requested\)$/m);
  assert.match(render(result()), /^Mode: hybrid \(exact hits; line time sampled from a shadow line stack\)$/m);
});

test("a line whose time was not collected shows a blank Time, not 0.0, and one note says why", () => {
  const text = render(result());
  const row3 = rowOf(text, 3);
  assert.match(row3, /^\s+3\s+10\s+s \+= 1;$/, row3);
  assert.match(text, /note: times were cut short: V8's line ticks were not collected/);
  // A measured 0 stays a number.
  assert.match(rowOf(text, 4), /^\s+4\s+1\s+0\.0/);
  const complete = result();
  complete.functions[0].lines[2].timeNs = 0;
  assert.doesNotMatch(render(complete), /cut short/);
});

test("Line Contents: no BOM, tabs expanded to the terminal's stops, long lines cut to the width", () => {
  const text = render(result(), 100);
  const row1 = rowOf(text, 1);
  assert.ok(!row1.includes("\uFEFF"), "BOM removed");
  assert.ok(row1.endsWith("  function work() {"));
  const row2 = rowOf(text, 2);
  assert.ok(!row2.includes("\t"));
  assert.ok(row2.endsWith("        let s = compute();      // tab"), JSON.stringify(row2));
  for (const line of text.split("\n")) if (/^\s+\d+ /.test(line)) assert.ok(line.length <= 100, `${line.length}: ${line.slice(0, 60)}`);
  assert.ok(rowOf(text, 4).endsWith("…"));
  // The saved result keeps the raw text.
  assert.equal(result().functions[0].lines[3].source.length, 5010);
});

test("displaySourceLine and outputWidth", () => {
  assert.equal(displaySourceLine("a\tb"), "a       b");
  assert.equal(displaySourceLine("ab\x1b]0;title\x07c"), "ab]0;titlec");
  assert.equal(displaySourceLine("abcdef", 4), "abc…");
  assert.equal(outputWidth({ isTTY: true, columns: 80 }, {}), 80);
  assert.equal(outputWidth({ isTTY: false }, { COLUMNS: "120" }), 120);
  assert.equal(outputWidth({ isTTY: false }, {}), 1000);
});

test("colour: TERM=dumb and NO_COLOR turn it off on a terminal, FORCE_COLOR turns it on when piped", () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  assert.equal(useColor(tty, { TERM: "xterm-256color" }), true);
  assert.equal(useColor(tty, { TERM: "dumb" }), false);
  assert.equal(useColor(tty, { NO_COLOR: "1" }), false);
  assert.equal(useColor(pipe, { FORCE_COLOR: "1" }), true);
  assert.equal(useColor(tty, { TERM: "dumb", FORCE_COLOR: "1" }), true);
  assert.equal(useColor(tty, { FORCE_COLOR: "0" }), false);
  assert.equal(useColor(pipe, {}), false);
});
