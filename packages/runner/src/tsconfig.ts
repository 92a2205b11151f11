/**
 * The user's tsconfig, as tsc and tsx read it: the nearest tsconfig.json above the file, its
 * `extends` chain merged, and its `paths`/`baseUrl` aliases (`import { mean } from "@lib/stats"`).
 * get-tsconfig (the reader tsx uses) does the reading and the alias matching.
 */
import { isBuiltin } from "node:module";
import { dirname, sep } from "node:path";
import type { TsConfigResult } from "get-tsconfig";

type GetTsconfig = typeof import("get-tsconfig");
let getTsconfigModule: GetTsconfig | null = null;
// Loaded on first use: a run with no TypeScript file and no bare import pays nothing.
const tsconfigLib = () => (getTsconfigModule ??= require("get-tsconfig") as GetTsconfig);

const byDir = new Map<string, TsConfigResult | null>();
const matchers = new Map<string, ((specifier: string) => string[]) | null>();

/** The nearest tsconfig.json of `file` with `extends` resolved, or null (cached per folder). */
export function tsconfigFor(file: string): TsConfigResult | null {
  const dir = dirname(file);
  let found = byDir.get(dir);
  if (found === undefined) {
    try {
      found = tsconfigLib().getTsconfig(dir) ?? null;
    } catch {
      // An unreadable or broken tsconfig: compile as if there were none (tsc would say why).
      found = null;
    }
    byDir.set(dir, found);
  }
  return found;
}

/** The compiler options esbuild should see for `file` (decorators, JSX, class fields...). */
export function compilerOptionsFor(file: string): string | undefined {
  const found = tsconfigFor(file);
  return found ? JSON.stringify({ compilerOptions: found.config.compilerOptions ?? {} }) : undefined;
}

/**
 * Where a bare specifier imported by `importer` may be under its tsconfig's `paths` (absolute
 * paths, extension not yet chosen), most specific pattern first; [] when none applies. Code in
 * node_modules keeps plain Node resolution, as under tsx.
 */
export function pathsCandidates(specifier: string, importer: string): string[] {
  if (importer.includes(`${sep}node_modules${sep}`) || isBuiltin(specifier)) return [];
  const found = tsconfigFor(importer);
  if (!found) return [];
  let matcher = matchers.get(found.path);
  if (matcher === undefined) {
    matcher = tsconfigLib().createPathsMatcher(found);
    matchers.set(found.path, matcher);
  }
  return matcher ? matcher(specifier) : [];
}
