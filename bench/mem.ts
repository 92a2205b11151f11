/**
 * `tsprof mem` overhead.
 * - `--plot` recording: wall time and the script's own kernel time (julia.ts prints it) against the
 *   same script run without tsprof (plain `node` on its JavaScript as tsprof compiles it); the PNG
 *   drawing is timed apart.
 * - per-line mode (and --gc) against the same baseline, with memory_profiler's per-line mode on the
 *   same programs in Python as the reference (Debian's python3-memory-profiler, when installed).
 * Median of interleaved runs; every figure is measured in this run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, ROOT, javaScriptTwin, markdownTable, median, type SectionResult, type TargetRow } from "./util";

const QUICK = process.env.BENCH_QUICK === "1";
const RUNS = QUICK ? 3 : 5;
const PLOT_RUNS = QUICK ? 3 : 5;
const FIXTURES = join(ROOT, "fixtures", "mem");
const SYSTEM_PYTHON = "/usr/bin/python3";

interface Timed {
  wall: number;
  /** The kernel time the script printed, seconds (julia only). */
  kernel: number | null;
}

function timeCommand(command: string, args: string[], cwd: string): Timed {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  const m =
    /(?:calculateZSerialPurePython|calculate_z_serial_purepython) took:? ([\d.e-]+) seconds/.exec(r.stdout) ??
    /steps of \d+x\d+ in ([\d.]+) s/.exec(r.stdout);
  return { wall, kernel: m ? Number(m[1]) : null };
}

/** Interleaved runs after one warm-up each; medians of wall and kernel time. */
function measure(configs: Record<string, () => Timed>, runs = RUNS): Record<string, { wall: number; kernel: number | null; walls: number[] }> {
  const results: Record<string, Timed[]> = {};
  for (const [name, run] of Object.entries(configs)) {
    run();
    results[name] = [];
  }
  for (let i = 0; i < runs; i++) for (const [name, run] of Object.entries(configs)) results[name].push(run());
  const out: Record<string, { wall: number; kernel: number | null; walls: number[] }> = {};
  for (const [name, list] of Object.entries(results)) {
    const kernels = list.map((t) => t.kernel).filter((k): k is number => k !== null);
    out[name] = { wall: median(list.map((t) => t.wall)), kernel: kernels.length ? median(kernels) : null, walls: list.map((t) => t.wall) };
  }
  return out;
}

const s = (x: number) => `${x.toFixed(3)} s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

export async function run(): Promise<SectionResult> {
  const mem = require("@tsprof/mem") as typeof import("@tsprof/mem");
  const cwd = mkdtempSync(join(tmpdir(), "tsprof-"));
  const node = process.execPath;
  const julia = join(FIXTURES, "julia.ts");
  const parts: string[] = [];
  let targets: TargetRow[] = [];
  try {
    // 1. --plot recording, on an allocating workload (julia) and a steady numeric kernel.
    const plotWorkloads = [
      { name: "julia.ts --width 1000 --iterations 300", script: julia, args: ["--width", "1000", "--iterations", "300"] },
      { name: "line/diffusion-fused.ts 512 300", script: join(ROOT, "fixtures", "line", "diffusion-fused.ts"), args: ["512", "300"] },
      // A longer run: the fixed start-up cost (instrumenting for the brackets, tsprof's own start)
      // against the sampling's cost per second.
      ...(QUICK ? [] : [{ name: "line/diffusion-fused.ts 1024 2500", script: join(ROOT, "fixtures", "line", "diffusion-fused.ts"), args: ["1024", "2500"] }]),
    ];
    const plotRows: string[][] = [];
    const allWalls: string[] = [];
    let renderLine = "";
    for (const w of plotWorkloads) {
      const twin = javaScriptTwin(w.script, cwd);
      const plot = measure(
        {
          plain: () => timeCommand(node, [twin, ...w.args], cwd),
          "mem --plot": () => timeCommand(node, [BIN, "mem", "--plot", "--terminal", w.script, "--", ...w.args], cwd),
        },
        PLOT_RUNS,
      );
      const p = plot.plain;
      const r = plot["mem --plot"];
      plotRows.push([w.name, s(p.wall), s(r.wall), ratio(r.wall, p.wall), p.kernel !== null ? s(p.kernel) : "-", r.kernel !== null ? s(r.kernel) : "-", p.kernel !== null && r.kernel !== null ? ratio(r.kernel, p.kernel) : "-"]);
      allWalls.push(`${w.name}: plain ${p.walls.map((x) => x.toFixed(2)).join(", ")}; mem --plot ${r.walls.map((x) => x.toFixed(2)).join(", ")}`);
      if (!renderLine) {
        const recordings = readdirSync(join(cwd, ".tsprof")).filter((n) => n.endsWith(".mem.jsonl"));
        const recording = mem.readRecording(join(cwd, ".tsprof", recordings[recordings.length - 1]));
        const renderTimes: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const t0 = process.hrtime.bigint();
          await mem.renderRecordingPng(recording, { width: 1200, height: 600 });
          renderTimes.push(Number(process.hrtime.bigint() - t0) / 1e9);
        }
        renderLine = `A julia recording holds ${recording.samples.length} samples; drawing its 1200×600 PNG afterwards takes ${s(median(renderTimes))} (median of ${RUNS}).`;
      }
    }
    parts.push(
      "### `tsprof mem --plot` (recording overhead; target ≤ 1.05× wall)\n\n" +
        `--interval 10 ms, chart drawn with --terminal so that the recording alone is timed; median of ${PLOT_RUNS} interleaved runs after a warm-up. ` +
        `"plain" is plain \`node\` on the script's JavaScript as tsprof compiles it (esbuild; no loader, no instrumentation). Kernel = the time the script itself prints for its marked computation ` +
        `(julia: calculateZSerialPurePython; diffusion: the time-step loop).\n\n` +
        markdownTable(["workload", "plain wall", "--plot wall", "wall ratio", "plain kernel", "--plot kernel", "kernel ratio"], plotRows) +
        `\n\nAll wall times (s): ${allWalls.join(". ")}. ${renderLine}\n`,
    );

    // 2. Per-line mode.
    const small = ["--width", "60", "--iterations", "100"];
    const pythonReady = existsSync(SYSTEM_PYTHON) && spawnSync(SYSTEM_PYTHON, ["-c", "import memory_profiler"]).status === 0;
    const juliaTwin = javaScriptTwin(julia, cwd);
    const profilemeTwin = javaScriptTwin(join(FIXTURES, "profileme.ts"), cwd);
    const configs: Record<string, () => Timed> = {
      "julia plain": () => timeCommand(node, [juliaTwin, ...small], cwd),
      "julia tsprof mem": () => timeCommand(node, [BIN, "mem", julia, "--", ...small], cwd),
      "profileme plain": () => timeCommand(node, [profilemeTwin], cwd),
      "profileme tsprof mem": () => timeCommand(node, [BIN, "mem", join(FIXTURES, "profileme.ts")], cwd),
      "profileme tsprof mem --gc": () => timeCommand(node, [BIN, "mem", "--gc", join(FIXTURES, "profileme.ts")], cwd),
    };
    if (pythonReady) {
      const py = join(FIXTURES, "python");
      configs["julia python"] = () => timeCommand(SYSTEM_PYTHON, [join(py, "julia.py"), "60", "100"], cwd);
      configs["julia memory_profiler"] = () => timeCommand(SYSTEM_PYTHON, ["-m", "memory_profiler", join(py, "julia.py"), "60", "100"], cwd);
      configs["profileme python"] = () => timeCommand(SYSTEM_PYTHON, [join(py, "profileme.py")], cwd);
      configs["profileme memory_profiler"] = () => timeCommand(SYSTEM_PYTHON, ["-m", "memory_profiler", join(py, "profileme.py")], cwd);
    }
    const perLine = measure(configs);
    targets = memTargets(perLine);
    const rows: string[][] = [];
    const row = (label: string, run: string, base: string) => {
      const r = perLine[run];
      const b = perLine[base];
      rows.push([
        label,
        s(r.wall),
        ratio(r.wall, b.wall),
        r.kernel !== null ? s(r.kernel) : "-",
        r.kernel !== null && b.kernel !== null ? ratio(r.kernel, b.kernel) : "-",
      ]);
    };
    row("julia.ts 60×100: plain", "julia plain", "julia plain");
    row("julia.ts 60×100: tsprof mem", "julia tsprof mem", "julia plain");
    if (pythonReady) {
      row("julia.py 60×100: python3", "julia python", "julia python");
      row("julia.py 60×100: python3 -m memory_profiler", "julia memory_profiler", "julia python");
    }
    row("profileme.ts: plain", "profileme plain", "profileme plain");
    row("profileme.ts: tsprof mem", "profileme tsprof mem", "profileme plain");
    row("profileme.ts: tsprof mem --gc", "profileme tsprof mem --gc", "profileme plain");
    if (pythonReady) {
      row("profileme.py: python3", "profileme python", "profileme python");
      row("profileme.py: python3 -m memory_profiler", "profileme memory_profiler", "profileme python");
    }
    parts.push(
      "### `tsprof mem` per-line mode\n\n" +
        `Median of ${RUNS} interleaved runs after a warm-up. Every statement of a profiled function reads RSS (/proc/self/statm) and the V8 heap at its start, ` +
        `and the sampling heap profiler runs for the whole program. Ratios compare each profiler with its own language's plain run; ` +
        (pythonReady
          ? "memory_profiler is Debian's python3-memory-profiler on /usr/bin/python3.\n\n"
          : "memory_profiler was not installed (apt-get install python3-memory-profiler), so no Python reference this time.\n\n") +
        markdownTable(["run", "wall", "wall ratio", "kernel", "kernel ratio"], rows) +
        "\n",
    );
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return { body: parts.join("\n"), targets };
}

/** Issue 12's target for mem's per-line mode, from the medians (memory_profiler beside it where installed). */
function memTargets(perLine: Record<string, { wall: number; kernel: number | null }>): TargetRow[] {
  const wall = perLine["julia tsprof mem"].wall / perLine["julia plain"].wall;
  const peer = perLine["julia memory_profiler"] && perLine["julia python"] ? perLine["julia memory_profiler"].wall / perLine["julia python"].wall : null;
  return [
    {
      target: "`mem` per-line ≤ 3× wall on Julia 60×100",
      measured: `${wall.toFixed(2)}× wall` + (peer !== null ? `; memory_profiler on julia.py: ${peer.toFixed(2)}×` : ""),
      verdict: wall <= 3 ? "met" : "not met",
    },
  ];
}

if (require.main === module) {
  run().then((r) => process.stdout.write(`${r.body}\n\n${JSON.stringify(r.targets, null, 2)}\n`));
}
