/**
 * line_profiler's add_function: `profile(square)` on a function imported from another module
 * marks `square` in that module. The parent finds these before launch (walking the static import
 * graph, like precompile.ts) and hands them to the loader in the plan, per file, so the module is
 * instrumented however and whenever it loads, and compiled output stays cacheable.
 */
import { readFileSync } from "node:fs";
import type { InstrumentPlan } from "./compile";

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(["'])([^"'\n]+)\1/g;
const MAX_FILES = 2000;

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
    if (source.includes("profile")) {
      const { crossModuleMarks } = require("./instrument") as typeof import("./instrument");
      let marks: Array<{ name: string; from: string }> = [];
      try {
        marks = crossModuleMarks(source, file);
      } catch {
        // unparsable: the loader reports the syntax error
      }
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
