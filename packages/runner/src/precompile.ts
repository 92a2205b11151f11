/**
 * The parent's compile step before launch: walk the entry's static import graph (relative
 * specifiers of `import`, `export ... from`, `require()` and literal `import()`), compile and
 * instrument every file the child's loader would compile, and leave the output in the compile
 * cache. The profiled process then only reads cached text: the TypeScript parser and esbuild never
 * load into it (their ~50-100 MiB would count in the user's memory figures), and its start-up is a
 * few file reads. tsconfig `paths` aliases are followed as the child's loader resolves them. A file
 * the walk cannot see (a computed `require(path)`) is still compiled in the child, which says so in
 * one line on stderr.
 *
 * The walk also tells whether the child needs Node's ESM customization hooks at all: on Node 20
 * they run in a thread of their own (tens of ms of start-up and several MiB), and a program whose
 * files are all CommonJS never uses them.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathsCandidates } from "./tsconfig";
import type { HandedFile } from "./handover";
import { addCrossModuleMarks } from "./cross-marks";
import { compileFile, formatOf, packageFormat, ScriptSyntaxError, isExplicitModule, isTypeScriptFile, isUserFile, wantsInstrumentation, JS_EXTENSIONS, type InstrumentPlan } from "./compile";

export interface PrecompileOutcome {
  /** Files compiled (or found in the cache) before launch. */
  files: string[];
  /** Some file is an ES module or imports dynamically: the child needs the ESM hooks. */
  esmHooks: boolean;
  /** What was compiled, to hand to the child (see handover.ts). */
  compiled: HandedFile[];
  /**
   * The entry itself does not compile (`file:line:col: message`): nothing of the program would run,
   * in ESM or CommonJS, so the caller says so before launch instead of profiling an empty run.
   */
  entrySyntaxError: string | null;
}

/** Up to this many files are walked; a larger program compiles the rest in the child. */
const MAX_FILES = 2000;

// `from "x"`, `import "x"`, `import("x")`, `require("x")` (a comment or a string that looks like
// one only costs a wasted compile).
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(["'])([^"'\n]+)\1/g;
const DYNAMIC_IMPORT = /\bimport\s*\(/;
// A worker thread's script loads through the same loader (threads.ts): `new Worker("./w.ts")`,
// `new Worker(new URL("./w.ts", import.meta.url))`, `new Worker(join(__dirname, "w.ts"))`.
const WORKER_SCRIPT = /\bnew\s+Worker\s*\(\s*(?:new\s+URL\s*\(\s*|(?:path\.)?(?:join|resolve)\s*\(\s*__dirname\s*,\s*)?(["'])([^"'\n]+)\1/g;

/** The specifiers a file's source names: its imports, and its worker threads' scripts. */
function specifiersOf(source: string): string[] {
  const out = [...source.matchAll(SPECIFIER)].map((m) => m[2]);
  for (const m of source.matchAll(WORKER_SCRIPT)) out.push(/^\.{0,2}\//.test(m[2]) ? m[2] : `./${m[2]}`);
  return out;
}

/** The file a relative specifier names, the way the child's loader resolves it (./x.js -> ./x.ts). */
export function resolveRelative(fromFile: string, specifier: string): string | null {
  if (!(specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/"))) return null;
  const base = resolve(dirname(fromFile), specifier);
  const isFile = (p: string) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (isFile(base)) return base;
  const m = /\.(c|m)?js$/.exec(base);
  const stem = m ? base.slice(0, -m[0].length) : base;
  const tries = m
    ? m[1] === "m"
      ? [".mts"]
      : m[1] === "c"
        ? [".cts"]
        : [".ts", ".tsx"]
    : [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", "/index.ts", "/index.js"];
  for (const ext of tries) if (isFile(stem + ext)) return stem + ext;
  return null;
}

/** The file a bare specifier names through the importer's tsconfig `paths`, as the loader tries them. */
function resolveAlias(fromFile: string, specifier: string): string | null {
  if (specifier.startsWith(".") || !isUserFile(fromFile)) return null;
  for (const target of pathsCandidates(specifier, fromFile)) {
    const found = resolveRelative(fromFile, target);
    if (found) return found;
  }
  return null;
}

/** Would the child's loader compile this file (TypeScript, or user JavaScript to instrument)? */
function needsCompile(file: string, source: string, plan: InstrumentPlan | null): boolean {
  if (isTypeScriptFile(file)) return true;
  return JS_EXTENSIONS.some((e) => file.endsWith(e)) && wantsInstrumentation(file, source, plan);
}

/**
 * Node 20 runs any entry but a .cjs through its ES module loader when its package is
 * "type": "module": a .cts entry there (CommonJS itself) still needs the hooks to be loaded at all.
 */
function entryPackageNeedsHooks(entry: string): boolean {
  return !entry.endsWith(".cjs") && packageFormat(entry) === "module";
}

/**
 * The ES module hooks decision from the entry alone (its package, its format, a dynamic import in
 * it), without the walk: what an early-started child is spawned with (run-child.ts). Exact for a
 * program of one file; where the walk finds otherwise, the early child is replaced.
 */
export function entryNeedsEsmHooks(entry: string): boolean {
  if (entryPackageNeedsHooks(entry) || formatOf(entry) === "module") return true;
  try {
    return DYNAMIC_IMPORT.test(readFileSync(entry, "utf8"));
  } catch {
    return true;
  }
}

/**
 * Compile the entry's graph into the cache. Never throws: a file that does not compile is left to
 * the child, which reports the error the way it always has (file:line:col, exit 1).
 */
export function precompileGraph(entry: string, plan: InstrumentPlan | null): PrecompileOutcome {
  // First what `profile(imported)` marks in other modules: they must know before they compile.
  if (plan && plan.style !== "calls") addCrossModuleMarks(entry, plan, (from, spec) => resolveRelative(from, spec), (f) => isUserFile(f) && existsSync(f));
  // Files named by --module are compiled too, wherever they are and however they are imported.
  const queue = [entry, ...(plan?.modules ?? [])];
  const seen = new Set<string>(queue);
  const files: string[] = [];
  const compiled: HandedFile[] = [];
  let esmHooks = entryPackageNeedsHooks(entry);
  let entrySyntaxError: string | null = null;
  while (queue.length > 0 && seen.size <= MAX_FILES) {
    const file = queue.shift()!;
    if (!(isUserFile(file) || isExplicitModule(file, plan)) || !existsSync(file)) continue;
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    const format = formatOf(file);
    if (format === "module" || DYNAMIC_IMPORT.test(source)) esmHooks = true;
    if (needsCompile(file, source, plan)) {
      try {
        // The child's require hook compiles TypeScript as CommonJS; its ESM hooks use the format.
        compiled.push({ file, format, source, code: compileFile(file, source, format, plan).code });
        files.push(file);
      } catch (err) {
        // A syntax error: the child reports it where the program has run up to it (a require).
        if (file === entry && err instanceof ScriptSyntaxError) entrySyntaxError = err.message;
      }
    }
    for (const specifier of specifiersOf(source)) {
      const target = resolveRelative(file, specifier) ?? resolveAlias(file, specifier);
      if (target && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  if (queue.length > 0) esmHooks = true; // not walked to the end: keep every loader path
  return { files, esmHooks, compiled, entrySyntaxError };
}
