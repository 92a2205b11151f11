/**
 * tsprof's module hooks for `module.registerHooks` (Node 22.15+, 23.5+, 24): synchronous and on the
 * program's own thread, so an ES module program needs no loader thread (on Node 20 that thread costs
 * tens of ms of start-up and ~14 MiB in the profiled process). Same rules as hooks.mts.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isUserFile } from "./compile";
import { pathsCandidates } from "./tsconfig";
import { candidates, initializeHooks, isPathLike, loadedSource, loadsItself, type HookData, type HookState } from "./hook-rules";

interface ResolveContext {
  parentURL?: string;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | NodeJS.TypedArray | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: ResolveContext) => ResolveResult;
type NextLoad = (url: string, context?: object) => LoadResult;

export interface SyncHooks {
  resolve(specifier: string, context: ResolveContext, next: NextResolve): ResolveResult;
  load(url: string, context: object, next: NextLoad): LoadResult;
}

/** The first spelling `next` resolves, or null. */
function firstResolved(spellings: string[], context: ResolveContext, next: NextResolve): ResolveResult | null {
  for (const spelling of spellings) {
    try {
      return next(spelling, context);
    } catch {
      // try the next spelling
    }
  }
  return null;
}

/** A bare specifier matched by the importer's tsconfig `paths`/`baseUrl`: tsc's choice comes first. */
function resolveByPaths(specifier: string, context: ResolveContext, next: NextResolve): ResolveResult | null {
  if (isPathLike(specifier) || !context.parentURL?.startsWith("file:")) return null;
  const importer = fileURLToPath(context.parentURL);
  if (!isUserFile(importer)) return null;
  for (const target of pathsCandidates(specifier, importer)) {
    const url = pathToFileURL(target).href;
    const found = firstResolved([url, ...candidates(url)], context, next);
    if (found) return found;
  }
  return null;
}

export function createSyncHooks(data: HookData): SyncHooks {
  const state: HookState = initializeHooks(data);
  return {
    resolve(specifier, context, next) {
      const aliased = resolveByPaths(specifier, context, next);
      if (aliased) return aliased;
      try {
        return next(specifier, context);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const missing = code === "ERR_MODULE_NOT_FOUND" || code === "ERR_UNSUPPORTED_DIR_IMPORT" || code === "MODULE_NOT_FOUND";
        if (!isPathLike(specifier) || !missing) throw err;
        const found = firstResolved(candidates(specifier), context, next);
        if (found) return found;
        throw err;
      }
    },
    load(url, context, next) {
      if (!url.startsWith("file:")) return next(url, context);
      const file = fileURLToPath(url);
      if (!loadsItself(file, state)) return next(url, context);
      const loaded = loadedSource(file, readFileSync(file, "utf8"), state);
      if (!loaded) return next(url, context);
      return { ...loaded, shortCircuit: true };
    },
  };
}
