/**
 * `tsprof line` overhead: wall time of each mode against the same script run without tsprof (the
 * same esbuild-compiled code through tsprof's loader, no collector, no instrumentation), median of
 * interleaved runs; and tsprof's start-up on an empty script against plain `node`.
 */
import { join } from "node:path";
import { BIN, ROOT, interleavedMedians, markdownTable, timeRun } from "./util";

const RUNS = 7;

export async function run(): Promise<string> {
  const { loaderExecArgv } = require(join(ROOT, "packages", "runner", "dist", "index.js")) as typeof import("@tsprof/runner");
  const workloads: Array<{ name: string; script: string; args: string[] }> = [
    { name: "Julia set (fixtures/line/julia.ts 400 100)", script: "fixtures/line/julia.ts", args: ["400", "100"] },
    { name: "fused diffusion (fixtures/line/diffusion-fused.ts 512 100)", script: "fixtures/line/diffusion-fused.ts", args: ["512", "100"] },
  ];
  const sections: string[] = [];
  const rows: string[][] = [];
  for (const w of workloads) {
    const medians = interleavedMedians(
      {
        plain: () => timeRun([...loaderExecArgv(), w.script, ...w.args]),
        sample: () => timeRun([BIN, "line", "--mode", "sample", w.script, ...w.args]),
        hybrid: () => timeRun([BIN, "line", "--mode", "hybrid", w.script, ...w.args]),
        trace: () => timeRun([BIN, "line", "--mode", "trace", w.script, ...w.args]),
        // The alternative for exact counts without rewriting: V8's precise block coverage.
        "precise coverage": () => timeRun(["--require", "./bench/precise-coverage.cjs", ...loaderExecArgv(), w.script, ...w.args]),
      },
      RUNS,
    );
    const base = medians.plain.median;
    for (const mode of ["sample", "hybrid", "trace", "precise coverage"] as const) {
      const target = mode === "sample" ? "≤ 1.05×" : mode === "hybrid" ? "≤ 1.3×" : mode === "trace" ? "reported" : "comparison (not a tsprof mode)";
      const ratio = medians[mode].median / base;
      rows.push([w.name, mode, `${base.toFixed(3)} s`, `${medians[mode].median.toFixed(3)} s`, `${ratio.toFixed(2)}×`, target]);
    }
  }
  sections.push(
    `Wall time, median of ${RUNS} interleaved runs after one warm-up; "plain" is the same script through tsprof's loader without profiling. ` +
      `"precise coverage" is V8's block coverage with call counts (Profiler.startPreciseCoverage, detailed), the way to get exact counts without rewriting, measured for comparison with hybrid's counters.\n`,
  );
  sections.push(markdownTable(["workload", "mode", "plain", "tsprof line", "ratio", "target"], rows));

  const startup = interleavedMedians(
    {
      node: () => timeRun(["fixtures/line/empty.js"]),
      "tsprof line (hybrid)": () => timeRun([BIN, "line", "fixtures/line/empty.js"]),
      "tsprof line --mode sample": () => timeRun([BIN, "line", "--mode", "sample", "fixtures/line/empty.js"]),
    },
    RUNS,
  );
  const node = startup.node.median;
  sections.push("\nStart-up on an empty script (`fixtures/line/empty.js`), target ≤ 300 ms over plain `node`:\n");
  sections.push(
    markdownTable(
      ["command", "median", "over plain node"],
      Object.entries(startup).map(([name, m]) => [name, `${(m.median * 1000).toFixed(0)} ms`, name === "node" ? "" : `+${((m.median - node) * 1000).toFixed(0)} ms`]),
    ),
  );
  return sections.join("\n");
}
