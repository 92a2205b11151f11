/**
 * tsprof's own cost before the user's code runs (issue 12):
 * - start-up: whole-command wall and CPU time (user + system, every process of the command) of
 *   `tsprof line` in each mode and `tsprof mem` on a small TypeScript script with one marked
 *   function, against plain `node` on its JavaScript twin; cold (a fresh compile cache each run, so
 *   tsprof compiles and instruments) and warm (the cache from the previous run);
 * - footprint: the profiled process's RSS at the first line of the marked function, same runs.
 * Runs interleaved (plain, then each configuration, round after round), medians.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, ROOT, markdownTable, median, type SectionResult, type TargetRow } from "./util";

const QUICK = process.env.BENCH_QUICK === "1";
const RUNS = QUICK ? 5 : 9;
const PROBE_TS = join(ROOT, "bench", "fixtures", "first-line.ts");
const PROBE_JS = join(ROOT, "bench", "fixtures", "first-line.js");
// The same probe as an ES module: on Node 20 tsprof then needs Node's module-hooks thread.
const PROBE_MTS = join(ROOT, "bench", "fixtures", "first-line.mts");
const PROBE_MJS = join(ROOT, "bench", "fixtures", "first-line.mjs");
const SPAWN_JS = join(ROOT, "bench", "fixtures", "spawn-first-line.js");
const WORKER_JS = join(ROOT, "bench", "fixtures", "worker-first-line.js");
const TSX_CLI = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const PLAIN = "node (plain, the JavaScript twin)";
const PLAIN_ESM = "node (plain), ES module twin";
const MiB = 1024 * 1024;

interface Sample {
  wall: number;
  cpu: number;
  rss: number;
}

/** One run under /usr/bin/time: wall (our clock), CPU of the command and its children, RSS probe. */
function runOnce(args: string[], env: NodeJS.ProcessEnv): Sample {
  const t0 = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "tsprof-bench-cpu %U %S", process.execPath, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", ...env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed (${r.status}): ${r.stderr.slice(-400)}`);
  const cpu = /tsprof-bench-cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
  const rss = /rss-at-first-line (\d+)/.exec(r.stdout);
  if (!cpu || !rss) throw new Error(`${args.join(" ")}: no figures in its output`);
  return { wall, cpu: Number(cpu[1]) + Number(cpu[2]), rss: Number(rss[1]) };
}

interface Config {
  name: string;
  args: string[];
  /** Cold: a fresh compile cache for every run. */
  cold: boolean;
  /** The plain run it is compared with (default: the CommonJS twin). */
  plain?: string;
  /** Not tsprof: a reference run, what its row shows (a floor of a design choice, or a peer). */
  reference?: string;
}

export async function run(): Promise<SectionResult> {
  const configs: Config[] = [
    { name: PLAIN, args: [PROBE_JS], cold: false },
    { name: PLAIN_ESM, args: [PROBE_MJS], cold: false },
  ];
  const tsprofRuns: Array<[string, string[]]> = [
    ["tsprof line (hybrid)", ["line", PROBE_TS]],
    ["tsprof line --mode sample", ["line", "--mode", "sample", PROBE_TS]],
    ["tsprof line --mode trace", ["line", "--mode", "trace", PROBE_TS]],
    ["tsprof mem", ["mem", PROBE_TS]],
  ];
  for (const [name, args] of tsprofRuns) {
    configs.push({ name: `${name}, warm`, args: [BIN, ...args], cold: false });
    configs.push({ name: `${name}, cold`, args: [BIN, ...args], cold: true });
  }
  configs.push({ name: "tsprof line (hybrid), ES module, warm", args: [BIN, "line", PROBE_MTS], cold: false, plain: PLAIN_ESM });
  // What bounds the targets: the parts tsprof is built from, each alone on plain node.
  configs.push(
    { name: "node spawning node (the twin in a second process)", args: [SPAWN_JS], cold: false, reference: "reference: the second process" },
    { name: "node with an idle worker thread", args: [WORKER_JS], cold: false, reference: "reference: one worker thread" },
    { name: "node --cpu-prof", args: ["--cpu-prof", "--cpu-prof-dir", "PROFDIR", PROBE_JS], cold: false, reference: "reference: V8's CPU profiler" },
    { name: "tsx (runs TypeScript, no profiling)", args: [TSX_CLI, PROBE_TS], cold: false, reference: "peer: TypeScript runner" },
  );
  const warmCache = mkdtempSync(join(tmpdir(), "tsprof-bench-cache-"));
  const profDir = mkdtempSync(join(tmpdir(), "tsprof-bench-cpuprof-"));
  for (const c of configs) c.args = c.args.map((a) => (a === "PROFDIR" ? profDir : a));
  const samples = new Map<string, Sample[]>(configs.map((c) => [c.name, []]));
  const runConfig = (c: Config): Sample => {
    if (!c.cold) return runOnce(c.args, { TSPROF_CACHE_DIR: warmCache });
    const fresh = mkdtempSync(join(tmpdir(), "tsprof-bench-cold-"));
    try {
      return runOnce(c.args, { TSPROF_CACHE_DIR: fresh });
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  };
  try {
    for (const c of configs) runConfig(c); // warm-up: disk cache, and the warm compile cache
    for (let i = 0; i < RUNS; i++) for (const c of configs) samples.get(c.name)!.push(runConfig(c));
  } finally {
    rmSync(warmCache, { recursive: true, force: true });
    rmSync(profDir, { recursive: true, force: true });
  }
  const med = (name: string, key: keyof Sample) => median(samples.get(name)!.map((s) => s[key]));
  const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;
  const rows = configs.map((c) => {
    const plain = c.plain ?? PLAIN;
    const over = (key: "wall" | "cpu") => {
      const delta = (med(c.name, key) - med(plain, key)) * 1000;
      return `${delta >= 0 ? "+" : ""}${delta.toFixed(0)} ms`;
    };
    const extra = (med(c.name, "rss") - med(plain, "rss")) / MiB;
    const isPlain = c.name === PLAIN || c.name === PLAIN_ESM;
    return [
      c.name,
      ms(med(c.name, "wall")),
      isPlain ? "" : over("wall"),
      ms(med(c.name, "cpu")),
      isPlain ? "" : over("cpu"),
      `${(med(c.name, "rss") / MiB).toFixed(1)} MiB`,
      isPlain ? "" : `${extra >= 0 ? "+" : ""}${extra.toFixed(1)} MiB`,
      isPlain ? "" : (c.reference ?? "≤ +100 ms; ≤ +15 MiB"),
    ];
  });
  const load = loadavg()[0].toFixed(1);
  const over = (c: Config, key: keyof Sample) => med(c.name, key) - med(c.plain ?? PLAIN, key);
  const body = [
    "### Start-up and tsprof's own footprint",
    "",
    `A TypeScript script whose marked function prints the process's RSS at its first line (bench/fixtures/first-line.ts; plain node runs its JavaScript twin; ` +
      `the ES module row runs first-line.mts against first-line.mjs). ` +
      `Median of ${RUNS} interleaved rounds after a warm-up. "cold": a fresh compile cache for each run (tsprof compiles and instruments the script: ` +
      `the TypeScript parser and esbuild load in tsprof's parent process); "warm": the cache of the previous run. ` +
      `CPU = user + system time of the whole command (tsprof's parent and the profiled child and their threads), which a loaded machine inflates less than wall time. ` +
      `RSS = the profiled process at the first marked line (what the user's memory figures start from). ` +
      `The last rows are not tsprof: each is one of the parts tsprof is built from, alone on plain node (a parent process that outlives the program, so that a killed program's profile is saved; ` +
      `a thread beside the program, which saves it when the main thread is stuck in a loop; V8's CPU profiler), and tsx, which runs TypeScript without profiling. 1-minute load average at the end: ${load} on ${cpus().length} cores.`,
    "",
    markdownTable(["command", "wall", "wall over node", "CPU", "CPU over node", "RSS at first line", "RSS over node", "targets"], rows),
  ].join("\n");
  return { body, targets: startupTargets(configs.filter((c) => c.name !== PLAIN && c.name !== PLAIN_ESM && !c.reference), over) };
}

/** Issue 12's start-up and footprint targets, from the medians (start-up decided on wall time; CPU shown beside it). */
function startupTargets(profiled: Config[], over: (c: Config, key: keyof Sample) => number): TargetRow[] {
  const short = (c: Config) => c.name.replace(/^tsprof /, "");
  const worst = (key: keyof Sample) => profiled.reduce((a, b) => (over(b, key) > over(a, key) ? b : a));
  const ms = (s: number) => `${s >= 0 ? "+" : ""}${(s * 1000).toFixed(0)} ms`;
  const mib = (b: number) => `${b >= 0 ? "+" : ""}${(b / MiB).toFixed(1)} MiB`;
  const wallWorst = worst("wall");
  const rssWorst = worst("rss");
  return [
    {
      target: "start-up ≤ +100 ms over plain node: `line` in every mode and `mem`, cold and warm",
      measured: `wall over node: ${profiled.map((c) => `${short(c)} ${ms(over(c, "wall"))}`).join("; ")}. CPU over node: ${profiled.map((c) => `${short(c)} ${ms(over(c, "cpu"))}`).join("; ")}`,
      verdict: over(wallWorst, "wall") <= 0.1 ? "met (wall)" : `not met (wall; worst: ${short(wallWorst)} ${ms(over(wallWorst, "wall"))})`,
    },
    {
      target: "footprint ≤ +15 MiB RSS over plain node at the first marked line, cold or warm",
      measured: profiled.map((c) => `${short(c)} ${mib(over(c, "rss"))}`).join("; "),
      verdict: over(rssWorst, "rss") <= 15 * MiB ? "met" : `not met (worst: ${short(rssWorst)} ${mib(over(rssWorst, "rss"))})`,
    },
  ];
}

if (require.main === module) {
  run().then((r) => process.stdout.write(`${r.body}\n\n${JSON.stringify(r.targets, null, 2)}\n`));
}
