/**
 * The study's slow measurements (see slow-causes.ts): for each available variant, on the smallest
 * size, the JIT log; and (unless asked not to) its counters: counted by the CPU at every size
 * where perf can (hardware-counters.ts), else simulated by callgrind on the smallest size. Each result is
 * emitted as an event as soon as it is known, so a live view fills in.
 */
import * as path from "node:path";
import type { StudyCell, StudyCounters, StudyEvent, StudyJit, VariantInfo } from "@tsprof/core";
import type { CellSpec } from "./protocol";
import { findVariant } from "./registry";
import { hardwareCountersHere, measureHardware } from "./hardware-counters";
import { measureJit, measureSimulated, stepsFor, type SlowRunTarget } from "./slow-causes";
import { childArgs, type StudyOptions } from "./study";

/** Native seconds of steps a window counted by the CPU covers (perf stat costs nothing per step). */
const HARDWARE_STEP_SECONDS = 0.2;
/** Native seconds of steps each simulated run covers (callgrind runs them 50-100x slower). */
const SIMULATED_STEP_SECONDS = 0.05;
/** Native seconds of steps the JIT run covers: long enough for TurboFan to compile the kernel. */
const JIT_STEP_SECONDS = 0.5;
/** Native seconds of uncounted steps before a counted window, so the JIT has compiled the kernel. */
const WARMUP_STEP_SECONDS = 0.1;

/** Files that are a built-in variant's own code: the variants folder and the shared grid module. */
function builtinOwnFile(file: string): boolean {
  const parts = file.split(path.sep);
  return parts.includes("variants") || /^grid\.(ts|js)$/.test(path.basename(file));
}

/** A user's module and what it imports, but nothing under node_modules and nothing of tsprof's. */
function customOwnFile(file: string): boolean {
  const tsprofPackages = path.resolve(__dirname, "..", "..");
  return !file.split(path.sep).includes("node_modules") && !file.startsWith(tsprofPackages + path.sep) && !file.startsWith("node:");
}

export function slowRunTarget(options: StudyOptions, variant: VariantInfo, size: number): SlowRunTarget {
  const program = options.workload === "custom" ? undefined : findVariant(options.workload, variant.name)?.program?.();
  if (program) {
    return {
      variant: variant.name,
      size,
      native: true,
      isOwnFile: () => false,
      // budget 0: never stop early (the figures are per step, the count must be exact)
      argv: (steps) => [program.path ?? "false", String(size), String(steps), "0"],
    };
  }
  return {
    variant: variant.name,
    size,
    native: false,
    isOwnFile: options.workload === "custom" ? customOwnFile : builtinOwnFile,
    argv: (steps, flags, window) => {
      const spec: CellSpec = { mode: "cell", workload: options.workload, variant: variant.name, size, iterations: steps, budgetSeconds: 0, customModule: options.customModule, window };
      return [process.execPath, ...flags, ...childArgs(spec, options.workload === "custom")];
    },
  };
}

/**
 * Counters of one variant: counted by the CPU at every size where perf can count (windowed on
 * steps, cheap), else simulated at the smallest size (callgrind, 50-100x slower).
 */
async function measureCounters(options: StudyOptions, variant: VariantInfo, results: StudyCell[], hardware: boolean, report: (c: StudyCounters) => void, isAborted: () => boolean): Promise<void> {
  const smallest = Math.min(...options.sizes);
  const perStepAt = (size: number) => {
    const cell = results.find((c) => c.variant === variant.name && c.size === size);
    return cell?.seconds ? cell.seconds / cell.iterations : null;
  };
  const native = slowRunTarget(options, variant, smallest).native;
  if (hardware && !native) {
    for (const size of options.sizes) {
      const perStep = perStepAt(size);
      if (perStep === null || isAborted()) continue;
      const steps = stepsFor(HARDWARE_STEP_SECONDS, perStep, options.iterations, 3);
      report(await measureHardware(slowRunTarget(options, variant, size), steps, stepsFor(WARMUP_STEP_SECONDS, perStep, options.iterations, 2), options.signal));
    }
    return;
  }
  const perStep = perStepAt(smallest);
  if (perStep === null) return;
  const target = slowRunTarget(options, variant, smallest);
  report(await measureSimulated(target, stepsFor(SIMULATED_STEP_SECONDS, perStep, options.iterations, 5), stepsFor(WARMUP_STEP_SECONDS, perStep, options.iterations, 2), options.signal));
}

export async function runSlowCauses(
  options: StudyOptions,
  variants: VariantInfo[],
  results: StudyCell[],
  onEvent: (e: StudyEvent) => void,
  isAborted: () => boolean,
): Promise<{ counters: StudyCounters[]; jit: StudyJit[] }> {
  const out = { counters: [] as StudyCounters[], jit: [] as StudyJit[] };
  const mode = options.slowCauses ?? "all";
  if (mode === "none") return out;
  const size = Math.min(...options.sizes);
  const hardware = mode === "all" && (await hardwareCountersHere()).available;
  for (const variant of variants) {
    if (isAborted()) break;
    const cell = results.find((c) => c.variant === variant.name && c.size === size);
    if (variant.unavailable || !cell?.seconds) continue;
    const perStep = cell.seconds / cell.iterations;
    const target = slowRunTarget(options, variant, size);
    const jit = await measureJit(target, stepsFor(JIT_STEP_SECONDS, perStep, options.iterations, 1), options.signal);
    if (isAborted()) break;
    out.jit.push(jit);
    onEvent({ type: "jit", jit });
    if (mode !== "all") continue;
    await measureCounters(options, variant, results, hardware, (counters) => {
      if (isAborted()) return;
      out.counters.push(counters);
      onEvent({ type: "counters", counters });
    }, isAborted);
  }
  return out;
}
