import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import Ajv from "ajv";
import { toSpeedscope, SPEEDSCOPE_SCHEMA, NotExportableError, type SpeedscopeFile } from "@tsprof/export";
import { sampleDurationsUs } from "@tsprof/core";
import { runLine, runMem, lineOf, lineCount, savedBeforeProfiles, JULIA } from "./real-results";
import { fixture } from "../helpers/cli";

/** The schema speedscope itself ships (the file its importer is generated from). */
function speedscopeValidator() {
  const schemaPath = join(dirname(require.resolve("speedscope/package.json")), "dist", "release", "file-format-schema.json");
  const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

function assertValid(doc: SpeedscopeFile): void {
  const validate = speedscopeValidator();
  // The schema does reject what speedscope cannot read (so passing below means something).
  assert.equal(validate({ ...doc, profiles: [{ ...doc.profiles[0], unit: "furlongs" }] }), false);
  // Through JSON, as the file is written and read.
  const ok = validate(JSON.parse(JSON.stringify(doc)));
  assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5)));
}

test("speedscope from a real line result: valid against speedscope's schema, original files and lines", () => {
  const { result } = runLine(JULIA, ["120", "60"], "hybrid");
  const doc = toSpeedscope(result);
  assertValid(doc);
  assert.equal(doc.$schema, SPEEDSCOPE_SCHEMA);
  assert.equal(doc.profiles.length, result.profiles!.length, "one profile per thread");
  const p = doc.profiles[0];
  assert.equal(p.type, "sampled");
  assert.equal(p.unit, "microseconds");
  assert.equal(p.samples.length, p.weights.length);
  const total = p.weights.reduce((a, w) => a + w, 0);
  assert.equal(p.endValue, total);
  // The weights are the sampled time: the profile's span from its first sample, less the idle samples.
  // V8 records a sample's time delta as negative now and then (a sample stamped before the one
  // before it); each sample then weighs 0 rather than a negative time, which lengthens the sum by
  // exactly the time that ran backwards.
  const main = result.profiles![0];
  const firstSample = main.startTime + main.timeDeltas[0];
  const lastSample = main.startTime + main.timeDeltas.reduce((a, d) => a + d, 0);
  const backwardsUs = main.timeDeltas.slice(1).reduce((a, d) => a + Math.max(0, -d), 0);
  const idle = new Set(main.nodes.filter((x) => x.callFrame.functionName === "(idle)").map((x) => x.id));
  const idleUs = sampleDurationsUs(main).reduce((a, us, i) => a + (idle.has(main.samples[i]) ? us : 0), 0);
  const expected = Math.max(main.endTime, lastSample) - firstSample + backwardsUs - idleUs;
  assert.ok(Math.abs(total - expected) < 1, `${total} vs ${expected} (${backwardsUs} µs backwards)`);
  assert.ok(!doc.shared.frames.some((f) => f.name === "(idle)"), "no idle frame");
  const frame = doc.shared.frames.find((f) => f.name === "calculateZSerialPurePython");
  assert.ok(frame, `the marked function is a frame: ${doc.shared.frames.map((f) => f.name).join(", ")}`);
  assert.equal(frame.file, JULIA);
  assert.equal(frame.line, lineOf(JULIA, "function calculateZSerialPurePython"));
  const n = lineCount(JULIA);
  for (const f of doc.shared.frames) {
    if (f.file?.startsWith("/")) {
      assert.equal(f.file, JULIA, `${f.name}: the user's file, no tsprof frames`);
      assert.ok(f.line! >= 1 && f.line! <= n, `${f.name} at line ${f.line} of ${n}`);
    }
  }
  // Every sample stack indexes real frames, and the marked function is on stacks that weigh.
  const idx = doc.shared.frames.indexOf(frame);
  let inFn = 0;
  p.samples.forEach((s, i) => {
    for (const k of s) assert.ok(k >= 0 && k < doc.shared.frames.length);
    if (s.includes(idx)) inFn += p.weights[i];
  });
  assert.ok(inFn > 0, "the marked function's stacks weigh nothing");
});

test("speedscope from a real mem result: the sampled allocations by bytes, valid against the schema", () => {
  const script = fixture("mem", "garbage.ts");
  const { result } = runMem(script);
  const doc = toSpeedscope(result);
  assertValid(doc);
  const p = doc.profiles[0];
  assert.equal(p.unit, "bytes");
  const total = p.weights.reduce((a, w) => a + w, 0);
  const frame = doc.shared.frames.find((f) => f.name === "makeGarbage");
  assert.ok(frame);
  assert.equal(frame.file, script);
  assert.equal(frame.line, lineOf(script, "function makeGarbage"));
  const idx = doc.shared.frames.indexOf(frame);
  const inFn = p.samples.reduce((a, s, i) => a + (s.includes(idx) ? p.weights[i] : 0), 0);
  const selfBytes = p.samples.reduce((a, s, i) => a + (s[s.length - 1] === idx ? p.weights[i] : 0), 0);
  // The table's allocation rows for makeGarbage come from the same samples (its own bytes).
  const tableBytes = result.allocations.filter((a) => a.functionName === "makeGarbage").reduce((a, s) => a + s.bytes, 0);
  assert.ok(Math.abs(selfBytes - tableBytes) <= 1, `${selfBytes} vs ${tableBytes}`);
  assert.ok(inFn > 0.5 * total, "most sampled bytes are the garbage");
});

test("speedscope: a result saved before the profile was kept says why in one line", () => {
  const run = runLine(JULIA, ["120", "60"], "hybrid"); // the run of the first test, made once
  const old = JSON.parse(readFileSync(savedBeforeProfiles(run), "utf8"));
  assert.throws(() => toSpeedscope(old), (err: Error) => err instanceof NotExportableError && !err.message.includes("\n"));
  assert.throws(() => toSpeedscope({ ...old, kind: "counters" }), /cannot be exported to speedscope/);
});
