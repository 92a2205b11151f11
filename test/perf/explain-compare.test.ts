// tsprof perf --compare explains each program against the first, from its counters: checked on
// the chapter's own perf stat outputs (fixtures/perf/book-example-6-*.txt).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { buildCountersCompare } from "@tsprof/core";
import { countersFromText, renderCompare } from "@tsprof/perf";

const load = (example: string, label: string) =>
  countersFromText(readFileSync(path.join(__dirname, "..", "..", "fixtures", "perf", `book-example-${example}-human.txt`), "utf8"), { label, command: [label] }).result;

test("numpy -> in-place numpy: page faults and instructions explain the speed-up, as the chapter reads them", () => {
  const compare = buildCountersCompare([load("6-11", "numpy"), load("6-15", "numpy_memory")], { command: ["perf"], startedAt: "2026-01-01T00:00:00Z" });
  const [e] = compare.explanations!;
  assert.equal(e.variant, "numpy_memory");
  assert.deepEqual(e.causes.slice(0, 2).map((c) => c.metric).sort(), ["instructions", "minorFaults"]);
  const faults = e.causes.find((c) => c.metric === "minorFaults")!;
  assert.deepEqual([faults.before, faults.after], [751185, 6527]);
  assert.match(e.summary, /^numpy_memory is 6\.1× faster than numpy: /);
  assert.match(e.summary, /115× fewer minor page faults \(751 k → 6527\)/);
  assert.match(e.summary, /4\.0× fewer instructions \(53\.2 G → 13\.3 G\)/);
  // What moved the other way is said, not hidden.
  assert.match(e.summary, /although 2\.4× more cache misses/);
  assert.match(renderCompare(compare), /\nWhy:\n- numpy_memory is 6\.1× faster than numpy: /);
});

test("pure Python -> numpy: instructions and branch mispredicts, despite more page faults", () => {
  const compare = buildCountersCompare([load("6-08", "python"), load("6-10", "numpy")], { command: ["perf"], startedAt: "2026-01-01T00:00:00Z" });
  const [e] = compare.explanations!;
  assert.ok(e.timeRatio > 20);
  // Both cover the whole 31x: the larger change (785x fewer mispredicts) first, then 39x fewer instructions.
  assert.deepEqual(e.causes.slice(0, 2).map((c) => c.metric), ["branchMispredicts", "instructions"]);
  assert.match(e.summary, /although 138× more minor page faults \(5439 → 752 k\)/);
});
