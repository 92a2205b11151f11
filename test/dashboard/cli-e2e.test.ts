import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "cli", "dist", "bin.js");

function tsprof(args: string[], cwd = ROOT) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 180_000 });
}

test("headless (stdout is a pipe): progress on stderr, each table once then the explanations on stdout, --json results", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  const json = path.join(dir, "study.json");
  const run = tsprof(["dashboard", "--sizes", "32,48", "--iterations", "3", "--variants", "fused,nested", "--causes", "jit", "--json", json]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /^\[1\/4\] fused 32×32  \S+s$/m);
  assert.match(run.stderr, /^\[4\/4\] nested 48×48  \S+s$/m);
  assert.equal(run.stdout.split("Table 1.").length, 2, "the runtime table once");
  assert.ok(!run.stdout.includes("| Method |"), "plain text, no Markdown unless asked");
  const why = run.stdout.indexOf("Why each variant is faster or slower");
  assert.ok(why > run.stdout.indexOf("Table 5."), "explanations after the tables");
  // At 3 iterations the two can time alike under load: "about as fast (0.97×) as" is a right answer too.
  assert.match(run.stdout.slice(why), /^- nested is ([\d.]+× (faster|slower) than|about as fast \([\d.]+×\) as) fused at 32²: /m);
  const result = JSON.parse(readFileSync(json, "utf8"));
  assert.equal(result.kind, "study");
  assert.equal(result.baseline, "fused", "the first variant named is the baseline");
  assert.equal(result.results.length, 4);
  for (const cell of result.results) {
    for (const key of ["variant", "size", "iterations", "seconds", "speedup", "peakRssMiB", "checksum"]) assert.ok(key in cell, `${key} in ${JSON.stringify(cell)}`);
    assert.equal(cell.iterations, 3);
  }
  // Same grid, same steps: every variant's checksum agrees at each size.
  for (const size of [32, 48]) {
    const sums = result.results.filter((c: { size: number }) => c.size === size).map((c: { checksum: number }) => c.checksum);
    assert.ok(Math.abs(sums[0] - sums[1]) < 1e-9, `checksums at ${size}: ${sums}`);
  }
  assert.ok(result.machine && result.machine.cores >= 1);
  // The measured causes, the JIT state (once per variant, smallest size) and the explanations.
  for (const cell of result.results) for (const key of ["allocatedBytes", "gcSeconds", "minorFaults", "coresUsed"]) assert.equal(typeof cell[key], "number", key);
  assert.deepEqual(result.jit.map((j: { variant: string; size: number }) => [j.variant, j.size]), [["fused", 32], ["nested", 32]]);
  assert.ok(result.jit.every((j: { functions: unknown[] }) => j.functions.length > 0));
  assert.deepEqual(result.explanations.map((e: { variant: string; against: string; size: number }) => [e.variant, e.against, e.size]), [["nested", "fused", 32], ["nested", "fused", 48]]);
  rmSync(dir, { recursive: true, force: true });
});

test("a user's variants module: workload custom, its first export is the baseline", () => {
  const run = tsprof(["dashboard", path.join(ROOT, "fixtures", "dashboard", "my-variants.ts"), "--sizes", "16", "--iterations", "3", "--headless", "--causes", "none", "--markdown"]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /custom study: 2 variants/);
  assert.match(run.stdout, /baseline arrays/);
  // --markdown: the tables as Markdown, once.
  assert.match(run.stdout, /^\| arrays \| 1\.00x \|$/m);
  assert.equal(run.stdout.split("**Table 1.").length, 2);
});

test("usage errors: one line on stderr, exit 2, nothing run", () => {
  const cases: [string[], RegExp][] = [
    [["dashboard", "--sizes", "32,x"], /^tsprof: --sizes: "x" is not a whole number >= 2\n$/],
    [["dashboard", "--iterations", "0"], /^tsprof: --iterations: "0" is not a whole number >= 1\n$/],
    [["dashboard", "--variants", "nested,nope"], /^tsprof: --variants: unknown diffusion variant nope \(known: .*\)\n$/],
    [["dashboard", "--workload", "julia"], /^tsprof: --workload: "julia" is not one of diffusion, poly\n$/],
    [["dashboard", "missing-variants.ts"], /^tsprof: variants module not found: missing-variants\.ts\n$/],
    [["dashboard", "--bogus"], /^tsprof: unknown option '--bogus'\n/],
  ];
  for (const [args, stderr] of cases) {
    const run = tsprof(args);
    assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, stderr);
    assert.equal(run.stdout, "");
  }
});

test("Ctrl-C in a headless run: the cells measured so far are printed and saved, exit 130", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  const json = path.join(dir, "study.json");
  // The second size is large enough that the run is still going when the signal comes.
  const child = spawn(process.execPath, [BIN, "dashboard", "--sizes", "32,1536", "--iterations", "300", "--variants", "nested,fused", "--causes", "none", "--json", json], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  let sent = false;
  const interrupted = new Promise<void>((resolve) => {
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      // One Ctrl-C, once the first size is done.
      if (!sent && /\[2\/4\]/.test(stderr)) {
        sent = true;
        child.kill("SIGINT");
        resolve();
      }
    });
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  await interrupted;
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted: printing the 2 cells measured so far/);
  assert.match(stdout, /^nested\s+\S+s\s+-$/m);
  const result = JSON.parse(readFileSync(json, "utf8"));
  assert.equal(result.results.length, 2);
  assert.deepEqual(result.results.map((c: { size: number }) => c.size), [32, 32]);
  rmSync(dir, { recursive: true, force: true });
});

test("a variants module is checked before anything runs: no variants, unknown names, a module that throws", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  writeFileSync(path.join(dir, "none.ts"), "export const notAVariant = 1;\n");
  writeFileSync(path.join(dir, "throws.ts"), "throw new Error('broken at load');\n");
  const mine = path.join(ROOT, "fixtures", "dashboard", "my-variants.ts");
  const none = tsprof(["dashboard", "none.ts"], dir);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /^tsprof: .*none\.ts exports no variants \(objects with setup\(size\) and step\(\)\)\n$/);
  const unknown = tsprof(["dashboard", mine, "--variants", "typed,nope"], dir);
  assert.equal(unknown.status, 2);
  assert.equal(unknown.stderr, "tsprof: --variants: unknown variant nope (known: arrays, typed)\n");
  // A module that cannot load is bad input, like every other command's (exit 2).
  const throws = tsprof(["dashboard", "throws.ts"], dir);
  assert.equal(throws.status, 2);
  assert.match(throws.stderr, /^tsprof: cannot load .*throws\.ts: Error: broken at load\n$/);
  rmSync(dir, { recursive: true, force: true });
});
