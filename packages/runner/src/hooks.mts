/**
 * ESM customization hooks (module.register), run in Node's loader thread. They resolve
 * TypeScript's `./x.js` -> `./x.ts` convention and compile .ts/.mts (and, when instrumenting, the
 * user's own .js/.mjs) files. CommonJS-format files are handed to the CommonJS loader, where the
 * require hook from register.ts compiles them.
 */
import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as Compile from "./compile.js";
import type * as Tsconfig from "./tsconfig.js";
import type * as Handover from "./handover.js";

const require = createRequire(import.meta.url);
const { compileFile, formatOf, isTypeScriptFile, isUserFile, mayInstrument, wantsInstrumentation, useCompileCache, JS_EXTENSIONS } =
  require("./compile.js") as typeof Compile;
const { pathsCandidates } = require("./tsconfig.js") as typeof Tsconfig;
const { handedOver } = require("./handover.js") as typeof Handover;

let plan: Compile.InstrumentPlan | null = null;
let handover: Handover.HandoverIndex | null = null;

interface HookData {
  instrument: Compile.InstrumentPlan | null;
  cacheDir?: string | null;
  /** Set in a profiled child: the line a compile here (a miss of the parent's walk) prints. */
  compileNote?: string | null;
  /** The parent's compiled files (see handover.ts). */
  handover?: Handover.HandoverIndex | null;
}

export async function initialize(data: HookData | undefined): Promise<void> {
  plan = data?.instrument ?? null;
  handover = data?.handover ?? null;
  const note = data?.compileNote;
  if (note) useCompileCache(data?.cacheDir ?? null, (file) => process.stderr.write(note.replace("%s", file)));
}

type Next<C, R> = (specifier: string, context: C) => Promise<R>;
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | null;
  shortCircuit?: boolean;
}

/** Where a missing relative import may really be: TypeScript sources imported by their .js name. */
function candidates(specifier: string): string[] {
  const m = /\.(c|m)?js$/.exec(specifier);
  if (m) {
    const base = specifier.slice(0, -m[0].length);
    const ext = m[1] === "m" ? [".mts"] : m[1] === "c" ? [".cts"] : [".ts", ".tsx"];
    return ext.map((e) => base + e);
  }
  if (/\.[cm]?tsx?$/.test(specifier)) return [];
  return [".ts", ".tsx", ".mts", ".js", "/index.ts", "/index.js"].map((e) => specifier + e);
}

function isPathLike(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/") || specifier.startsWith("file:");
}

/** A bare specifier matched by the importer's tsconfig `paths`/`baseUrl`: tsc's choice comes first. */
async function resolveByPaths(specifier: string, context: { parentURL?: string }, next: Next<object, ResolveResult>): Promise<ResolveResult | null> {
  if (isPathLike(specifier) || !context.parentURL?.startsWith("file:")) return null;
  const importer = fileURLToPath(context.parentURL);
  if (!isUserFile(importer)) return null;
  for (const target of pathsCandidates(specifier, importer)) {
    const url = pathToFileURL(target).href;
    for (const candidate of [url, ...candidates(url)]) {
      try {
        return await next(candidate, context);
      } catch {
        // try the next mapping
      }
    }
  }
  return null;
}

export async function resolve(specifier: string, context: { parentURL?: string }, next: Next<object, ResolveResult>): Promise<ResolveResult> {
  const aliased = await resolveByPaths(specifier, context, next);
  if (aliased) return aliased;
  try {
    return await next(specifier, context);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!isPathLike(specifier) || (code !== "ERR_MODULE_NOT_FOUND" && code !== "ERR_UNSUPPORTED_DIR_IMPORT")) throw err;
    for (const candidate of candidates(specifier)) {
      try {
        return await next(candidate, context);
      } catch {
        // try the next spelling
      }
    }
    throw err;
  }
}

export async function load(url: string, context: { format?: string | null }, next: Next<object, LoadResult>): Promise<LoadResult> {
  if (!url.startsWith("file:")) return next(url, context);
  const file = fileURLToPath(url);
  const typescript = isTypeScriptFile(file);
  const userJs = mayInstrument(file, plan) && JS_EXTENSIONS.some((e) => file.endsWith(e));
  if (!typescript && !userJs) return next(url, context);
  const format = formatOf(file);
  const source = await readFile(file, "utf8");
  if (!typescript && !wantsInstrumentation(file, source, plan)) return next(url, context);
  // CommonJS output is handed over compiled too: Node reads its named exports from this text.
  const code = handedOver(handover, file, format, source) ?? compileFile(file, source, format, plan).code;
  return { format, source: code, shortCircuit: true };
}
