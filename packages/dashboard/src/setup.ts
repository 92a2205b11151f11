import path from "node:path";
import { UsageError, type VariantInfo } from "@tsprof/core";
import { sizeLabel } from "./render";
import { esModuleMarkerLine, hideCompilerHelpers, lineProfileVariant, memPlotVariant, type VariantTarget } from "./actions";
import type { DashboardActions } from "./tui";
import type { BuiltinWorkload, StudyRunner } from "./study-runner";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";

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
 * The script and modules to profile for a variant. A user module runs through variant-entry.js
 * as it is. A built-in variant runs from a staged copy of the diffusion package (see
 * stageDiffusionPackage) in `stageDir`, with every module of its workload's variants profiled.
 */
export function variantTarget(options: DefaultActionsOptions, variant: string, stageDir?: string): VariantTarget | string {
  const { size, iterations } = profileRun(options.sizes, options.iterations);
  if (options.workload === "custom") {
    if (!options.customModule) return "n/a: no variants module";
    return { script: VARIANT_ENTRY, args: [options.customModule, variant, String(size), String(iterations)], modules: [options.customModule] };
  }
  const info = options.runner.listVariants(options.workload).find((v) => v.name === variant);
  if (!info) return `n/a: @tsprof/diffusion has no ${options.workload} variant "${variant}"`;
  if (info.runsAs === "program") return `n/a: ${variant} is a compiled program; tsprof line and mem profile JavaScript/TypeScript`;
  if (!stageDir) return "n/a: no folder to stage the variant in";
  const staged = stageDiffusionPackage(stageDir);
  if (typeof staged === "string") return staged;
  const variantsDir = path.join(staged.dir, "variants", options.workload);
  if (!existsSync(variantsDir)) return `n/a: ${options.workload} variants are not built in @tsprof/diffusion`;
  const modules = readdirSync(variantsDir)
    .filter((f) => f.endsWith(".js"))
    .map((f) => path.join(variantsDir, f));
  const prologueEnds: Record<string, number> = {};
  for (const file of modules) prologueEnds[file] = esModuleMarkerLine(readFileSync(file, "utf8"));
  return {
    script: VARIANT_ENTRY,
    // registry.js, not index.js: the index also loads the study runner and the TypeScript compiler.
    args: ["--builtin", path.join(staged.dir, "registry.js"), options.workload, variant, String(size), String(iterations)],
    modules,
    prologueEnds,
  };
}

/**
 * tsprof's runner never instruments tsprof's own files (packages/), and the built-in variants live
 * there. So for `p` and `m` the compiled diffusion package (its dist/, ~0.5 MB) is copied into a
 * private temp folder, where the runner treats it as user code. Relative requires keep working (same
 * layout); package requires (@tsprof/core, pidusage, ...) are pointed at the files they resolve to
 * from the original; source-map comments are dropped (the maps' relative paths would not resolve
 * from the copy), so the profile shows the compiled JavaScript, which tsc keeps close to the
 * TypeScript line for line. Returns the copy's dist folder, or (a string) why it cannot.
 */
export function stageDiffusionPackage(stageDir: string, distDir?: string): { dir: string } | string {
  let source: string;
  try {
    source = distDir ?? path.dirname(require.resolve("@tsprof/diffusion"));
  } catch (err) {
    return `n/a: @tsprof/diffusion cannot be found: ${(err as Error).message.split("\n")[0]}`;
  }
  const target = path.join(stageDir, "diffusion", "dist");
  if (existsSync(path.join(target, "index.js"))) return { dir: target };
  cpSync(source, target, { recursive: true });
  const rewrite = (dir: string, originalDir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) rewrite(file, path.join(originalDir, entry.name));
      else if (entry.name.endsWith(".js")) {
        const text = readFileSync(file, "utf8")
          .replace(/require\("([^".][^"]*)"\)/g, (whole, spec: string) => {
            if (spec.startsWith("node:")) return whole;
            try {
              return `require(${JSON.stringify(require.resolve(spec, { paths: [originalDir] }))})`;
            } catch {
              return whole;
            }
          })
          .replace(/^\/\/# sourceMappingURL=.*$/m, "");
        writeFileSync(file, text);
      }
    }
  };
  rewrite(target, source);
  return { dir: target };
}

export function createDefaultActions(options: DefaultActionsOptions): DashboardActions {
  // One private folder for staged variants and plots, made on first use.
  let workDir: string | null = null;
  const dir = (): string => (workDir ??= mkdtempSync(path.join(os.tmpdir(), "tsprof-")));
  return {
    dispose() {
      // Staged variants and anything else made here go (memory plots live in .tsprof/, see memPlotVariant).
      if (!workDir) return;
      rmSync(workDir, { recursive: true, force: true });
      workDir = null;
    },
    async lineProfile(variant, _state, signal) {
      const target = variantTarget(options, variant, dir());
      if (typeof target === "string") return { kind: "line", variant, status: "unavailable", lines: [target] };
      const { size, iterations } = profileRun(options.sizes, options.iterations);
      const action = await lineProfileVariant(options.cliPath, variant, target, 200, signal, hideCompilerHelpers(target.prologueEnds));
      return { ...action, lines: [`${sizeLabel(size, options.workload)}, ${iterations} iterations`, ...action.lines] };
    },
    async memPlot(variant, _state, signal) {
      const target = variantTarget(options, variant, dir());
      if (typeof target === "string") return { kind: "mem", variant, status: "unavailable", lines: [target] };
      return memPlotVariant(options.cliPath, variant, target, signal);
    },
  };
}
