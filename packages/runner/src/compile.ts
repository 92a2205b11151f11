/**
 * Turn one user source file into JavaScript Node can run: instrument the marked functions (on the
 * original text, so line numbers stay), then transpile with esbuild, keeping an inline source map
 * whose `sourcesContent` is the user's original text.
 */
import { readFileSync, existsSync, statSync } from "node:fs";
// node:crypto loads on the first compile: a run with nothing to compile does not pay for it.
const createHash = (algorithm: string) => (require("node:crypto") as typeof import("node:crypto")).createHash(algorithm);
import { dirname, join, resolve, sep } from "node:path";
import type { Loader, TransformOptions } from "esbuild";
import type { InstrumentStyle, FileMeta, Insertion } from "./instrument";
import { compilerOptionsFor } from "./tsconfig";
import { readCacheEntry, untrustedCacheDir, writeCacheEntry } from "./compile-cache";
import { userCacheDir } from "./cache-dir";

// esbuild and the TypeScript parser load on first use: a run with no .ts file and nothing to
// instrument pays for neither (start-up is a measured goal).
let esbuildModule: typeof import("esbuild") | null = null;
const esbuild = () => (esbuildModule ??= loadEsbuild());
let esbuildWorkerThread = true;

/** In the profiled process: esbuild's sync API without a worker thread of its own (see loadEsbuild). */
export function avoidEsbuildWorkerThread(): void {
  esbuildWorkerThread = false;
}

/**
 * esbuild's sync API runs in a worker thread of its own where Node has worker_threads. In the
 * profiled process that thread would count as one the program started (Node 24 announces it after
 * tsprof has marked its own) and hold memory the user's RSS would include: with
 * ESBUILD_WORKER_THREADS=0, which esbuild reads once as it loads, it runs its binary per call
 * instead. A compile there is a rare miss (a file not found before launch), so the cost is small.
 */
function loadEsbuild(): typeof import("esbuild") {
  if (esbuildWorkerThread) return require("esbuild") as typeof import("esbuild");
  const before = process.env.ESBUILD_WORKER_THREADS;
  process.env.ESBUILD_WORKER_THREADS = "0";
  try {
    return require("esbuild") as typeof import("esbuild");
  } finally {
    if (before === undefined) delete process.env.ESBUILD_WORKER_THREADS;
    else process.env.ESBUILD_WORKER_THREADS = before;
  }
}
let instrumentModule: typeof import("./instrument") | null = null;
const instrumenter = () => (instrumentModule ??= require("./instrument") as typeof import("./instrument"));

/** Quick text test: can this file contain a marker at all? Avoids parsing most files. */
export function mayContainMarkers(source: string): boolean {
  return source.includes("profile");
}

export type ModuleFormat = "module" | "commonjs";

export interface InstrumentPlan {
  style: InstrumentStyle;
  all: boolean;
  modules: string[];
  /** Functions marked from another module (`profile(square)` after `import { square }`), per file. */
  functions?: Record<string, string[]>;
}

/** Names of this file's functions that another module marked. */
function namesMarkedElsewhere(file: string, plan: InstrumentPlan | null): string[] | undefined {
  return plan?.functions?.[file];
}

/** A syntax error in the user's file, with its position in the original text. */
export class ScriptSyntaxError extends Error {
  readonly code = "TSPROF_SYNTAX";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
  }
}

export const TS_EXTENSIONS = [".ts", ".mts", ".cts", ".tsx"];
export const JS_EXTENSIONS = [".js", ".mjs", ".cjs", ".jsx"];

export function isTypeScriptFile(file: string): boolean {
  return TS_EXTENSIONS.some((e) => file.endsWith(e));
}

/** tsprof's own code (packages/ and cli/ of its checkout, or its node_modules folders). */
const OWN_DIRS = [resolve(__dirname, "..", "..") + sep, resolve(__dirname, "..", "..", "..", "cli") + sep];

/** User code is what tsprof may instrument: never dependencies, never tsprof itself. */
export function isUserFile(file: string): boolean {
  return !file.includes(`${sep}node_modules${sep}`) && !OWN_DIRS.some((d) => file.startsWith(d));
}

const packageTypeCache = new Map<string, ModuleFormat>();

/** The "type" of the nearest package.json, as Node decides the format of `.js` and we of `.ts`. */
export function packageFormat(file: string): ModuleFormat {
  let dir = dirname(file);
  const seen: string[] = [];
  for (;;) {
    const cached = packageTypeCache.get(dir);
    if (cached) {
      for (const d of seen) packageTypeCache.set(d, cached);
      return cached;
    }
    seen.push(dir);
    const pj = join(dir, "package.json");
    if (existsSync(pj)) {
      let format: ModuleFormat = "commonjs";
      try {
        format = JSON.parse(readFileSync(pj, "utf8")).type === "module" ? "module" : "commonjs";
      } catch {
        // An unreadable package.json: Node would fail on it later with its own message.
      }
      for (const d of seen) packageTypeCache.set(d, format);
      return format;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of seen) packageTypeCache.set(d, "commonjs");
  return "commonjs";
}

/** Format of a file by its extension, then its package. */
export function formatOf(file: string): ModuleFormat {
  if (file.endsWith(".mts") || file.endsWith(".mjs")) return "module";
  if (file.endsWith(".cts") || file.endsWith(".cjs")) return "commonjs";
  return packageFormat(file);
}

function loaderFor(file: string): Loader {
  if (file.endsWith("x")) return file.endsWith(".tsx") ? "tsx" : "jsx";
  return isTypeScriptFile(file) ? "ts" : "js";
}

const explicitSets = new WeakMap<InstrumentPlan, Set<string>>();

/** Was this file named by `--module` (a file, a file of a named folder or package)? */
export function isExplicitModule(file: string, plan: InstrumentPlan | null): boolean {
  if (!plan || plan.modules.length === 0) return false;
  let set = explicitSets.get(plan);
  if (!set) explicitSets.set(plan, (set = new Set(plan.modules)));
  return set.has(file);
}

/**
 * May the loader instrument this file? The user's own files, and any file `--module` names
 * explicitly, wherever it lives (node_modules, tsprof's own files).
 */
export function mayInstrument(file: string, plan: InstrumentPlan | null): boolean {
  return !!plan && (isUserFile(file) || isExplicitModule(file, plan));
}

/** Should this file be instrumented under `plan`? */
export function wantsInstrumentation(file: string, source: string, plan: InstrumentPlan | null): boolean {
  if (!plan) return false;
  if (isExplicitModule(file, plan)) return true;
  if (!isUserFile(file)) return false;
  if (namesMarkedElsewhere(file, plan)) return true;
  return plan.all || mayContainMarkers(source);
}

/**
 * A cache of compiled (and instrumented) output, so repeated runs load neither the TypeScript parser
 * nor esbuild (~250 ms of start-up). Keyed by everything the output depends on: the source, the
 * file's path and format, the instrumentation plan, the tsconfig text, and tsprof's own compiler
 * (the files of this package and esbuild's version). Private to the user (mode 0700); a folder
 * others could write is refused with one line (see compile-cache.ts), and entries are hash-checked.
 * TSPROF_CACHE=0 turns it off; TSPROF_CACHE_DIR moves it.
 */
let cacheState: { dir: string; salt: string } | null | undefined;
let runCacheDir: string | null = null;
/** What a compile inside the profiled process (a cache miss there) reports, if anything. */
let missNote: ((file: string) => void) | null = null;

/**
 * The profiled process's side of compiling outside it: the parent filled `dir` (or the user cache,
 * when `dir` is null) before launch; a file compiled here after all is reported through `note`.
 * A run with TSPROF_CACHE=0 gets the run's private temp dir, so the parent's work still reaches it.
 */
export function useCompileCache(dir: string | null, note: ((file: string) => void) | null): void {
  runCacheDir = dir;
  missNote = note;
  cacheState = undefined;
}

/** Can the user's compile cache be used (enabled, and a folder nobody else can write)? */
export function userCompileCacheUsable(): boolean {
  useCompileCache(null, null);
  return compileCache() !== null;
}

function compileCache(): { dir: string; salt: string } | null {
  if (cacheState !== undefined) return cacheState;
  cacheState = null;
  if (process.env.TSPROF_CACHE === "0" && !runCacheDir) return null;
  try {
    const dir = runCacheDir ?? userCacheDir();
    if (dir === null) return null;
    const untrusted = untrustedCacheDir(dir);
    if (untrusted) {
      // Said once per run: the profiled process inherits the mark from tsprof.
      if (process.env.TSPROF_CACHE_REFUSED !== dir) process.stderr.write(`tsprof: not using the compile cache ${dir}: ${untrusted}; running uncached\n`);
      process.env.TSPROF_CACHE_REFUSED = dir;
      return null;
    }
    const own = ["compile.js", "instrument.js", "instrument-find.js", "instrument-plan.js", "instrument-meta.js", "column-map.js", "cross-marks.js", "compile-cache.js"].map((f) => {
      const st = statSync(join(__dirname, f));
      return `${f}:${st.size}:${st.mtimeMs}`;
    });
    const esbuildVersion = JSON.parse(readFileSync(require.resolve("esbuild/package.json"), "utf8")).version as string;
    cacheState = { dir, salt: [...own, esbuildVersion, process.version].join("|") };
  } catch {
    cacheState = null;
  }
  return cacheState;
}

export interface CompiledFile {
  code: string;
  format: ModuleFormat;
  meta: FileMeta | null;
}

/**
 * Compile a file for Node. `format` is the module system the output must use: for a `.ts` file in
 * a CommonJS package we emit CommonJS even when it is written with `import`, as tsx and ts-node do.
 */
export function compileFile(file: string, source: string, format: ModuleFormat, plan: InstrumentPlan | null): CompiledFile {
  const cache = compileCache();
  // The nearest tsconfig (extends resolved): esbuild reads the options that change emit (decorators, JSX).
  const tsconfigText = isTypeScriptFile(file) || file.endsWith(".jsx") ? compilerOptionsFor(file) : undefined;
  const instrumented = wantsInstrumentation(file, source, plan);
  let cachePath: string | null = null;
  if (cache) {
    const planKey = instrumented ? `${plan!.style}:${plan!.all || isExplicitModule(file, plan)}:${namesMarkedElsewhere(file, plan)?.join(",") ?? ""}` : "plain";
    const key = createHash("sha256")
      .update([cache.salt, file, format, planKey, tsconfigText ?? "", source].join("\0"))
      .digest("hex");
    cachePath = join(cache.dir, `${key}.js`);
    const cached = readCacheEntry(cachePath);
    if (cached !== null) return { code: cached, format, meta: null };
  }
  const compiled = compileUncached(file, source, format, plan, instrumented, tsconfigText);
  // After the compile: a file that does not compile was found before launch; its error says so.
  missNote?.(file);
  if (cachePath) writeCacheEntry(cachePath, compiled.code);
  return compiled;
}

/**
 * What a parse of `source` yields (JSON-serialisable), kept in the compile cache next to compiled
 * files: a warm run then never loads the TypeScript parser (~250 ms) just to look at a file again.
 */
export function cachedAnalysis<T>(kind: string, file: string, source: string, compute: () => T): T {
  const cache = compileCache();
  if (!cache) return compute();
  const key = createHash("sha256").update([cache.salt, kind, file, source].join("\0")).digest("hex");
  const path = join(cache.dir, `${key}.json`);
  const cached = readCacheEntry(path);
  if (cached !== null) {
    try {
      return JSON.parse(cached) as T;
    } catch {
      // unreadable: computed again below
    }
  }
  const value = compute();
  writeCacheEntry(path, JSON.stringify(value));
  return value;
}

function compileUncached(
  file: string,
  source: string,
  format: ModuleFormat,
  plan: InstrumentPlan | null,
  instrumented: boolean,
  tsconfig: string | undefined,
): CompiledFile {
  let text = source;
  let meta: FileMeta | null = null;
  let insertions: Insertion[] = [];
  if (instrumented) {
    const all = plan!.all || isExplicitModule(file, plan);
    const result = instrumenter().instrumentSource(source, file, { style: plan!.style, all, names: namesMarkedElsewhere(file, plan) });
    if (result) {
      text = result.code;
      meta = result.meta;
      insertions = result.insertions;
    }
  }
  const options: TransformOptions = {
    loader: loaderFor(file),
    format: format === "module" ? "esm" : "cjs",
    target: "node20",
    // platform node: esbuild annotates CommonJS export names so ESM importers see them.
    platform: "node",
    // External, then inlined below: instrumented columns are first mapped back to the original's.
    sourcemap: "external",
    sourcefile: file,
    sourcesContent: false,
    // Keep function and class names: they are what the profiles show.
    keepNames: false,
    tsconfigRaw: tsconfig,
    logLevel: "silent",
  };
  try {
    const out = esbuild().transformSync(text, options);
    // The source-map codec loads only here: the profiled process, which only reads compiled text, never needs it.
    const { columnMapper, remapSourceMapColumns } = require("./column-map") as typeof import("./column-map");
    const map = insertions.length > 0 ? remapSourceMapColumns(out.map, columnMapper(source, insertions)) : out.map;
    const code = `${out.code}//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString("base64")}\n`;
    return { code, format, meta };
  } catch (err) {
    // Report the error against the original text: inserted code could shift its column.
    if (text !== source) {
      try {
        esbuild().transformSync(source, options);
      } catch (originalError) {
        err = originalError;
      }
    }
    const first = (err as { errors?: Array<{ text: string; location?: { line: number; column: number } }> }).errors?.[0];
    if (first?.location) {
      throw new ScriptSyntaxError(file, first.location.line, first.location.column + 1, first.text);
    }
    if (first) throw new ScriptSyntaxError(file, 1, 1, first.text);
    throw err;
  }
}
