import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { Profile } from "pprof-format";
import { toPprof, NotExportableError } from "@tsprof/export";
import { runLine, runMem, lineOf, lineCount, savedBeforeProfiles, JULIA } from "./real-results";
import { fixture, tempDir } from "../helpers/cli";
import { readFileSync } from "node:fs";

/** Decode as any pprof consumer does: gunzip, then profile.proto. */
function decode(bytes: Uint8Array) {
  const profile = Profile.decode(gunzipSync(bytes));
  const str = (i: number | bigint) => profile.stringTable.strings[Number(i)];
  const functions = new Map(profile.function.map((f) => [Number(f.id), { name: str(f.name), file: str(f.filename), startLine: Number(f.startLine) }]));
  const locations = new Map(profile.location.map((l) => [Number(l.id), l.line.map((x) => ({ fn: functions.get(Number(x.functionId))!, line: Number(x.line) }))]));
  return { profile, str, functions, locations };
}

const go = spawnSync("go", ["version"], { encoding: "utf8" });
const goMissing = go.error || go.status !== 0 ? "go is not installed (Debian: apt-get install golang-go): go tool pprof not run" : false;
if (goMissing) console.log(`# skipped: ${goMissing}`);

function goPprofTop(bytes: Uint8Array): string {
  const file = join(tempDir(), "profile.pb.gz");
  writeFileSync(file, bytes);
  const r = spawnSync("go", ["tool", "pprof", "-top", "-lines", "-nodefraction=0", "-edgefraction=0", file], {
    encoding: "utf8",
    env: { ...process.env, HOME: process.env.HOME ?? tempDir(), PPROF_TMPDIR: tempDir() },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const julia = runLine(JULIA, ["120", "60"], "hybrid");
const juliaPprof = toPprof(julia.result);

test("pprof from a real line result: decodes with pprof-format; functions, original files and lines", () => {
  const { profile, str, functions, locations } = decode(juliaPprof);
  assert.deepEqual(profile.sampleType.map((t) => [str(t.type), str(t.unit)]), [["samples", "count"], ["cpu", "nanoseconds"]]);
  assert.equal(str(profile.periodType!.type), "cpu");
  assert.equal(Number(profile.period), julia.result.samplingIntervalUs! * 1000);
  const fnLine = lineOf(JULIA, "function calculateZSerialPurePython");
  const fn = [...functions.values()].find((f) => f.name === "calculateZSerialPurePython");
  assert.ok(fn, "the marked function is a pprof function");
  assert.equal(fn.file, JULIA);
  assert.equal(fn.startLine, fnLine);
  const n = lineCount(JULIA);
  for (const f of functions.values()) {
    if (f.file.startsWith("/")) assert.equal(f.file, JULIA, `${f.name}: only the user's file (no tsprof frames)`);
  }
  for (const lines of locations.values()) {
    for (const l of lines) if (l.fn.file === JULIA) assert.ok(l.line >= 1 && l.line <= n, `line ${l.line} of ${n}`);
  }
  // Leaf locations of the marked function: its sampled lines, which are lines of the .ts.
  const leafLines = new Set<number>();
  let count = 0;
  for (const s of profile.sample) {
    count += Number(s.value[0]);
    const leaf = locations.get(Number(s.locationId[0]))!;
    if (leaf[0].fn === fn) leafLines.add(leaf[0].line);
    assert.equal(str(s.label[0].key), "thread");
  }
  // Which lines take the samples depends on what V8 inlined when. V8 itself (plain `node --cpu-prof`)
  // gives the caller's node the ticks of an inlined callee at the callee's lines (Complex's 7, 11,
  // 14 here), so only this is asserted: lines of the .ts, some of them in the function's own body.
  const bodyEnd = lineOf(JULIA, "return output;") + 1;
  assert.ok(
    [...leafLines].some((line) => line >= fnLine && line <= bodyEnd),
    `samples on lines ${fnLine}..${bodyEnd} (${[...leafLines].join(",")})`,
  );
  // Every sample but V8's idle ones is there once.
  const main = julia.result.profiles![0];
  const idle = new Set(main.nodes.filter((x) => x.callFrame.functionName === "(idle)").map((x) => x.id));
  assert.equal(count, main.samples.filter((id) => !idle.has(id)).length);
});

test("pprof from a real line result: go tool pprof -top -lines shows the original files and lines", { skip: goMissing }, () => {
  const out = goPprofTop(juliaPprof);
  assert.match(out, /^Type: cpu$/m);
  const n = lineCount(JULIA);
  const rows = [...out.matchAll(/(\S+) (\/\S+):(\d+)\s*$/gm)].map((m) => ({ name: m[1], file: m[2], line: Number(m[3]) }));
  const marked = rows.filter((r) => r.name === "calculateZSerialPurePython");
  assert.ok(marked.length > 0, out);
  for (const r of rows) {
    assert.equal(r.file, JULIA, `${r.name}: the user's file only`);
    assert.ok(r.line >= 1 && r.line <= n, `${r.name} at ${r.line}`);
  }
});

test("pprof from a real mem result: alloc_space in bytes on the allocating function's original line", () => {
  const script = fixture("mem", "garbage.ts");
  const { result } = runMem(script);
  const bytes = toPprof(result);
  const { profile, str, locations } = decode(bytes);
  assert.deepEqual(profile.sampleType.map((t) => [str(t.type), str(t.unit)]), [["samples", "count"], ["alloc_space", "bytes"]]);
  let inFn = 0;
  let total = 0;
  for (const s of profile.sample) {
    const leaf = locations.get(Number(s.locationId[0]))![0];
    total += Number(s.value[1]);
    if (leaf.fn.name === "makeGarbage") {
      assert.equal(leaf.fn.file, script);
      assert.equal(leaf.line, lineOf(script, "function makeGarbage"));
      inFn += Number(s.value[1]);
    }
  }
  assert.ok(inFn > 0.5 * total, `${inFn} of ${total} bytes in makeGarbage`);
  if (!goMissing) {
    const out = goPprofTop(bytes);
    assert.match(out, /^Type: alloc_space$/m);
    assert.match(out, new RegExp(`makeGarbage ${script.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:${lineOf(script, "function makeGarbage")}\\s*$`, "m"));
  }
});

test("pprof: a result saved before the profile was kept says why in one line", () => {
  const old = JSON.parse(readFileSync(savedBeforeProfiles(julia), "utf8"));
  assert.throws(() => toPprof(old), (err: Error) => err instanceof NotExportableError && !err.message.includes("\n") && /pprof/.test(err.message));
});
