/**
 * Counters of one variant counted by the CPU: the cell child under `perf stat`, counting only its
 * measured steps (a window the child opens and closes through perf's control FIFO, see
 * window-marker.ts), on the cell's own size. Where the CPU has no counters (a VM: perf prints
 * `<not supported>`), the study simulates them with callgrind instead (slow-causes.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CounterRow, StudyCounters } from "@tsprof/core";
import { probeHardwareCounters, runPerfStat } from "@tsprof/perf";
import { makeWindowFifos, type SlowRunTarget } from "./slow-causes";

/** The events the study counts per step, where the CPU can count them. */
export const HARDWARE_EVENTS = ["instructions", "cycles", "cache-misses", "branch-misses"];

/** Does this machine's CPU count `instructions` through perf? Asked once per process. */
let probed: Promise<{ available: boolean; reason: string }> | null = null;
export function hardwareCountersHere(): Promise<{ available: boolean; reason: string }> {
  probed ??= probeHardwareCounters();
  return probed;
}

/** The counted rows of one windowed run, by event name (perf's ":u" suffix dropped). */
export type WindowCounts = Map<string, CounterRow>;

/**
 * `perf stat --delay=-1 --control fifo:ctl,ack -e <events>` over the cell child, which enables the
 * events after `warmupSteps` and disables them after `steps` more: the counts of those steps only.
 * Resolves with the rows, or one line saying why there are none.
 */
export async function countWindow(target: SlowRunTarget, steps: number, warmupSteps: number, events: string[], signal?: AbortSignal): Promise<WindowCounts | string> {
  if (target.native) return "a compiled program does not mark its steps for perf";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  try {
    const fifos = await makeWindowFifos(dir);
    if (typeof fifos === "string") return fifos;
    const { controlFifo, ackFifo } = fifos;
    const argv = target.argv(steps, [], { warmupSteps, instrumentSteps: 0, controlFifo, ackFifo });
    const run = await runPerfStat(
      { kind: "command", label: target.variant, argv, simulationArgv: argv, simulationBaselineArgv: null },
      { events, repeats: 1, tempDir: dir, env: process.env, stdout: "stderr", extraArgs: ["--delay=-1", `--control=fifo:${controlFifo},${ackFifo}`], quiet: { signal } },
    );
    if (signal?.aborted) return "stopped";
    const why = run.usage ?? run.hardware?.message ?? run.failure;
    if (why) return why;
    if (run.exitCode !== 0 || !run.parsed) return `under perf the run ${run.signal ? `died of ${run.signal}` : `exited ${run.exitCode}`}`;
    return new Map(run.parsed.rows.map((row) => [row.event.replace(/:u$/, ""), row]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A counted value, or null where the event was not counted. */
function counted(rows: WindowCounts, event: string): number | null {
  const row = rows.get(event);
  return row?.status === "counted" && row.value !== null ? row.value : null;
}

/** The study's counters of one variant at one size, counted by the CPU over `steps` steps. */
export async function measureHardware(target: SlowRunTarget, steps: number, warmupSteps: number, signal?: AbortSignal): Promise<StudyCounters> {
  const base: StudyCounters = { variant: target.variant, size: target.size, simulated: false, tool: "perf", ipc: null, cacheMissPct: null, instructions: null };
  const rows = await countWindow(target, steps, warmupSteps, HARDWARE_EVENTS, signal);
  if (typeof rows === "string") return { ...base, note: `counters: n/a (${rows})` };
  const instructions = counted(rows, "instructions");
  if (instructions === null) return { ...base, note: "counters: n/a (perf counted no instructions in the window)" };
  const cycles = counted(rows, "cycles");
  const per = (value: number | null) => (value === null ? null : value / steps);
  return {
    ...base,
    instructions,
    ipc: cycles ? instructions / cycles : null,
    steps,
    warmupSteps,
    perStep: { instructions: instructions / steps, d1Misses: null, llMisses: null, branchMispredicts: per(counted(rows, "branch-misses")), cacheMisses: per(counted(rows, "cache-misses")) },
    note: `counted by the CPU (perf stat), ${steps} steps after ${warmupSteps} warm-up steps`,
  };
}
