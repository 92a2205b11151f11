/**
 * Source instrumentation of marked functions.
 *
 * We parse the user's original TypeScript/JavaScript with the TypeScript compiler's parser and
 * insert small calls *on the same lines* as the code they count (never a new line), so every line
 * number the profiler records is a line of the original file, before any transpiling. The
 * transpiler (esbuild) then sees ordinary code. Three steps:
 * 1. find the marked functions (instrument-find.ts);
 * 2. plan the insertions for each, per style (instrument-plan.ts);
 * 3. apply them, with the per-file registration on the first line.
 */
import type * as TS from "typescript";
import { typescript } from "./typescript";
import { findMarks, functionNameOf, isDeclareOnly, isFunctionNode, type FunctionNode } from "./instrument-find";
import { FunctionPlanner, directivePrologue, terminator, type Insertion } from "./instrument-plan";
export { hitsOfSlots, lineHits } from "./instrument-meta";
export type { Insertion } from "./instrument-plan";

export type InstrumentStyle = "counters" | "events" | "calls";

export interface InstrumentSelection {
  style: InstrumentStyle;
  /** Instrument every function of the file. */
  all: boolean;
  /** Functions marked from another module (`profile(square)` after importing it), by name. */
  names?: readonly string[];
}

export interface FunctionMeta {
  name: string;
  /** Table start: the decorator / `@profile` tag line, else the function's first line. 1-based. */
  line: number;
  /** Line where the body starts (its `{`, or an arrow's expression). */
  bodyLine: number;
  endLine: number;
  /** Slot counting calls. */
  entrySlot: number;
  /** async functions and generators suspend; the shadow stack skips them (see README). */
  suspends: boolean;
}

export interface SlotMeta {
  line: number;
  fn: number;
  /**
   * The slot whose counter counts this statement: itself, or the first statement of its
   * straight-line run (hybrid mode counts a run once; see hitsOfSlots).
   */
  leader: number;
  /** The statement calls something: hybrid marks its slot on the shadow stack while it runs. */
  call: boolean;
  /**
   * The statement only ever starts right after another statement on its own line (the branch of
   * `if (x) return;`, the second of `a(); b();`): it does not start its line, so adds no hits.
   */
  continues?: boolean;
}

export interface FileMeta {
  file: string;
  functions: FunctionMeta[];
  slots: SlotMeta[];
  /** Markings that could not be honoured, one line each (`file:line: ...`). */
  warnings?: string[];
}

export interface InstrumentResult {
  code: string;
  meta: FileMeta;
  /** What was inserted where (offsets in the original source): maps columns back (column-map.ts). */
  insertions: Insertion[];
}

function scriptKindFor(file: string): TS.ScriptKind {
  const ts = typescript();
  if (/\.[cm]?tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(file)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

/** The functions to instrument, in source order, each with its table's first line. */
function selectFunctions(sf: TS.SourceFile, marked: Map<FunctionNode, number>, all: boolean): Array<{ fn: FunctionNode; tableLine: number }> {
  const ts = typescript();
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const selected: Array<{ fn: FunctionNode; tableLine: number }> = [];
  const collectAll = (node: TS.Node): void => {
    if (isFunctionNode(node) && node.body && !isDeclareOnly(node)) selected.push({ fn: node, tableLine: marked.get(node) ?? lineOf(node.getStart(sf)) });
    ts.forEachChild(node, collectAll);
  };
  if (all) collectAll(sf);
  else for (const [fn, tableLine] of marked) selected.push({ fn, tableLine });
  return selected.sort((a, b) => a.fn.getStart(sf) - b.fn.getStart(sf));
}

/** The per-file registration, on the first line (after a shebang or the file's directives), so no line moves. */
function registration(sf: TS.SourceFile, source: string, meta: FileMeta, style: InstrumentStyle): Insertion {
  const metaJson = JSON.stringify(meta);
  const header =
    style === "counters"
      ? `var __tsp_x=globalThis.__tsprof.registerFile(${metaJson}),__tsp_c=__tsp_x.counters,__tsp_s=__tsp_x.stack,__tsp_b=__tsp_x.base,__tsp_e=__tsp_x.escapes;`
      : `var __tsp_r=globalThis.__tsprof.registerFile(${metaJson});`;
  // A file-level directive prologue stays first too (a "use strict" file must stay strict).
  const directives = directivePrologue(sf.statements);
  if (directives.length > 0) {
    const last = directives[directives.length - 1];
    return { pos: last.getEnd(), text: terminator(last) + header, order: -100 };
  }
  let pos = 0;
  if (source.startsWith("#!")) {
    const nl = source.indexOf("\n");
    pos = nl === -1 ? source.length : nl + 1;
  }
  return { pos, text: header, order: -100 };
}

/** Step 3: the source with every insertion in place (stable by position, then order). */
export function applyInsertions(source: string, insertions: Insertion[]): string {
  const sorted = [...insertions].sort((a, b) => a.pos - b.pos || a.order - b.order);
  let out = "";
  let last = 0;
  for (const ins of sorted) {
    out += source.slice(last, ins.pos) + ins.text;
    last = ins.pos;
  }
  return out + source.slice(last);
}

/**
 * Find the functions to instrument in `source` and return the instrumented text plus the metadata
 * the collector needs. Returns null when the file has nothing to instrument and nothing to report.
 */
export function instrumentSource(source: string, file: string, selection: InstrumentSelection): InstrumentResult | null {
  if (!selection.all && !selection.names?.length && !source.includes("profile")) return null;
  const sf = parse(source, file);
  const { marked, warnings } = findMarks(sf, source, file, selection.names);
  const selected = selectFunctions(sf, marked, selection.all);
  // A whole file with no function still registers: the collector learns that it was loaded.
  if (selected.length === 0 && !selection.all && warnings.length === 0) return null;
  const meta: FileMeta = { file, functions: [], slots: [], ...(warnings.length > 0 ? { warnings } : {}) };
  const insertions: Insertion[] = [];
  for (const { fn, tableLine } of selected) {
    new FunctionPlanner(sf, selection.style, meta, insertions, fn, tableLine).plan();
    meta.functions[meta.functions.length - 1].name = functionNameOf(fn);
  }
  insertions.push(registration(sf, source, meta, selection.style));
  return { code: applyInsertions(source, insertions), meta, insertions };
}

function parse(source: string, file: string): TS.SourceFile {
  const ts = typescript();
  return ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, scriptKindFor(file));
}

/** `profile(name)` calls on functions imported from relative modules: what to mark there. */
export function crossModuleMarks(source: string, file: string): Array<{ name: string; from: string }> {
  if (!source.includes("profile")) return [];
  const sf = parse(source, file);
  return findMarks(sf, source, file).imported;
}

/** A readable name: `f`, `Class.method`, the variable an arrow is assigned to, or `<anonymous>`. */
export function functionName(fn: TS.Node): string {
  return functionNameOf(fn);
}
