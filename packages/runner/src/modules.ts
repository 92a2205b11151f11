/**
 * What `--module` names: a file, a folder (every source file in it) or a bare package name
 * (every source file of the installed package), wherever it lives — node_modules and tsprof's own
 * files included, as kernprof's --prof-mod works on site-packages.
 */
import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve as resolvePath } from "node:path";
// The schema module alone: this file runs in the profiled process, which must not load all of core.
import { UsageError } from "@tsprof/core/dist/schema";

/** One `--module` argument and the files it stands for (absolute, symlinks resolved as Node loads them). */
export interface ModuleGroup {
  arg: string;
  files: string[];
}

const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const PACKAGE_NAME = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;

/** Every source file under `dir`, skipping nested node_modules (other packages) and type declarations. */
export function sourceFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && !entry.name.startsWith(".")) walk(path);
      } else if (SOURCE_FILE.test(entry.name) && !/\.d\.[cm]?ts$/.test(entry.name)) out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}

/** The installed folder of package `name`, looked up as Node does from `cwd` upwards. */
export function packageDir(name: string, cwd: string): string | null {
  for (let dir = resolvePath(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

function groupFor(arg: string, cwd: string): ModuleGroup {
  let path = resolvePath(cwd, arg);
  if (!existsSync(path)) {
    const pkg = PACKAGE_NAME.test(arg) && !arg.includes(".") ? packageDir(arg, cwd) : null;
    if (!pkg) throw new UsageError(`--module '${arg}': no such file, folder or installed package`);
    path = pkg;
  }
  const real = realpathSync(path);
  if (!statSync(real).isDirectory()) return { arg, files: [real] };
  const files = sourceFilesUnder(real);
  if (files.length === 0) throw new UsageError(`--module '${arg}': no .js/.ts files in that folder`);
  return { arg, files };
}

/** Resolve `--module` arguments the way the loader sees files: absolute, existing, real paths. */
export function resolveModuleGroups(modules: string[], cwd = process.cwd()): ModuleGroup[] {
  return modules.map((m) => groupFor(m, cwd));
}

/** All files of all groups (what the loader instruments whole). */
export function resolveModules(modules: string[], cwd = process.cwd()): string[] {
  return [...new Set(resolveModuleGroups(modules, cwd).flatMap((g) => g.files))];
}

/** One line for each `--module` argument none of whose files the program loaded. */
export function unloadedModuleWarnings(groups: ModuleGroup[], loaded: ReadonlySet<string>): string[] {
  return groups
    .filter((g) => !g.files.some((f) => loaded.has(f)))
    .map((g) => `--module '${g.arg}': the program never loaded it, so nothing of it was profiled`);
}
