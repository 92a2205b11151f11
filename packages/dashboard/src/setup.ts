import path from "node:path";
import { UsageError, type VariantInfo } from "@tsprof/core";
import { sizeLabel } from "./render";
import { lineProfileVariant, memPlotVariant, type VariantTarget } from "./actions";
import type { DashboardActions } from "./tui";
import type { BuiltinWorkload, StudyRunner } from "./study-runner";
import { existsSync, readdirSync } from "node:fs";

/**
 * Wiring between the CLI and the dashboard: which rows to show before the study reports, and how
 * `p` / `m` run tsprof on one variant.
 */

/**
 * Rows shown from the start: the built-in workload's variants (filtered), or a user module's
 * exports in source order, asked of @tsprof/diffusion (which loads the module in a child process).
 * A module that cannot be loaded or exports no variants fails here, before any screen is drawn.
 */
export async function initialVariants(
  runner: StudyRunner,
  workload: BuiltinWorkload | "custom",
  names: string[] | undefined,
  customModule?: string,
): Promise<VariantInfo[]> {
  let all: VariantInfo[];
  if (workload === "custom") {
    // Without the lister, the rows appear as the study reports them.
    if (!runner.listCustomVariants || !customModule) return (names ?? []).map((name) => ({ name, description: "" }));
    all = await runner.listCustomVariants(customModule);
  } else {
    all = runner.listVariants(workload);
  }
  if (!names) return all;
  const unknown = names.filter((name) => !all.some((v) => v.name === name));
  if (unknown.length > 0) {
    throw new UsageError(`--variants: unknown ${workload === "custom" ? "variant" : `${workload} variant`} ${unknown.join(", ")} (known: ${all.map((v) => v.name).join(", ")})`);
  }
  return names.map((name) => all.find((v) => v.name === name)!);
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
 * Where a built-in variant's modules are: the compiled diffusion package (dist/), found as Node
 * finds it. `--module` names them there; the study runs the same files.
 */
export function diffusionDistDir(): string | null {
  try {
    return path.dirname(require.resolve("@tsprof/diffusion/registry"));
  } catch {
    return null;
  }
}

/**
 * The script and modules to profile for a variant. A user module runs through variant-entry.js
 * as it is. A built-in variant runs from the diffusion package where it is installed, created
 * through its registry, with every module of its workload's variants profiled (`--module` lets
 * tsprof instrument its own files); the pane maps their lines back to TypeScript (original-lines.ts).
 */
export function variantTarget(options: DefaultActionsOptions, variant: string, distDir = diffusionDistDir()): VariantTarget | string {
  const { size, iterations } = profileRun(options.sizes, options.iterations);
  if (options.workload === "custom") {
    if (!options.customModule) return "n/a: no variants module";
    return { script: VARIANT_ENTRY, args: [options.customModule, variant, String(size), String(iterations)], modules: [options.customModule] };
  }
  const info = options.runner.listVariants(options.workload).find((v) => v.name === variant);
  if (!info) return `n/a: @tsprof/diffusion has no ${options.workload} variant "${variant}"`;
  if (info.runsAs === "program") return `n/a: ${variant} is a compiled program; tsprof line and mem profile JavaScript/TypeScript`;
  if (!distDir) return "n/a: @tsprof/diffusion cannot be found";
  const variantsDir = path.join(distDir, "variants", options.workload);
  if (!existsSync(variantsDir)) return `n/a: ${options.workload} variants are not built in @tsprof/diffusion`;
  const modules = readdirSync(variantsDir)
    .filter((f) => f.endsWith(".js"))
    .map((f) => path.join(variantsDir, f));
  return {
    script: VARIANT_ENTRY,
    // registry.js, not index.js: the index also loads the study runner and the TypeScript compiler.
    args: ["--builtin", path.join(distDir, "registry.js"), options.workload, variant, String(size), String(iterations)],
    modules,
  };
}

export function createDefaultActions(options: DefaultActionsOptions): DashboardActions {
  return {
    async lineProfile(variant, _state, signal) {
      const target = variantTarget(options, variant);
      if (typeof target === "string") return { kind: "line", variant, status: "unavailable", lines: [target] };
      const { size, iterations } = profileRun(options.sizes, options.iterations);
      const action = await lineProfileVariant(options.cliPath, variant, target, 200, signal);
      return { ...action, lines: [`${sizeLabel(size, options.workload)}, ${iterations} iterations`, ...action.lines] };
    },
    async memPlot(variant, _state, signal) {
      const target = variantTarget(options, variant);
      if (typeof target === "string") return { kind: "mem", variant, status: "unavailable", lines: [target] };
      return memPlotVariant(options.cliPath, variant, target, signal);
    },
  };
}
