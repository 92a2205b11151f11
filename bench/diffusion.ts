/**
 * Benchmark section for issue 5 (`tsprof dashboard`): the measured Tables 6-1/6-2 for the
 * TypeScript diffusion variants on this machine, the poly workload at 10M points, and three ratios
 * at 1024 x 1024 measured in one run (median of the per-round ratios over interleaved rounds):
 *   best single-thread TypeScript/WebAssembly variant vs c-reference (target <= 1.25x),
 *   fused-workers vs fused (target >= 1.7x faster on 2 cores), and fused vs nested.
 * Every variant figure comes from runStudy (each cell its own child process, only the steps
 * timed). The machine is shared, so each round is bracketed by a two-thread probe (a pure FP loop
 * on 1 and 2 threads) and the ratios are also given over the rounds that had two free cores.
 */
import * as os from "node:os";
import { Worker } from "node:worker_threads";
import type { StudyCell, StudyResult } from "@tsprof/core";
import { renderStudyMarkdown, runStudy } from "@tsprof/diffusion";

const TABLE_SIZES = [256, 512, 1024, 2048];
const TABLE_ITERATIONS = 500; // the chapter's count
const TABLE_BUDGET_SECONDS = 3; // slower cells are timed on fewer iterations and scaled (marked *)
const RATIO_SIZE = 1024;
const RATIO_ITERATIONS = 500; // the chapter's count, as in the tables
const RATIO_ROUNDS = 7;
const SINGLE_THREAD = ["nested", "fused", "wasm-simd"]; // the single-thread variants measured in the ratio rounds

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function seconds(result: StudyResult, variant: string): number | null {
  return result.results.find((c: StudyCell) => c.variant === variant)?.seconds ?? null;
}

function fmt(value: number, digits = 2): string {
  return value.toFixed(digits);
}

/**
 * The parallel ceiling of the moment: a pure floating-point loop (no memory traffic, no barrier) run
 * once on one thread and then on this thread plus one worker at the same time; returns
 * 2 x single time / two-thread time (2.0 = two free cores). On a shared machine this tells whether
 * a low fused-workers speedup is the barrier's fault or simply no second core to run on.
 */
export async function twoThreadCeiling(iterations = 2e8): Promise<number> {
  const body = "let x = 1.0; for (let i = 0; i < n; i++) x = x * 1.0000001 + 1e-9; return x;";
  const spin = new Function("n", body) as (n: number) => number;
  spin(1e6);
  let start = performance.now();
  spin(iterations);
  const single = performance.now() - start;
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads"); const spin = new Function("n", ${JSON.stringify(body)}); spin(1e6);
     parentPort.postMessage("ready"); parentPort.once("message", (n) => { spin(n); parentPort.postMessage("done"); });`,
    { eval: true },
  );
  await new Promise((resolve) => worker.once("message", resolve));
  const done = new Promise((resolve) => worker.once("message", resolve));
  start = performance.now();
  worker.postMessage(iterations);
  spin(iterations);
  await done;
  const both = performance.now() - start;
  await worker.terminate();
  return (2 * single) / both;
}

/** Waits (at most `limitMs`) until a second core is free: the two-thread probe reaches 1.8x. */
async function waitForSecondCore(limitMs = 60_000): Promise<{ waitedMs: number; ceiling: number }> {
  const start = Date.now();
  let ceiling = await twoThreadCeiling(5e7);
  while (ceiling < 1.8 && Date.now() - start < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    ceiling = await twoThreadCeiling(5e7);
  }
  return { waitedMs: Date.now() - start, ceiling };
}

const CLEAN_PROBE = 1.8;

async function ratios(): Promise<string[]> {
  // Each round: (1) fused and fused-workers, right after waiting (up to 8 s) for a free second
  // core and followed by a second probe, so a round with both probes >= 1.8x ran on two available
  // cores ("clean"); (2) wasm-simd, c-reference, nested. Every cell is its own child process;
  // ratios are computed per round and the median round is reported.
  const rounds: { threads: StudyResult; single: StudyResult; before: number; after: number }[] = [];
  let waitedMs = 0;
  const study = (variants: string[]) =>
    runStudy({ workload: "diffusion", variants, sizes: [RATIO_SIZE], iterations: RATIO_ITERATIONS, cellBudgetSeconds: 2, command: ["bench"] });
  for (let r = 0; r < RATIO_ROUNDS; r++) {
    const gate = await waitForSecondCore(8_000);
    waitedMs += gate.waitedMs;
    const threads = await study(["fused", "fused-workers"]);
    const after = await twoThreadCeiling(5e7);
    rounds.push({ threads, single: await study(["wasm-simd", "c-reference", "nested"]), before: gate.ceiling, after });
  }
  type Round = (typeof rounds)[number];
  const clean = rounds.filter((r) => r.before >= CLEAN_PROBE && r.after >= CLEAN_PROBE);
  const time = (r: Round, variant: string) => seconds(r.threads, variant) ?? seconds(r.single, variant);
  const bestSingle = (r: Round) => {
    const times = SINGLE_THREAD.map((v) => ({ v, s: time(r, v) })).filter((x): x is { v: string; s: number } => x.s !== null);
    return times.sort((a, b) => a.s - b.s)[0];
  };
  // The variant that was fastest in most rounds (it is the same one every round in practice).
  const winners = rounds.map((r) => bestSingle(r)?.v).filter((v): v is string => v !== undefined);
  const count = (name: string) => winners.filter((w) => w === name).length;
  const bestName = [...new Set(winners)].sort((a, b) => count(b) - count(a))[0];
  const ratio = (f: (r: Round) => number | null) => (set: Round[]) => set.map(f).filter((v): v is number => v !== null && Number.isFinite(v));
  const divide = (a: number | null | undefined, b: number | null | undefined) => (a && b ? a / b : null);
  const vsC = ratio((r) => divide(bestSingle(r)?.s, time(r, "c-reference")));
  const workers = ratio((r) => divide(time(r, "fused"), time(r, "fused-workers")));
  const fusedVsNested = ratio((r) => divide(time(r, "nested"), time(r, "fused")));
  const span = (v: number[]) => (v.length ? `${fmt(median(v))}× (${fmt(Math.min(...v))}–${fmt(Math.max(...v))})` : "n/a");
  const row = (label: string, f: (set: Round[]) => number[], target: string) =>
    `| ${label} | ${span(f(rounds))} | ${clean.length ? span(f(clean)) : "no clean round"} | ${target} |`;
  const med = (v: string) => {
    const values = rounds.map((r) => time(r, v)).filter((x): x is number => x !== null);
    return values.length ? `${fmt((median(values) / RATIO_ITERATIONS) * 1e3, 3)} ms` : "n/a";
  };
  const lines: string[] = [];
  lines.push(
    `Ratios at ${RATIO_SIZE} × ${RATIO_SIZE}, ${RATIO_ITERATIONS} iterations per cell, ${RATIO_ROUNDS} rounds (every cell its own child process; ` +
      "median of the per-round ratios, min–max in brackets). This machine is shared, so each round first waited up to 8 s for a free second core " +
      `(${(waitedMs / 1000).toFixed(0)} s in all) and ran fused and fused-workers between two probes of a pure floating-point loop on 1 and 2 threads ` +
      `(2.00× = two free cores). "Clean" rounds had both probes ≥ ${CLEAN_PROBE}×: ${clean.length} of ${rounds.length}.`,
    "",
  );
  lines.push("| ratio | all rounds | clean rounds | target |", "| --- | ---: | ---: | ---: |");
  lines.push(row(`best single-thread TS/Wasm (${bestName ?? "n/a"}) time / c-reference time`, vsC, "≤ 1.25×"));
  lines.push(row(`fused time / fused-workers time (${os.availableParallelism?.() ?? os.cpus().length} cores)`, workers, "≥ 1.7×"));
  lines.push(row("nested time / fused time", fusedVsNested, "—"));
  lines.push(row("(probe) two-thread ceiling before/after fused + fused-workers", (set) => set.flatMap((r) => [r.before, r.after]), "2.00× = two free cores"));
  lines.push("");
  lines.push(
    `Median time per step over all rounds: ${["fused", "fused-workers", "wasm-simd", "c-reference", "nested"].map((v) => `${v} ${med(v)}`).join(", ")}` +
      (rounds.some((r) => r.single.results.some((c) => c.scaled)) ? " (nested scaled from a 2 s budget)." : "."),
  );
  return lines;
}

export async function run(): Promise<string> {
  const started = Date.now();
  const out: string[] = ["## Diffusion study (`tsprof dashboard`, @tsprof/diffusion)", ""];
  out.push(
    `Machine: ${os.cpus()[0]?.model ?? "?"}, ${os.cpus().length} cores, Node ${process.version}. Each cell is its own child process; only the steps are timed. ` +
      `Cells slower than ${TABLE_BUDGET_SECONDS} s are timed on fewer iterations and scaled (marked *).`,
    "",
  );
  const loadBefore = os.loadavg()[0];
  out.push(...(await ratios()), "");

  const table = await runStudy({ workload: "diffusion", sizes: TABLE_SIZES, iterations: TABLE_ITERATIONS, cellBudgetSeconds: TABLE_BUDGET_SECONDS, command: ["bench"] });
  out.push("### Tables 6-1 / 6-2 for TypeScript", "", renderStudyMarkdown(table), "");

  const poly = await runStudy({ workload: "poly", sizes: [10_000_000], iterations: 10, cellBudgetSeconds: TABLE_BUDGET_SECONDS, command: ["bench"] });
  out.push("### poly workload (seed 000): 10M points, 10 evaluations", "", renderStudyMarkdown(poly), "");
  out.push(
    `(section measured in ${((Date.now() - started) / 1000).toFixed(0)} s; 1-minute load average ${loadBefore.toFixed(1)} at the start, ` +
      `${os.loadavg()[0].toFixed(1)} at the end, on ${os.cpus().length} cores: above ~1 other processes were competing for the cores, ` +
      "which hurts the threaded variants most)",
  );
  return out.join("\n");
}

// Allow `node --import tsx bench/diffusion.ts` on its own.
if (require.main === module) {
  run().then((text) => process.stdout.write(text + "\n"));
}
