import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { UsageError, type VariantInfo } from "@tsprof/core";
import { DEFAULT_ITERATIONS, DEFAULT_SIZES } from "@tsprof/diffusion";
import { parseIntegerList, resolveDashboardOptions } from "../../cli/src/commands/dashboard";

const known = (w: "diffusion" | "poly"): VariantInfo[] =>
  (w === "diffusion" ? ["nested", "fused", "fused-workers"] : ["naive", "horner"]).map((name) => ({ name, description: "" }));
const defaults = {};

test("defaults: the chapter's grid sizes and 500 iterations, diffusion, interactive on a terminal", () => {
  const o = resolveDashboardOptions(undefined, defaults, known, true);
  assert.deepEqual(o.sizes, [256, 512, 1024, 2048]);
  assert.equal(o.iterations, 500);
  assert.equal(o.workload, "diffusion");
  assert.equal(o.headless, false);
  assert.equal(o.variants, undefined);
});

test("a workload's own defaults apply when --sizes / --iterations are not given: the diffusion registry's", () => {
  const poly = resolveDashboardOptions(undefined, { workload: "poly" }, known, true, "/tmp");
  assert.deepEqual([poly.sizes, poly.iterations], [[10_000_000], 10]);
  assert.deepEqual([poly.sizes, poly.iterations], [DEFAULT_SIZES.poly, DEFAULT_ITERATIONS.poly]);
  const given = resolveDashboardOptions(undefined, { workload: "poly", sizes: "1000", iterations: "2" }, known, true, "/tmp");
  assert.deepEqual([given.sizes, given.iterations], [[1000], 2]);
});

test("headless when asked, and automatically when stdout is not a terminal", () => {
  assert.equal(resolveDashboardOptions(undefined, { ...defaults, headless: true }, known, true).headless, true);
  assert.equal(resolveDashboardOptions(undefined, defaults, known, false).headless, true);
});

test("--sizes, --variants, --iterations, --json are parsed and checked", () => {
  const o = resolveDashboardOptions(undefined, { sizes: "32, 64", iterations: "5", variants: "nested,fused", json: "out.json" }, known, true, "/tmp");
  assert.deepEqual(o.sizes, [32, 64]);
  assert.deepEqual(o.variants, ["nested", "fused"]);
  assert.equal(o.iterations, 5);
  assert.equal(o.json, "/tmp/out.json");
});

test("bad values are usage errors with one-line messages", () => {
  const bad: [Parameters<typeof resolveDashboardOptions>[1], RegExp][] = [
    [{ ...defaults, sizes: "256,abc" }, /--sizes: "abc" is not a whole number >= 2/],
    [{ ...defaults, sizes: "256,,512" }, /--sizes: expected a comma-separated list/],
    [{ ...defaults, sizes: "1" }, /--sizes: "1" is not a whole number >= 2/],
    [{ ...defaults, iterations: "0" }, /--iterations: "0" is not a whole number >= 1/],
    [{ ...defaults, iterations: "2.5" }, /--iterations/],
    [{ ...defaults, variants: "nested,fuzed" }, /--variants: unknown diffusion variant fuzed \(known: nested, fused, fused-workers\)/],
    [{ ...defaults, workload: "julia" }, /--workload: "julia" is not one of diffusion, poly/],
    [{ ...defaults, workload: "custom" }, /--workload custom needs a variants module/],
    [{ ...defaults, cellBudget: "-1" }, /--cell-budget/],
  ];
  for (const [raw, message] of bad) {
    assert.throws(() => resolveDashboardOptions(undefined, raw, known, true), (err: Error) => {
      assert.ok(err instanceof UsageError, `${message}: ${err.constructor.name}`);
      assert.match(err.message, message);
      assert.ok(!err.message.includes("\n"));
      return true;
    });
  }
});

test("a variants module makes the workload custom; a missing one or a conflicting --workload is a usage error", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  const file = path.join(dir, "mine.ts");
  writeFileSync(file, "export const a = { setup() {}, step() {} };\n");
  const o = resolveDashboardOptions("mine.ts", { ...defaults, variants: "whatever" }, known, true, dir);
  assert.equal(o.workload, "custom");
  assert.equal(o.customModule, file);
  assert.deepEqual(o.variants, ["whatever"], "a user module's variant names are checked by the runner, not here");
  assert.throws(() => resolveDashboardOptions("nope.ts", defaults, known, true, dir), /variants module not found: nope\.ts/);
  assert.throws(() => resolveDashboardOptions("mine.ts", { ...defaults, workload: "poly" }, known, true, dir), /drop --workload poly/);
  rmSync(dir, { recursive: true, force: true });
});

test("parseIntegerList keeps order and duplicates as given", () => {
  assert.deepEqual(parseIntegerList("64,32,64", "--sizes", 2), [64, 32, 64]);
});
