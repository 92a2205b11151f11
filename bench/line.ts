/**
 * `tsprof line` overhead, with the peers side by side: wall time of each mode against the same
 * script run without tsprof (plain `node` on the script's JavaScript as tsprof compiles it: no
 * loader, no collector, no instrumentation); `node --cpu-prof` on the same JavaScript at the same
 * sampling interval as sample mode (its peer);
 * line_profiler (`kernprof -l`, Debian's python3-line-profiler) on the Python twin of the Julia
 * fixture against python3. Median of interleaved runs; ratios from the same run.
 * Start-up and footprint have their own section (bench/startup.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, ROOT, interleavedMedians, javaScriptTwin, markdownTable, median, timeRunOutput, type SectionResult, type TargetRow } from "./util";

const QUICK = process.env.BENCH_QUICK === "1";
const RUNS = QUICK ? 3 : 5;
const SAMPLE_INTERVAL_US = 250; // sample mode's default interval: --cpu-prof runs at the same
const SYSTEM_PYTHON = "/usr/bin/python3";
const KERNPROF = "/usr/bin/kernprof";

interface Workload {
  name: string;
  script: string;
  args: string[];
  kernel: RegExp;
  modes: Array<"sample" | "hybrid" | "trace">;
  targets: Record<string, string>;
}

function median_(values: number[] | undefined): number {
  return values?.length ? median(values) : NaN;
}

/** Wall and CPU ratios of one profiler over plain (and, for sample mode, over --cpu-prof), for the summary. */
interface Figures {
  wall: number;
  cpu: number;
  vsCpuProf?: { wall: number; cpu: number };
  /** Median kernel seconds, plain and profiled (the script's own timing of its computation). */
  kernel?: { plain: number; profiled: number };
}

/** One workload: plain (node on the script's JavaScript twin), --cpu-prof and the tsprof modes, interleaved. */
function measureWorkload(w: Workload, twin: string, profDir: string): { rows: string[][]; figures: Record<string, Figures> } {
  const kernels: Record<string, number[]> = {};
  const cpus: Record<string, number[]> = {};
  const timed = (name: string, args: string[]) => () => {
    const { seconds, stdout, cpu } = timeRunOutput(args);
    const m = w.kernel.exec(stdout);
    if (m) (kernels[name] ??= []).push(Number(m[1]));
    if (cpu !== null) (cpus[name] ??= []).push(cpu);
    return seconds;
  };
  const configs: Record<string, () => number> = { plain: timed("plain", [twin, ...w.args]) };
  if (w.modes.includes("sample")) {
    configs["node --cpu-prof"] = timed("node --cpu-prof", [
      "--cpu-prof",
      `--cpu-prof-interval=${SAMPLE_INTERVAL_US}`,
      `--cpu-prof-dir=${profDir}`,
      twin,
      ...w.args,
    ]);
  }
  for (const mode of w.modes) configs[mode] = timed(mode, [BIN, "line", "--mode", mode, w.script, ...w.args]);
  const medians = interleavedMedians(configs, RUNS);
  const base = medians.plain.median;
  const kernelBase = median_(kernels.plain);
  const rows: string[][] = [];
  const figures: Record<string, Figures> = {};
  for (const name of Object.keys(configs).filter((n) => n !== "plain")) {
    const wall = medians[name].median;
    const kernel = median_(kernels[name]);
    const cpuBase = median_(cpus.plain);
    const cpu = median_(cpus[name]);
    figures[name] = { wall: wall / base, cpu: cpu / cpuBase, kernel: { plain: kernelBase, profiled: kernel } };
    let versus = `${(wall / base).toFixed(2)}×`;
    let cpuRatio = Number.isFinite(cpu) ? `${(cpu / cpuBase).toFixed(2)}×` : "-";
    if (name === "sample" && medians["node --cpu-prof"]) {
      figures[name].vsCpuProf = { wall: wall / medians["node --cpu-prof"].median, cpu: cpu / median_(cpus["node --cpu-prof"]) };
      versus += `; ${figures[name].vsCpuProf!.wall.toFixed(2)}× of --cpu-prof`;
      if (cpus["node --cpu-prof"]) cpuRatio += `; ${figures[name].vsCpuProf!.cpu.toFixed(2)}× of --cpu-prof`;
    }
    rows.push([
      w.name,
      name === "node --cpu-prof" ? `node --cpu-prof (${SAMPLE_INTERVAL_US} µs)` : `tsprof line --mode ${name}`,
      `${base.toFixed(3)} s`,
      `${wall.toFixed(3)} s`,
      versus,
      cpuRatio,
      Number.isFinite(kernel) ? `${(kernel / kernelBase).toFixed(2)}× (${kernelBase.toFixed(3)} → ${kernel.toFixed(3)} s)` : "-",
      w.targets[name] ?? "peer",
    ]);
  }
  return { rows, figures };
}

/** line_profiler on julia.py against plain python3, interleaved; null when it is not installed. */
function kernprofRows(): { rows: string[][]; wall: number } | null {
  if (!existsSync(SYSTEM_PYTHON) || !existsSync(KERNPROF)) return null;
  const julia = join(ROOT, "fixtures", "mem", "python", "julia.py");
  const size = QUICK ? ["200", "100"] : ["300", "300"];
  const cwd = mkdtempSync(join(tmpdir(), "tsprof-bench-kernprof-"));
  const kernels: Record<string, number[]> = {};
  const run = (name: string, cmd: string, args: string[]) => () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr.slice(-300)}`);
    const m = /took ([\d.e-]+) seconds/.exec(r.stdout);
    if (m) (kernels[name] ??= []).push(Number(m[1]));
    return seconds;
  };
  try {
    const medians = interleavedMedians(
      { python3: run("python3", SYSTEM_PYTHON, [julia, ...size]), "kernprof -l": run("kernprof -l", KERNPROF, ["-l", "-o", join(cwd, "julia.lprof"), julia, ...size]) },
      RUNS,
    );
    const base = medians.python3.median;
    const wall = medians["kernprof -l"].median;
    const kb = median_(kernels.python3);
    const k = median_(kernels["kernprof -l"]);
    const rows = [
      [
        `Julia set, Python twin (fixtures/mem/python/julia.py ${size.join(" ")})`,
        "kernprof -l (line_profiler, Debian's python3-line-profiler)",
        `${base.toFixed(3)} s`,
        `${wall.toFixed(3)} s`,
        `${(wall / base).toFixed(2)}×`,
        "-",
        Number.isFinite(k) ? `${(k / kb).toFixed(2)}× (${kb.toFixed(3)} → ${k.toFixed(3)} s)` : "-",
        "peer",
      ],
    ];
    return { rows, wall: wall / base };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/**
 * One clock read in Node here (performance.now(), what trace mode reads at every line event), in
 * nanoseconds: median of 5 rounds of 2 million reads in a fresh node.
 */
export function nodeClockReadNs(): number {
  const probe =
    "const {performance}=require('node:perf_hooks');const r=[];for(let k=0;k<6;k++){const n=2e6;let s=0;const t0=process.hrtime.bigint();" +
    "for(let i=0;i<n;i++)s+=performance.now();r.push(Number(process.hrtime.bigint()-t0)/n);if(s<0)console.log(s)}" +
    "r.shift();r.sort((a,b)=>a-b);console.log(r[2])";
  const out = spawnSync(process.execPath, ["-e", probe], { encoding: "utf8" });
  return Number(out.stdout.trim());
}

/** The same for C's clock_gettime(CLOCK_MONOTONIC) (the system's clock under Node's), or null without a C compiler. */
export function cClockReadNs(dir: string): number | null {
  const source = join(dir, "clock.c");
  const binary = join(dir, "clock");
  writeFileSync(
    source,
    "#include <stdio.h>\n#include <time.h>\nint main(void){struct timespec t,a,b;long s=0;const int n=5000000;" +
      "clock_gettime(CLOCK_MONOTONIC,&a);for(int i=0;i<n;i++){clock_gettime(CLOCK_MONOTONIC,&t);s+=t.tv_nsec;}" +
      'clock_gettime(CLOCK_MONOTONIC,&b);printf("%.1f %ld\\n",((b.tv_sec-a.tv_sec)*1e9+(b.tv_nsec-a.tv_nsec))/n,s&1);return 0;}\n',
  );
  const built = spawnSync("cc", ["-O2", "-o", binary, source], { encoding: "utf8" });
  if (built.status !== 0) return null;
  const runs = [0, 1, 2].map(() => Number(spawnSync(binary, [], { encoding: "utf8" }).stdout.split(" ")[0]));
  return median(runs);
}

/** Clock reads trace mode makes on a workload: one per line event, plus one at each call's entry and exit. */
export function traceClockReads(w: Workload, dir: string): number {
  const file = join(dir, "trace.json");
  timeRunOutput([BIN, "line", "--mode", "trace", "--json", file, w.script, ...w.args]);
  const result = JSON.parse(readFileSync(file, "utf8")) as { functions: Array<{ calls: number | null; lines: Array<{ hits: number | null }> }> };
  let reads = 0;
  for (const f of result.functions) {
    reads += 2 * (f.calls ?? 0);
    for (const l of f.lines) reads += l.hits ?? 0;
  }
  return reads;
}

/** What no per-line timer can go below on this machine: the kernel plus one clock read per event. */
interface TraceFloor {
  workload: string;
  reads: number;
  nodeClockNs: number;
  cClockNs: number | null;
  plainKernel: number;
  floorRatio: number;
  measuredRatio: number;
}

function traceFloors(workloads: Workload[], figures: Record<string, Figures>[], dir: string): TraceFloor[] {
  const nodeClockNs = nodeClockReadNs();
  const cClockNs = cClockReadNs(dir);
  const floors: TraceFloor[] = [];
  workloads.forEach((w, i) => {
    const kernel = figures[i].trace?.kernel;
    if (!kernel || !Number.isFinite(kernel.plain) || !Number.isFinite(kernel.profiled)) return;
    const reads = traceClockReads(w, dir);
    const floorRatio = (kernel.plain + (reads * nodeClockNs) / 1e9) / kernel.plain;
    floors.push({ workload: w.name, reads, nodeClockNs, cClockNs, plainKernel: kernel.plain, floorRatio, measuredRatio: kernel.profiled / kernel.plain });
  });
  return floors;
}

function traceFloorText(floors: TraceFloor[]): string {
  if (!floors.length) return "";
  const first = floors[0];
  const rows = floors.map((f) => [
    f.workload,
    f.reads.toLocaleString("en-US"),
    `${((f.reads * f.nodeClockNs) / 1e9).toFixed(2)} s`,
    `${f.plainKernel.toFixed(3)} s`,
    `${f.floorRatio.toFixed(2)}×`,
    `${f.measuredRatio.toFixed(2)}×`,
  ]);
  return [
    "",
    "### What bounds trace mode here",
    "",
    `Trace mode reads the clock once per line event and once at each call's entry and exit (the reads counted from one \`--mode trace --json\` run). ` +
      `One read of \`performance.now()\` costs ${first.nodeClockNs.toFixed(1)} ns in Node on this machine` +
      (first.cClockNs !== null ? ` (C's \`clock_gettime(CLOCK_MONOTONIC)\`: ${first.cClockNs.toFixed(1)} ns, so the cost is the system's clock, not Node's)` : "") +
      `. The kernel plus those reads alone is the floor of any exact per-line wall timer on this machine, before tsprof's own bookkeeping:`,
    "",
    markdownTable(["workload", "clock reads", "reads × cost", "plain kernel", "floor (kernel ratio)", "trace measured (kernel ratio)"], rows),
  ].join("\n");
}

export async function run(): Promise<SectionResult> {
  const julia = QUICK ? ["500", "300"] : ["1000", "300"];
  const fused = QUICK ? ["1024", "100"] : ["1024", "300"];
  const workloads: Workload[] = [
    {
      name: `Julia set (fixtures/line/julia.ts ${julia.join(" ")})`,
      script: "fixtures/line/julia.ts",
      args: julia,
      kernel: /took ([\d.]+) seconds/,
      modes: ["sample", "hybrid", "trace"],
      targets: { sample: "≤ 1.05× of --cpu-prof", hybrid: "≤ 1.2×", trace: "≤ 3×" },
    },
    {
      name: `fused diffusion (fixtures/line/diffusion-fused.ts ${fused.join(" ")})`,
      script: "fixtures/line/diffusion-fused.ts",
      args: fused,
      kernel: / in ([\d.]+) s,/,
      modes: ["sample", "hybrid"],
      targets: { sample: "≤ 1.05× of --cpu-prof", hybrid: "≤ 1.2×" },
    },
    {
      // Trace on the tight inlined loop: every statement an event, reported as measured.
      name: "fused diffusion, tight loop (fixtures/line/diffusion-fused.ts 256 100)",
      script: "fixtures/line/diffusion-fused.ts",
      args: ["256", "100"],
      kernel: / in ([\d.]+) s,/,
      modes: ["trace"],
      targets: { trace: "reported" },
    },
  ];
  const tempDir = mkdtempSync(join(tmpdir(), "tsprof-bench-line-"));
  const rows: string[][] = [];
  const figures: Record<string, Figures>[] = [];
  let floors: TraceFloor[] = [];
  try {
    for (const w of workloads) {
      const measured = measureWorkload(w, javaScriptTwin(join(ROOT, w.script), tempDir), tempDir);
      rows.push(...measured.rows);
      figures.push(measured.figures);
    }
    floors = traceFloors(workloads, figures, tempDir);
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
  const python = kernprofRows();
  if (python) rows.push(...python.rows);
  const body = [
    `Wall time of the whole command, median of ${RUNS} interleaved runs after one warm-up. "plain" is plain \`node\` on the script's JavaScript as tsprof compiles it ` +
      `(esbuild; no loader, no instrumentation); the peers' plain run is python3. "kernel" is the time the script prints for its own computation (Julia: calculateZSerialPurePython; fused: the time steps): ` +
      `the per-line cost without start-up. "CPU ratio": user + system time of the whole command (all its processes and threads) over plain's, the steadier figure on a loaded machine. ` +
      `\`node --cpu-prof\` runs the same JavaScript and samples at ${SAMPLE_INTERVAL_US} µs, sample mode's default interval.` +
      (python ? "" : " line_profiler was not installed (apt-get install python3-line-profiler): no Python row."),
    "",
    markdownTable(["workload", "profiler", "plain wall", "profiled wall", "wall ratio", "CPU ratio", "kernel ratio", "target"], rows),
    traceFloorText(floors),
  ].join("\n");
  return { body, targets: lineTargets(figures, python?.wall ?? null) };
}

/** Issue 12's targets for `tsprof line`, from the medians (wall decides; CPU is shown beside it). */
function lineTargets([julia, fused, tight]: Record<string, Figures>[], kernprof: number | null): TargetRow[] {
  const x = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? `${v.toFixed(2)}×` : "n/a");
  const verdict = (values: Array<number | undefined>, limit: number) =>
    values.every((v) => v !== undefined && Number.isFinite(v)) ? (values.every((v) => v! <= limit) ? "met (wall)" : "not met (wall)") : "not measured";
  const sample = [julia.sample?.vsCpuProf, fused.sample?.vsCpuProf];
  const hybrid = [julia.hybrid, fused.hybrid];
  return [
    {
      target: "`line --mode sample` within 1.05× of `node --cpu-prof` (same interval)",
      measured: `wall ${x(sample[0]?.wall)} (Julia), ${x(sample[1]?.wall)} (fused); CPU ${x(sample[0]?.cpu)}, ${x(sample[1]?.cpu)}`,
      verdict: verdict(sample.map((s) => s?.wall), 1.05),
    },
    {
      target: "`line` (hybrid) ≤ 1.2× plain node on Julia and on the fused kernel",
      measured: `wall ${x(hybrid[0]?.wall)} (Julia), ${x(hybrid[1]?.wall)} (fused), worst ${x(Math.max(...hybrid.map((h) => h?.wall ?? Number.NaN)))}; CPU ${x(hybrid[0]?.cpu)}, ${x(hybrid[1]?.cpu)}`,
      verdict: verdict(hybrid.map((h) => h?.wall), 1.2),
    },
    {
      target: "`line --mode trace` ≤ 3× on Julia; the tight-loop figure reported",
      measured:
        `wall ${x(julia.trace?.wall)} (Julia; CPU ${x(julia.trace?.cpu)}); tight loop (fused 256): wall ${x(tight.trace?.wall)}` +
        (kernprof !== null ? `; line_profiler (kernprof -l) on julia.py: ${x(kernprof)} wall` : ""),
      verdict: verdict([julia.trace?.wall], 3),
    },
  ];
}

if (require.main === module) {
  run().then((r) => process.stdout.write(`${r.body}\n\n${JSON.stringify(r.targets, null, 2)}\n`));
}
