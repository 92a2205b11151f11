/**
 * line_profiler's add_function: `profile(square)` on a function imported from another module
 * marks `square` in that module. The parent finds these before launch (walking the static import
 * graph, like precompile.ts) and hands them to the loader in the plan, per file, so the module is
 * instrumented however and whenever it loads, and compiled output stays cacheable.
 */
import { readFileSync } from "node:fs";
import { cachedAnalysis, type InstrumentPlan } from "./compile";

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(["'])([^"'\n]+)\1/g;
const MAX_FILES = 2000;
/** Only a function imported (`import ... from "./x"`) from a relative module can be marked there. */
const RELATIVE_IMPORT = /\bfrom\s*["']\.\.?\//;

/** The parse itself (the TypeScript parser loads here, on a cache miss only). */
function marksOf(source: string, file: string): Array<{ name: string; from: string }> {
  const { crossModuleMarks } = require("./instrument") as typeof import("./instrument");
  try {
    return crossModuleMarks(source, file);
  } catch {
    return []; // unparsable: the loader reports the syntax error
  }
}

/**
 * Fill `plan.functions` from the graph under `entry`. `resolve` names the file a relative
 * specifier stands for (as the loader resolves it), `walkable` says which files to read.
 */
export function addCrossModuleMarks(
  entry: string,
  plan: InstrumentPlan,
  resolve: (from: string, specifier: string) => string | null,
  walkable: (file: string) => boolean,
): void {
  const queue = [entry];
  const seen = new Set(queue);
  while (queue.length > 0 && seen.size <= MAX_FILES) {
    const file = queue.shift()!;
    if (!walkable(file)) continue;
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    if (source.includes("profile") && RELATIVE_IMPORT.test(source)) {
      const marks = cachedAnalysis("cross-marks", file, source, () => marksOf(source, file));
      for (const { name, from } of marks) {
        const target = resolve(file, from);
        if (!target) continue;
        plan.functions ??= {};
        const names = (plan.functions[target] ??= []);
        if (!names.includes(name)) names.push(name);
      }
    }
    for (const match of source.matchAll(SPECIFIER)) {
      const target = resolve(file, match[2]);
      if (target && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
}
