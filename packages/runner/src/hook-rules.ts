/**
 * What tsprof's module hooks do, shared by both ways Node runs them: `module.register` (async
 * hooks in a loader thread of their own: Node 20, 22 before 22.15) in hooks.mts, and
 * `module.registerHooks` (synchronous, on the program's own thread: Node 22.15+, 23.5+, 24) in
 * hooks-sync.ts.
 */
import { compileFile, formatOf, isTypeScriptFile, mayInstrument, wantsInstrumentation, useCompileCache, JS_EXTENSIONS, type InstrumentPlan, type ModuleFormat } from "./compile";
import { handedOver, type HandoverIndex } from "./handover";

/** What register.ts hands to the hooks. */
export interface HookData {
  instrument: InstrumentPlan | null;
  cacheDir?: string | null;
  /** Set in a profiled child: the line a compile here (a miss of the parent's walk) prints. */
  compileNote?: string | null;
  /** The parent's compiled files (see handover.ts). */
  handover?: HandoverIndex | null;
}

export interface HookState {
  plan: InstrumentPlan | null;
  handover: HandoverIndex | null;
}

export function initializeHooks(data: HookData | undefined): HookState {
  const note = data?.compileNote;
  if (note) useCompileCache(data?.cacheDir ?? null, (file) => process.stderr.write(note.replace("%s", file)));
  return { plan: data?.instrument ?? null, handover: data?.handover ?? null };
}

/** Where a missing relative import may really be: TypeScript sources imported by their .js name. */
export function candidates(specifier: string): string[] {
  const m = /\.(c|m)?js$/.exec(specifier);
  if (m) {
    const base = specifier.slice(0, -m[0].length);
    const ext = m[1] === "m" ? [".mts"] : m[1] === "c" ? [".cts"] : [".ts", ".tsx"];
    return ext.map((e) => base + e);
  }
  if (/\.[cm]?tsx?$/.test(specifier)) return [];
  return [".ts", ".tsx", ".mts", ".js", "/index.ts", "/index.js"].map((e) => specifier + e);
}

export function isPathLike(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/") || specifier.startsWith("file:");
}

/** Does the load hook take this file over (TypeScript, or user JavaScript it may instrument)? */
export function loadsItself(file: string, state: HookState): boolean {
  return isTypeScriptFile(file) || (mayInstrument(file, state.plan) && JS_EXTENSIONS.some((e) => file.endsWith(e)));
}

/**
 * The module text for a file the load hook took over, or null to leave it to Node (user
 * JavaScript with nothing to instrument). CommonJS output is handed over compiled too: Node reads
 * its named exports from this text.
 */
export function loadedSource(file: string, source: string, state: HookState): { format: ModuleFormat; source: string } | null {
  if (!isTypeScriptFile(file) && !wantsInstrumentation(file, source, state.plan)) return null;
  const format = formatOf(file);
  return { format, source: handedOver(state.handover, file, format, source) ?? compileFile(file, source, format, state.plan).code };
}
