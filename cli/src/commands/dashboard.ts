import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { Option, type Command } from "commander";
import { UsageError, checkOutputPath, type VariantInfo } from "@tsprof/core";
import { DEFAULT_ITERATIONS, DEFAULT_SIZES } from "@tsprof/diffusion/defaults";
import type { CommandContext } from "../main";
import { saveResult } from "./output";
import { recordedCommandLine } from "./options";

/** Options as commander hands them over (strings until checked here). */
interface RawDashboardOptions {
  sizes?: string;
  variants?: string;
  iterations?: string;
  workload?: string;
  headless?: boolean;
  json?: string | boolean;
  output?: string;
  cellBudget?: string;
  markdown?: boolean;
  causes?: string;
  png?: string;
}

export interface DashboardOptions {
  workload: "diffusion" | "poly" | "custom";
  customModule?: string;
  sizes: number[];
  variants?: string[];
  iterations: number;
  headless: boolean;
  json?: string;
  /** `-o`: the study rendered in the format its name implies (text, Markdown; JSON goes to `json`). */
  output?: string;
  cellBudgetSeconds?: number;
  /** Headless output as Markdown instead of plain text. */
  markdown: boolean;
  /** The slow measurements after the cells: JIT log and cachegrind ("all"), the JIT log only, or none. */
  causes: "all" | "jit" | "none";
  /** Figure 6-4 and the runtime table drawn as a PNG here. */
  png?: string;
}

export interface WorkloadDefaults {
  sizes: number[];
  iterations: number;
}

/** Sizes and iterations when none are given: the diffusion registry's defaults for the workload. */
export function workloadDefaults(workload: DashboardOptions["workload"]): WorkloadDefaults {
  return { sizes: DEFAULT_SIZES[workload], iterations: DEFAULT_ITERATIONS[workload] };
}

/** "256,512" -> [256, 512]; every entry a whole number >= min. Throws UsageError otherwise. */
export function parseIntegerList(text: string, flag: string, min: number): number[] {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === "")) throw new UsageError(`${flag}: expected a comma-separated list, got "${text}"`);
  return parts.map((p) => {
    if (!/^\d+$/.test(p) || Number(p) < min) throw new UsageError(`${flag}: "${p}" is not a whole number >= ${min}`);
    return Number(p);
  });
}

export function parsePositiveInteger(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`${flag}: "${text}" is not a whole number >= 1`);
  return Number(text);
}

/**
 * Check the command line and turn it into options. `known` lists a built-in workload's variants
 * (to reject a misspelt --variants early); it is not consulted for a user module.
 */
export function resolveDashboardOptions(
  moduleArg: string | undefined,
  raw: RawDashboardOptions,
  known: (workload: "diffusion" | "poly") => VariantInfo[],
  stdoutIsTTY: boolean,
  cwd = process.cwd(),
  defaults: (workload: DashboardOptions["workload"]) => WorkloadDefaults = workloadDefaults,
): DashboardOptions {
  let workload: DashboardOptions["workload"];
  let customModule: string | undefined;
  if (raw.workload !== undefined && raw.workload !== "diffusion" && raw.workload !== "poly" && raw.workload !== "custom") {
    throw new UsageError(`--workload: "${raw.workload}" is not one of diffusion, poly`);
  }
  if (moduleArg !== undefined) {
    if (raw.workload !== undefined && raw.workload !== "custom") {
      throw new UsageError(`a variants module (${moduleArg}) runs your variants: drop --workload ${raw.workload}`);
    }
    customModule = path.resolve(cwd, moduleArg);
    if (!existsSync(customModule) || !statSync(customModule).isFile()) throw new UsageError(`variants module not found: ${moduleArg}`);
    workload = "custom";
  } else {
    if (raw.workload === "custom") throw new UsageError("--workload custom needs a variants module argument");
    workload = (raw.workload as "diffusion" | "poly" | undefined) ?? "diffusion";
  }
  const sizes = raw.sizes !== undefined ? parseIntegerList(raw.sizes, "--sizes", workload === "poly" ? 1 : 2) : defaults(workload).sizes;
  const iterations = raw.iterations !== undefined ? parsePositiveInteger(raw.iterations, "--iterations") : defaults(workload).iterations;
  let variants: string[] | undefined;
  if (raw.variants !== undefined) {
    variants = raw.variants.split(",").map((v) => v.trim());
    if (variants.some((v) => v === "")) throw new UsageError(`--variants: expected a comma-separated list, got "${raw.variants}"`);
    if (workload !== "custom") {
      const names = known(workload).map((v) => v.name);
      const unknown = variants.filter((v) => !names.includes(v));
      if (unknown.length > 0) throw new UsageError(`--variants: unknown ${workload} variant ${unknown.join(", ")} (known: ${names.join(", ")})`);
    }
  }
  let cellBudgetSeconds: number | undefined;
  if (raw.cellBudget !== undefined) {
    cellBudgetSeconds = Number(raw.cellBudget);
    if (!Number.isFinite(cellBudgetSeconds) || cellBudgetSeconds <= 0) throw new UsageError(`--cell-budget: "${raw.cellBudget}" is not a positive number of seconds`);
  }
  return {
    workload,
    customModule,
    sizes,
    variants,
    iterations,
    headless: raw.headless === true || !stdoutIsTTY,
    ...outputOptions(raw, cwd, raw.headless === true || !stdoutIsTTY),
    cellBudgetSeconds,
    markdown: raw.markdown === true,
    causes: (raw.causes as DashboardOptions["causes"] | undefined) ?? "all",
    png: raw.png !== undefined ? checkOutputPath(raw.png, "--png", cwd) : undefined,
  };
}

/** --json and -o: JSON (either spelling) is saved as the study runs; text and Markdown after a headless run. */
function outputOptions(raw: RawDashboardOptions, cwd: string, headless: boolean): { json?: string; output?: string } {
  if (raw.json === true || raw.json === "-") throw new UsageError("--json: give a file name ending in .json (the dashboard's tables go to stdout)");
  const isJson = raw.output !== undefined && /\.json$/i.test(raw.output);
  if (raw.output !== undefined && !isJson && !/\.(md|markdown|txt)$/i.test(raw.output)) {
    throw new UsageError(`--output ${raw.output}: a study is saved as .json, .md or .txt`);
  }
  if (raw.output !== undefined && !isJson && !headless) throw new UsageError(`--output ${raw.output}: text and Markdown need --headless (the terminal UI saves .json)`);
  const json = typeof raw.json === "string" ? raw.json : isJson ? raw.output : undefined;
  // Checked now: a bad path must fail before the study runs, not after it.
  return {
    json: json !== undefined ? checkOutputPath(json, typeof raw.json === "string" ? "--json" : "--output", cwd) : undefined,
    output: raw.output !== undefined && !isJson ? checkOutputPath(raw.output, "--output", cwd) : undefined,
  };
}

export function registerDashboardCommand(program: Command, context: CommandContext): void {
  program
    .command("dashboard")
    .description("run diffusion variants x grid sizes live in the terminal: times, speedups, memory, counters")
    .argument("[variants.ts]", "your own variants: a module exporting objects with setup(size), step(), optional checksum()")
    .option("--sizes <list>", `grid sizes, comma-separated (default: ${DEFAULT_SIZES.diffusion.join(",")}; poly: ${DEFAULT_SIZES.poly.join(",")} points)`)
    .option("--variants <list>", "variants to run, comma-separated (default: all)")
    .option("--iterations <n>", `iterations per cell (default: ${DEFAULT_ITERATIONS.diffusion}; poly: ${DEFAULT_ITERATIONS.poly})`)
    .option("--workload <name>", "built-in workload: diffusion or poly (default diffusion)")
    .option("--cell-budget <seconds>", "time a slow cell on fewer iterations and scale it past this budget")
    .option("--headless", "print plain tables and Markdown instead of the terminal UI (automatic when stdout is not a terminal)")
    .addOption(new Option("--json [file.json]", "save the study result (results with measured causes, counters, jit, explanations)"))
    .option("-o, --output <file>", "save the study: .json (as --json), or with --headless .md / .txt")
    .option("--markdown", "headless output as Markdown (default: plain text)")
    .addOption(
      new Option("--causes <which>", "slow measurements once per variant on the smallest size: all (JIT log + cachegrind), jit, none")
        .choices(["all", "jit", "none"])
        .default("all"),
    )
    .option("--png <file>", "draw Figure 6-4 (speedup vs grid size) and the runtime table as a PNG")
    .action(async (moduleArg: string | undefined, raw: RawDashboardOptions, cmd: Command) => {
      // Loaded here, not at the top: the other commands should not pay for blessed and the workloads.
      const dashboard = await import("@tsprof/dashboard");
      const runner = dashboard.loadStudyRunner();
      const interactive = process.stdout.isTTY === true && process.stdin.isTTY === true;
      const options = resolveDashboardOptions(moduleArg, raw, (w) => runner.listVariants(w), interactive);
      const command = recordedCommandLine(context, cmd);
      const study = {
        workload: options.workload,
        variants: options.variants,
        sizes: options.sizes,
        iterations: options.iterations,
        customModule: options.customModule,
        cellBudgetSeconds: options.cellBudgetSeconds,
        slowCauses: options.causes,
        command,
      };
      const variants = await dashboard.initialVariants(runner, options.workload, options.variants, options.customModule);
      const machine = dashboard.gatherMachineInfo().catch(() => null);
      if (options.headless) {
        const controller = new AbortController();
        const onSigint = (): void => controller.abort();
        process.once("SIGINT", onSigint);
        try {
          const outcome = await dashboard.runDashboardHeadless({
            runner,
            study,
            variants,
            machine,
            jsonPath: options.json,
            pngPath: options.png,
            markdown: options.markdown,
            signal: controller.signal,
          });
          if (options.output) await saveResult(outcome.result, options.output);
          context.exitCode = outcome.complete ? 0 : 130;
        } finally {
          process.removeListener("SIGINT", onSigint);
        }
        return;
      }
      const actions = dashboard.createDefaultActions({
        cliPath: path.resolve(__dirname, "..", "bin.js"),
        runner,
        workload: options.workload,
        customModule: options.customModule,
        sizes: options.sizes,
        iterations: options.iterations,
      });
      context.exitCode = await dashboard.runDashboardTui({ runner, study, variants, machine, actions, jsonPath: options.json, pngPath: options.png });
    });
}
