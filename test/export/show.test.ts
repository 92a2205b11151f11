/** The exports through the CLI: `tsprof show <result.json> --format <f> -o <file>`, read back by the real clients. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join, dirname } from "node:path";
import Ajv from "ajv";
import { Profile } from "pprof-format";
import { runLine, runMem, savedBeforeProfiles, lineOf, JULIA } from "./real-results";
import { tsprof, tempDir, fixture } from "../helpers/cli";

const julia = runLine(JULIA, ["100", "50"], "hybrid");

function show(json: string, format: string, name: string) {
  const out = join(tempDir(), name);
  const run = tsprof(["show", json, "--format", format, "-o", out]);
  return { ...run, out };
}

test("tsprof show --format speedscope -o: a file speedscope's schema accepts", () => {
  const r = show(julia.json, "speedscope", "julia.speedscope.json");
  assert.equal(r.code, 0, r.stderr);
  const schema = JSON.parse(readFileSync(join(dirname(require.resolve("speedscope/package.json")), "dist", "release", "file-format-schema.json"), "utf8"));
  const validate = new Ajv({ strict: false }).compile(schema);
  const doc = JSON.parse(readFileSync(r.out, "utf8"));
  assert.ok(validate(doc), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.ok(doc.shared.frames.some((f: { name: string; file?: string; line?: number }) => f.name === "calcPurePython" && f.file === JULIA && f.line === lineOf(JULIA, "function calcPurePython")));
});

test("tsprof show --format pprof -o: gzipped profile.proto that pprof-format decodes", () => {
  const r = show(julia.json, "pprof", "julia.pb.gz");
  assert.equal(r.code, 0, r.stderr);
  const p = Profile.decode(gunzipSync(readFileSync(r.out)));
  const names = p.function.map((f) => p.stringTable.strings[Number(f.name)]);
  assert.ok(names.includes("calculateZSerialPurePython"), names.join(","));
});

test("tsprof show --format cpuprofile -o: the same profile --cpuprofile wrote", () => {
  const r = show(julia.json, "cpuprofile", "julia.cpuprofile");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(readFileSync(r.out, "utf8")), JSON.parse(readFileSync(julia.cpuprofile, "utf8")));
});

test("tsprof show: mem results export to pprof and speedscope; not to cpuprofile", () => {
  const { json } = runMem(fixture("mem", "garbage.ts"));
  for (const [format, name] of [["pprof", "mem.pb.gz"], ["speedscope", "mem.speedscope.json"]]) {
    const r = show(json, format, name);
    assert.equal(r.code, 0, r.stderr);
  }
  const bad = show(json, "cpuprofile", "mem.cpuprofile");
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
  assert.match(bad.stderr, /'mem' results/, "the message names the result's kind");
});

test("tsprof show: a result saved before the profile was kept renders as text; an export says why in one line, exit 2", () => {
  const old = savedBeforeProfiles(julia);
  const text = tsprof(["show", old]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /calculateZSerialPurePython/);
  for (const format of ["speedscope", "pprof", "cpuprofile"]) {
    const r = show(old, format, `old.${format}`);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`cannot be exported to ${format}: it was saved before`));
  }
});

test("a program that throws, exits or aborts still leaves an exportable profile; one killed says why not", () => {
  const marking = (f: string) => fixture("line", "marking", f);
  for (const [script, code] of [["throws.ts", 1], ["exits.ts", 3], ["aborts.ts", 134]] as const) {
    const json = join(tempDir(), "r.json");
    const run = tsprof(["line", "--json", json, marking(script)], { env: { NODE_OPTIONS: "" } });
    assert.equal(run.code, code, run.stderr);
    const r = show(json, "cpuprofile", "r.cpuprofile");
    assert.equal(r.code, 0, `${script}: ${r.stderr}`);
    const p = JSON.parse(readFileSync(r.out, "utf8"));
    assert.ok(p.samples.length > 0 && p.samples.length === p.timeDeltas.length);
  }
  // SIGKILL: only the watchdog's last snapshot is left, without CPU samples.
  const json = join(tempDir(), "killed.json");
  const killed = tsprof(["line", "--json", json, fixture("line", "killed.ts")]);
  assert.equal(killed.code, 137, killed.stderr);
  const r = show(json, "pprof", "killed.pb.gz");
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr.trim(), /^tsprof: this line result cannot be exported to pprof: it holds no CPU samples \(.*\)/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
});
