/**
 * Accuracy of `tsprof line`'s per-line time: fixtures/line/marking/ratio.ts has one line doing three
 * times the work of the next (the same helper, 3n and n iterations), so its time should be 3x.
 * Measured here rather than asserted in a test: time on a shared machine is not a correctness check.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LineProfileResult } from "@tsprof/core";
import { BIN, ROOT, markdownTable, median } from "./util";

const SCRIPT = join(ROOT, "fixtures", "line", "marking", "ratio.ts");
const RUNS = 5;

/** Time of line 9 over line 10 in one run of `tsprof line --mode <mode>`. */
function measuredRatio(mode: string, dir: string): number {
  const out = join(dir, `${mode}.json`);
  const run = spawnSync(process.execPath, [BIN, "line", "--mode", mode, "--json", out, SCRIPT, "2000000"], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`tsprof line --mode ${mode} failed: ${run.stderr}`);
  const result = JSON.parse(readFileSync(out, "utf8")) as LineProfileResult;
  const lines = result.functions.find((f) => f.name === "ratio")!.lines;
  const time = (n: number) => lines.find((l) => l.line === n)?.timeNs ?? Number.NaN;
  return time(9) / time(10);
}

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "tsprof-bench-"));
  try {
    const rows: string[][] = [];
    for (const mode of ["trace", "hybrid"]) {
      const ratios: number[] = [];
      for (let i = 0; i < RUNS; i++) ratios.push(measuredRatio(mode, dir));
      rows.push([mode, median(ratios).toFixed(2), `${Math.min(...ratios).toFixed(2)} – ${Math.max(...ratios).toFixed(2)}`]);
    }
    return (
      `Time of a line doing 3x the work of the next (fixtures/line/marking/ratio.ts, 2,000,000; ${RUNS} runs each): the ideal is 3.00.\n\n` +
      markdownTable(["mode", "median ratio", "range"], rows)
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
