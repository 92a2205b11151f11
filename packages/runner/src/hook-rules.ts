/**
 * What tsprof's module hooks do, shared by both ways Node runs them: `module.register` (async
 * hooks in a loader thread of their own: Node 20, 22 before 22.15) in hooks.mts, and
 * `module.registerHooks` (synchronous, on the program's own thread: Node 22.15+, 23.5+, 24) in
 * hooks-sync.ts.
 */
import { compileFile, formatOf, isTypeScriptFile, mayInstrument, wantsInstrumentation, useCompileCache, JS_EXTENSIONS, type InstrumentPlan, type ModuleFormat } from "./compile";
import { readFileSync } from "node:fs";
import { handedOver, type HandoverIndex } from "./handover";

/** What register.ts hands to the hooks. */
export interface HookData {
  instrument: InstrumentPlan | null;
  cacheDir?: string | null;
  /** Set in a profiled child: the line a compile here (a miss of the parent's walk) prints. */
  compileNote?: string | null;
  /** The parent's compiled files (see handover.ts). */
  handover?: HandoverIndex | null;
  /**
   * An early-started child registers its hooks before the parent's go (early-start.ts), when the
   * handover does not exist yet: it is read from the run's config at the first load, which comes
   * after the go.
   */
  handoverConfig?: string | null;
}

export interface HookState {
  plan: InstrumentPlan | null;
  handover: HandoverIndex | null;
  handoverConfig: string | null;
}

export function initializeHooks(data: HookData | undefined): HookState {
  const note = data?.compileNote;
  if (note) useCompileCache(data?.cacheDir ?? null, (file) => process.stderr.write(note.replace("%s", file)));
  return { plan: data?.instrument ?? null, handover: data?.handover ?? null, handoverConfig: data?.handoverConfig ?? null };
}

/** The handover, read from the run's config the first time for an early-started child. */
function handoverOf(state: HookState): HandoverIndex | null {
  if (state.handoverConfig) {
    try {
      state.handover = (JSON.parse(readFileSync(state.handoverConfig, "utf8")) as { handover?: HandoverIndex | null }).handover ?? null;
    } catch {
      // No handover: the file compiles here, as any the parent missed.
    }
    state.handoverConfig = null;
  }
  return state.handover;
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
  return { format, source: handedOver(handoverOf(state), file, format, source) ?? compileFile(file, source, format, state.plan).code };
}
