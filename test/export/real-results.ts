/**
 * Real results for the export tests: `tsprof line` and `tsprof mem` run on fixtures through the
 * built CLI, as a user runs them. Each distinct run is made once per test file (see once()).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import type { LineProfileResult, MemProfileResult } from "@tsprof/core";
import { tsprof, fixture, tempDir, readJson } from "../helpers/cli";

export interface LineRun {
  result: LineProfileResult;
  /** The result file written by --json. */
  json: string;
  /** The file written by --cpuprofile. */
  cpuprofile: string;
  script: string;
}

/** julia.ts (CommonJS .ts): small methods called from a marked function, functions at known lines. */
export const JULIA = fixture("line", "julia.ts");
/** decorated.ts: compiler helpers (__runInitializers) run on every construction. */
export const DECORATED = fixture("line", "decorated.ts");

/**
 * Runs already made in this test file's process, by their command line: a test that asks for the
 * same run as another gets the same result (tests only read a run's files, never change them).
 */
const made = new Map<string, unknown>();
function once<T>(key: unknown[], run: () => T): T {
  const k = JSON.stringify(key);
  if (!made.has(k)) made.set(k, run());
  return made.get(k) as T;
}

export function runLine(script: string, args: string[], mode: "hybrid" | "trace" | "sample" = "hybrid"): LineRun {
  return once(["line", script, args, mode], () => runLineNow(script, args, mode));
}

function runLineNow(script: string, args: string[], mode: "hybrid" | "trace" | "sample"): LineRun {
  const dir = tempDir();
  const json = join(dir, "result.json");
  const cpuprofile = join(dir, "run.cpuprofile");
  const run = tsprof(["line", "--mode", mode, "--json", json, "--cpuprofile", cpuprofile, script, ...args]);
  assert.equal(run.code, 0, run.stderr);
  return { result: readJson<LineProfileResult>(json), json, cpuprofile, script };
}

export function runMem(script: string, args: string[] = []): { result: MemProfileResult; json: string } {
  return once(["mem", script, args], () => runMemNow(script, args));
}

function runMemNow(script: string, args: string[]): { result: MemProfileResult; json: string } {
  const json = join(tempDir(), "mem.json");
  const run = tsprof(["mem", "--json", json, script, ...args]);
  assert.equal(run.code, 0, run.stderr);
  return { result: readJson<MemProfileResult>(json), json };
}

/** The 1-based line of the first line of `file` that contains `text`. */
export function lineOf(file: string, text: string): number {
  const i = readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} in ${file}`);
  return i + 1;
}

export function lineCount(file: string): number {
  return readFileSync(file, "utf8").split("\n").length;
}

/** A result as saved before tsprof kept its sampled profiles: the same result without them. */
export function savedBeforeProfiles(run: LineRun): string {
  const old = JSON.parse(readFileSync(run.json, "utf8")) as LineProfileResult;
  delete old.profiles;
  const path = join(tempDir(), "old-result.json");
  require("node:fs").writeFileSync(path, JSON.stringify(old));
  return path;
}
