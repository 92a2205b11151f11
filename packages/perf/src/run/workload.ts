import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { delimiter, extname, isAbsolute, join, resolve } from "node:path";
import { UsageError } from "@tsprof/core";
import { formatOf, loaderExecArgv, resolveScript } from "@tsprof/runner";

/** What to measure: argv of the process perf / valgrind start, and its empty-script twin. */
export interface Workload {
  kind: "script" | "command";
  /** What tables call it: the script path as given, or the command line. */
  label: string;
  /** [program, ...args], spawned without a shell. */
  argv: string[];
  /** What runs under cachegrind: for scripts, node with --predictable (see PREDICTABLE_NODE_FLAGS). */
  simulationArgv: string[];
  /** The same runtime, flags and loader running an empty script (Node's own start-up); null for commands. */
  simulationBaselineArgv: string[] | null;
}

/**
 * Node flags for runs under cachegrind. V8's --predictable makes it single-threaded and
 * deterministic (no concurrent compiler or GC threads, fixed seeds): repeated counts of the same
 * script then agree within ~0.1 %, against several percent without it (background threads run at
 * valgrind's whim), which would swamp a net figure after subtracting start-up.
 */
export const PREDICTABLE_NODE_FLAGS = ["--predictable"];

/** Env variable naming a file a workload may write its size to ("262144" or {"count":262144,"label":"cell"}). */
export const WORK_ITEMS_ENV = "TSPROF_WORK_ITEMS_FILE";

/** A user script run by Node through tsprof's loader (TypeScript or JavaScript). */
export function scriptWorkload(script: string, args: string[], tempDir: string, cwd = process.cwd()): Workload {
  const path = resolveScript(script, cwd);
  const loader = loaderExecArgv();
  // The baseline is an empty file of the same kind, so the loader's own start-up cost is in it too.
  // Same module format too (ESM and CJS start differently): the temp dir gets the script's "type".
  // One baseline folder per format: a compare of a.ts (CommonJS) and b.mjs must not share one package.json.
  const ext = extname(path) || ".js";
  const format = formatOf(path);
  const baselineDir = join(tempDir, `baseline-${format}`);
  mkdirSync(baselineDir, { recursive: true });
  writeFileSync(join(baselineDir, "package.json"), JSON.stringify({ type: format }));
  const empty = join(baselineDir, `tsprof-empty-baseline${ext}`);
  writeFileSync(empty, "");
  return {
    kind: "script",
    label: script,
    argv: [process.execPath, ...loader, path, ...args],
    simulationArgv: [process.execPath, ...PREDICTABLE_NODE_FLAGS, ...loader, path, ...args],
    simulationBaselineArgv: [process.execPath, ...PREDICTABLE_NODE_FLAGS, ...loader, empty],
  };
}

/** Find a program on PATH (or check a path), as execvp would; null when it cannot be run. */
export function findProgram(program: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const runnable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (program.includes("/")) return runnable(program) ? (isAbsolute(program) ? program : resolve(program)) : null;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && runnable(join(dir, program))) return join(dir, program);
  }
  return null;
}

/** Any command after `--`. Checked up front so a typo is a usage error, not a perf failure. */
export function commandWorkload(argv: string[]): Workload {
  if (argv.length === 0 || argv[0] === "") throw new UsageError("no command given after --");
  if (!findProgram(argv[0])) {
    throw new UsageError(existsSync(argv[0]) ? `cannot execute '${argv[0]}': permission denied` : `command not found: ${argv[0]}`);
  }
  return { kind: "command", label: argv.join(" "), argv: [...argv], simulationArgv: [...argv], simulationBaselineArgv: null };
}

/** Parse "--per 262144" or "--per 262144:cell". */
export function parsePerOption(text: string): { count: number; label: string } {
  const m = /^\s*([0-9][0-9_,]*(?:\.\d+)?(?:e\d+)?)\s*(?::\s*(.+))?$/i.exec(text);
  const count = m ? Number(m[1].replace(/[_,]/g, "")) : Number.NaN;
  if (!m || !Number.isFinite(count) || count <= 0) {
    throw new UsageError(`--per: expected a positive number of work items, optionally ':label' (e.g. 262144:cell), got '${text}'`);
  }
  return { count, label: m[2]?.trim() || "item" };
}

/** What a workload wrote to $TSPROF_WORK_ITEMS_FILE, if anything usable. */
export function readDeclaredWorkItems(file: string): { count: number; label: string } | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch {
    return null;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "number" && value > 0) return { count: value, label: "item" };
    if (typeof value === "object" && value !== null) {
      const { count, label } = value as { count?: unknown; label?: unknown };
      if (typeof count === "number" && count > 0) return { count, label: typeof label === "string" && label ? label : "item" };
    }
  } catch {
    // not JSON: fall through
  }
  return null;
}

/**
 * For workloads: declare how many work items one run processes (grid cells, rows...), so
 * `tsprof perf` also prints counts per item. Does nothing outside tsprof.
 */
export function declareWorkItems(count: number, label = "item"): void {
  const file = process.env[WORK_ITEMS_ENV];
  if (file) writeFileSync(file, JSON.stringify({ count, label }));
}
