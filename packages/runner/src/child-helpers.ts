/**
 * Small helpers every collector needs in the profiled process, in one place. Cheap to load (no
 * compiler), so collectors and their worker threads import this module directly.
 */
import { readFileSync } from "node:fs";
import type { Session } from "node:inspector";
import { dirname, sep } from "node:path";

/** node:inspector's post answers synchronously for a session on the same thread; make that explicit. */
export function postSync(session: Session, method: string, params?: object): any {
  let answer: unknown;
  let failure: Error | null = null;
  session.post(method, params ?? {}, (err, result) => {
    failure = err;
    answer = result;
  });
  if (failure) throw failure;
  return answer;
}

const sourceCache = new Map<string, string[]>();

/** A source file's lines (cached; empty when it cannot be read). */
export function sourceLines(file: string): string[] {
  let lines = sourceCache.get(file);
  if (!lines) {
    try {
      lines = readFileSync(file, "utf8").split(/\r?\n/);
    } catch {
      lines = [];
    }
    sourceCache.set(file, lines);
  }
  return lines;
}

function packageDir(name: string): string[] {
  try {
    return [dirname(require.resolve(`${name}/package.json`))];
  } catch {
    return [];
  }
}

/**
 * tsprof's own code in the profiled process (its packages and the CLI, in the repo and as
 * installed): left out of summaries and allocation tables, it is not the user's program. Its
 * compilers (typescript, esbuild) are not listed: installed, they are the same hoisted copies the
 * user's own program may import and profile, and when tsprof itself runs them in the process
 * (a computed require compiled there) they sit under tsprof's frames, which already drops them.
 */
export const OWN_DIRS: string[] = [
  dirname(dirname(__dirname)),
  dirname(dirname(dirname(__dirname))) + `${sep}cli`,
  ...packageDir("tsprof"),
].map((d) => d + sep).filter((d, i, all) => all.indexOf(d) === i);

export function isOwnFile(file: string): boolean {
  return OWN_DIRS.some((dir) => file.startsWith(dir));
}

/**
 * The source maps a CPU profile's positions need, by the profile's url, read in the profiled
 * process (node:module keeps them once source maps are on) and saved with the raw profile, so that
 * tsprof's parent maps it after the program has ended (map-profile.ts, `sourceMaps`) instead of
 * the program loading a source-map library and mapping on its way out. tsprof's own frames are
 * never mapped (their urls are left out); the original text is not needed (sourcesContent dropped).
 */
export function profileSourceMaps(urls: Iterable<string>, ownDirs: string[] = OWN_DIRS): Record<string, object> {
  const { findSourceMap } = require("node:module") as typeof import("node:module");
  const { fileURLToPath, pathToFileURL } = require("node:url") as typeof import("node:url");
  const maps: Record<string, object> = {};
  for (const url of new Set(urls)) {
    if (!url || url.startsWith("node:")) continue;
    try {
      const file = url.startsWith("file:") ? fileURLToPath(url) : url;
      if (ownDirs.some((d) => file.startsWith(d))) continue;
      // The keys node:module may know the script by, in the order SourceLineMapper tries them.
      const candidates = url.startsWith("file:") ? [url, file] : [file, pathToFileURL(file).href];
      for (const key of candidates) {
        const payload = findSourceMap(key)?.payload as { sourcesContent?: unknown } | undefined;
        if (!payload) continue;
        const { sourcesContent, ...map } = payload;
        void sourcesContent;
        maps[url] = map;
        break;
      }
    } catch {
      // A url that names no file (eval code, a malformed file: URL): it has no source map to save.
    }
  }
  return maps;
}
