/**
 * `tsprof line` overhead: wall time of each mode against the same script run without tsprof (the
 * same esbuild-compiled code through tsprof's loader, no collector, no instrumentation), median of
 * interleaved runs; and tsprof's start-up on an empty script against plain `node`.
 */
import { join } from "node:path";
import { BIN, ROOT, interleavedMedians, markdownTable, median, timeRun, timeRunOutput } from "./util";

const RUNS = 5;

export async function run(): Promise<string> {
  const { loaderExecArgv } = require(join(ROOT, "packages", "runner", "dist", "index.js")) as typeof import("@tsprof/runner");
  const workloads: Array<{ name: string; script: string; args: string[]; kernel: RegExp }> = [
    // The tutorial's size (desired_width 1000, max_iterations 300) and a fused loop of similar
    // length: runs of a few seconds, as one profiles. Start-up is measured on its own below.
    { name: "Julia set (fixtures/line/julia.ts 1000 300)", script: "fixtures/line/julia.ts", args: ["1000", "300"], kernel: /took ([\d.]+) seconds/ },
    { name: "fused diffusion (fixtures/line/diffusion-fused.ts 1024 100)", script: "fixtures/line/diffusion-fused.ts", args: ["1024", "100"], kernel: / in ([\d.]+) s,/ },
  ];
  const sections: string[] = [];
  const rows: string[][] = [];
  for (const w of workloads) {
    // The script prints the time of its own kernel: kept per run, to tell per-line cost from start-up.
    const kernels: Record<string, number[]> = {};
    const timed = (name: string, args: string[]) => () => {
      const { seconds, stdout } = timeRunOutput(args);
      const m = w.kernel.exec(stdout);
      if (m) (kernels[name] ??= []).push(Number(m[1]));
      return seconds;
    };
    const medians = interleavedMedians(
      {
        plain: timed("plain", [...loaderExecArgv(), w.script, ...w.args]),
        sample: timed("sample", [BIN, "line", "--mode", "sample", w.script, ...w.args]),
        hybrid: timed("hybrid", [BIN, "line", "--mode", "hybrid", w.script, ...w.args]),
        trace: timed("trace", [BIN, "line", "--mode", "trace", w.script, ...w.args]),
        // The alternative for exact counts without rewriting: V8's precise block coverage.
        "precise coverage": timed("precise coverage", ["--require", "./bench/precise-coverage.cjs", ...loaderExecArgv(), w.script, ...w.args]),
      },
      RUNS,
    );
    const base = medians.plain.median;
    const kernelBase = median(kernels.plain ?? [NaN]);
    for (const mode of ["sample", "hybrid", "trace", "precise coverage"] as const) {
      const target = mode === "sample" ? "≤ 1.05×" : mode === "hybrid" ? "≤ 1.3×" : mode === "trace" ? "reported" : "comparison (not a tsprof mode)";
      const ratio = medians[mode].median / base;
      const kernel = median(kernels[mode] ?? [NaN]);
      rows.push([
        w.name,
        mode,
        `${base.toFixed(3)} s`,
        `${medians[mode].median.toFixed(3)} s`,
        `${ratio.toFixed(2)}×`,
        `${(kernel / kernelBase).toFixed(2)}× (${kernelBase.toFixed(3)} → ${kernel.toFixed(3)} s)`,
        target,
      ]);
    }
  }
  sections.push(
    `Wall time, median of ${RUNS} interleaved runs after one warm-up; "plain" is the same script through tsprof's loader without profiling. ` +
      `"precise coverage" is V8's block coverage with call counts (Profiler.startPreciseCoverage, detailed), the way to get exact counts without rewriting, measured for comparison with hybrid's counters.\n`,
  );
  sections.push(
    `"kernel" is the time the script prints for its own computation (Julia: calculateZSerialPurePython; fused: the time steps): the per-line cost without tsprof's start-up, which the second table measures alone.\n`,
  );
  sections.push(markdownTable(["workload", "mode", "plain wall", "tsprof line wall", "wall ratio", "kernel ratio", "target (wall)"], rows));

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
