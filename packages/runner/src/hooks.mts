/**
 * ESM customization hooks (module.register), run in Node's loader thread. They resolve
 * TypeScript's `./x.js` -> `./x.ts` convention and compile .ts/.mts (and, when instrumenting, the
 * user's own .js/.mjs) files. CommonJS-format files are handed to the CommonJS loader, where the
 * require hook from register.ts compiles them. Where Node has `module.registerHooks` (22.15+, 24),
 * hooks-sync.ts runs the same rules (hook-rules.ts) on the program's own thread instead.
 */
import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as Compile from "./compile.js";
import type * as Tsconfig from "./tsconfig.js";
import type * as Rules from "./hook-rules.js";

const require = createRequire(import.meta.url);
const { isUserFile } = require("./compile.js") as typeof Compile;
const { pathsCandidates } = require("./tsconfig.js") as typeof Tsconfig;
const { candidates, initializeHooks, isPathLike, loadedSource, loadsItself } = require("./hook-rules.js") as typeof Rules;

let state: Rules.HookState = { plan: null, handover: null, handoverConfig: null };

export async function initialize(data: Rules.HookData | undefined): Promise<void> {
  state = initializeHooks(data);
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
  if (!loadsItself(file, state)) return next(url, context);
  const loaded = loadedSource(file, await readFile(file, "utf8"), state);
  if (!loaded) return next(url, context);
  return { ...loaded, shortCircuit: true };
}
