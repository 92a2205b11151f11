import path from "node:path";
import type { StudyResult, VariantInfo } from "@tsprof/core";
import { lineProfileVariant, memPlotVariant, type VariantTarget } from "./actions";
import type { DashboardActions } from "./tui";
import type { BuiltinWorkload, StudyRunner } from "./study-runner";
import { mkdtempSync } from "node:fs";
import os from "node:os";

/**
 * Wiring between the CLI and the dashboard: which rows to show before the study reports, and how
 * `p` / `m` run tsprof on one variant.
 */

/** Rows shown from the start: the built-in workload's variants (filtered), or the named ones. */
export function initialVariants(
  runner: StudyRunner,
  workload: BuiltinWorkload | "custom",
  names: string[] | undefined,
  _customModule?: string,
): VariantInfo[] {
  if (workload === "custom") {
    // A user module's variants are only known once the study loads it (in a child process).
    return (names ?? []).map((name) => ({ name, description: "" }));
  }
  const all = runner.listVariants(workload);
  if (!names) return all;
  return names.map((name) => all.find((v) => v.name === name) ?? { name, description: "" });
}

export interface DefaultActionsOptions {
  /** tsprof's own bin.js, spawned as `node bin.js line ...`. */
  cliPath: string;
  runner: StudyRunner;
  workload: BuiltinWorkload | "custom";
  customModule?: string;
  sizes: number[];
  iterations: number;
}

/** Size and iteration count for `p` and `m`: the smallest grid, few iterations, so it is quick. */
export function profileRun(sizes: number[], iterations: number): { size: number; iterations: number } {
  return { size: Math.min(...sizes), iterations: Math.max(1, Math.min(iterations, 50)) };
}

/** Where the runner script for one variant is (dist/variant-entry.js next to this file). */
export const VARIANT_ENTRY = path.join(__dirname, "variant-entry.js");

/**
 * The script and module to profile for a variant. A user module runs through variant-entry.js;
 * a built-in variant needs the diffusion package to say which module holds it.
 */
export function variantTarget(options: DefaultActionsOptions, variant: string): VariantTarget | string {
  const { size, iterations } = profileRun(options.sizes, options.iterations);
  if (options.workload === "custom" && options.customModule) {
    return { script: VARIANT_ENTRY, args: [options.customModule, variant, String(size), String(iterations)], module: options.customModule };
  }
  const locate = (options.runner as StudyRunner & { variantModule?: (w: BuiltinWorkload, v: string) => { file: string; exportName: string } | null })
    .variantModule;
  if (options.workload !== "custom" && typeof locate === "function") {
    const found = locate(options.workload, variant);
    if (found) {
      return { script: VARIANT_ENTRY, args: [found.file, found.exportName, String(size), String(iterations)], module: found.file };
    }
  }
  return `n/a: @tsprof/diffusion does not say which module holds the built-in variant "${variant}"`;
}

export function createDefaultActions(options: DefaultActionsOptions): DashboardActions {
  let plotDir: string | null = null;
  return {
    async lineProfile(variant, _state, signal) {
      const target = variantTarget(options, variant);
      if (typeof target === "string") return { kind: "line", variant, status: "unavailable", lines: [target] };
      const { size, iterations } = profileRun(options.sizes, options.iterations);
      const action = await lineProfileVariant(options.cliPath, variant, target, 200, signal);
      return { ...action, lines: [`${size}×${size}, ${iterations} iterations`, ...action.lines] };
    },
    async memPlot(variant, _state, signal) {
      const target = variantTarget(options, variant);
      if (typeof target === "string") return { kind: "mem", variant, status: "unavailable", lines: [target] };
      plotDir ??= mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
      return memPlotVariant(options.cliPath, variant, target, plotDir, signal);
    },
    async countersNote(_result: StudyResult) {
      return "counters: n/a (the study reported no counters)";
    },
  };
}
