/** Shared by the benchmark sections: timing whole commands, medians, Markdown tables. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "..");
export const BIN = join(ROOT, "cli", "dist", "bin.js");

/**
 * Wall time of one run of `node args...`, in seconds, what it printed, and its CPU time (user +
 * system of the command and every process it waited for, from /usr/bin/time when present: on a
 * loaded machine CPU time is the steadier measure); throws if it fails.
 */
export function timeRunOutput(args: string[], env: NodeJS.ProcessEnv = {}): { seconds: number; stdout: string; cpu: number | null } {
  const timed = existsSync(TIME);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(timed ? TIME : process.execPath, timed ? ["-f", "tsprof-bench-cpu %U %S", process.execPath, ...args] : args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  const cpu = /tsprof-bench-cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { seconds, stdout: r.stdout, cpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : null };
}

const TIME = "/usr/bin/time";

/** Wall time of one run of `node args...`, in seconds; throws if it fails. */
export function timeRun(args: string[], env: NodeJS.ProcessEnv = {}): number {
  return timeRunOutput(args, env).seconds;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Median wall time of each configuration, runs interleaved (a, b, c, a, b, c, ...) so that load from
 * other processes on this shared machine falls on all of them alike.
 */
export function interleavedMedians(
  configs: Record<string, () => number>,
  runs: number,
): Record<string, { median: number; runs: number[] }> {
  const times: Record<string, number[]> = {};
  for (const name of Object.keys(configs)) times[name] = [];
  for (const name of Object.keys(configs)) configs[name](); // warm-up (disk cache, compile cache)
  for (let i = 0; i < runs; i++) for (const [name, run] of Object.entries(configs)) times[name].push(run());
  const out: Record<string, { median: number; runs: number[] }> = {};
  for (const [name, t] of Object.entries(times)) out[name] = { median: median(t), runs: t };
  return out;
}

/** The machine's CPU time so far, in clock ticks: the time its cores ran or wanted to run (busy + steal), and what the hypervisor took (steal). */
export interface CpuTicks {
  wanted: number;
  steal: number;
}

/** /proc/stat's "cpu" line (Linux); null elsewhere. */
export function cpuTicks(): CpuTicks | null {
  try {
    const fields = /^cpu\s+(.*)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1].trim().split(/\s+/).map(Number);
    if (!fields || fields.length < 8) return null;
    // user nice system idle iowait irq softirq steal [guest guest_nice, already inside user/nice]
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return { wanted: user + nice + system + irq + softirq + steal, steal };
  } catch {
    return null;
  }
}

/**
 * Of the time this VM's cores wanted to run between two readings, the share the hypervisor gave to
 * other guests instead ("steal"). Wall times measured while it is high run long for reasons outside
 * the machine; CPU times do not count it.
 */
export function stealShare(before: CpuTicks | null, after: CpuTicks | null): number | null {
  if (!before || !after || after.wanted <= before.wanted) return null;
  return (after.steal - before.steal) / (after.wanted - before.wanted);
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** One of issue 12's targets as a section measured it: what the summary at the top of BENCHMARKS.md lists. */
export interface TargetRow {
  target: string;
  /** The figures, from this run. */
  measured: string;
  /** "met", "not met", or why it could not be told, computed from the figures. */
  verdict: string;
}

/** What a section returns: its Markdown, and the targets it measured (none for a section of other figures). */
export interface SectionResult {
  body: string;
  targets: TargetRow[];
}

/** "1.15× (1.04–1.19)": median and range of ratios; "n/a" when there are none. */
export function ratioSpan(values: number[]): string {
  return values.length ? `${median(values).toFixed(2)}× (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})` : "n/a";
}

/**
 * The plain baseline of a TypeScript fixture: its JavaScript as tsprof compiles it (esbuild,
 * CommonJS, no instrumentation), written into `dir`, to run as `node <file>` with no loader at all.
 * The profiled runs execute the same compiled code (instrumented where marked). Fixtures it is used
 * on import nothing of their own, so the file runs from anywhere.
 */
export function javaScriptTwin(script: string, dir: string): string {
  const { compileFile } = require("@tsprof/runner") as typeof import("@tsprof/runner");
  const out = join(dir, `${basename(dirname(script))}-${basename(script).replace(/\.[cm]?tsx?$/, "")}.js`);
  writeFileSync(out, compileFile(script, readFileSync(script, "utf8"), "commonjs", null).code);
  return out;
}
