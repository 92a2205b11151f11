/**
 * Source instrumentation of marked functions.
 *
 * We parse the user's original TypeScript/JavaScript with the TypeScript compiler's parser and
 * insert small calls *on the same lines* as the code they count (never a new line), so every line
 * number the profiler records is a line of the original file, before any transpiling. The
 * transpiler (esbuild) then sees ordinary code.
 *
 * Three styles, chosen by the measuring tool:
 * - "counters" (line --mode hybrid): `__tsp_c[k]++` per statement, plus a shadow line stack in a
 *   SharedArrayBuffer that a sampler thread reads, so a line's time includes the callees it runs.
 * - "events" (line --mode trace, mem): `__tsp_r.enter/line/exit` calls with a per-call frame.
 * - "calls" (mem --plot brackets): enter/exit only.
 */
import type * as TS from "typescript";
export { hitsOfSlots } from "./instrument-meta";

// TypeScript's parser is large (~200 ms to load): loaded on the first file that needs parsing, so
// that importing this package (and running scripts with nothing to instrument) stays fast.
let ts: typeof TS;
function loadTypeScript(): void {
  ts ??= require("typescript") as typeof TS;
}

export type InstrumentStyle = "counters" | "events" | "calls";

export interface InstrumentSelection {
  style: InstrumentStyle;
  /** Instrument every function of the file. */
  all: boolean;
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
}

export interface FileMeta {
  file: string;
  functions: FunctionMeta[];
  slots: SlotMeta[];
}

export interface InstrumentResult {
  code: string;
  meta: FileMeta;
}


type FunctionNode =
  | TS.FunctionDeclaration
  | TS.FunctionExpression
  | TS.ArrowFunction
  | TS.MethodDeclaration
  | TS.ConstructorDeclaration
  | TS.GetAccessorDeclaration
  | TS.SetAccessorDeclaration;

function isFunctionNode(node: TS.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

function scriptKindFor(file: string): TS.ScriptKind {
  if (/\.[cm]?tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(file)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

/** Is this expression the `profile` marker (`profile`, `tsprof.profile`, `profile()`)? */
function isProfileExpression(expr: TS.Expression): boolean {
  if (ts.isIdentifier(expr)) return expr.text === "profile";
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text === "profile";
  if (ts.isCallExpression(expr)) return isProfileExpression(expr.expression) && expr.arguments.length === 0;
  return false;
}

const TAG_PATTERN = /(^|[\s*/])@profile\b/;

/** Statements that can only leave early by throwing (or end their run: return, throw, break, continue). */
function isSimpleStatement(node: TS.Node): boolean {
  return (
    ts.isVariableStatement(node) ||
    ts.isExpressionStatement(node) ||
    ts.isReturnStatement(node) ||
    ts.isThrowStatement(node) ||
    ts.isBreakStatement(node) ||
    ts.isContinueStatement(node)
  );
}

/** Statements after which the rest of their list does not run. */
function isTerminal(node: TS.Node): boolean {
  return ts.isReturnStatement(node) || ts.isThrowStatement(node) || ts.isBreakStatement(node) || ts.isContinueStatement(node);
}

/** Does evaluating this node call code (not counting nested functions, which only get created)? */
function hasCall(node: TS.Node): boolean {
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found || isFunctionNode(n) || ts.isClassLike(n)) return;
    if (
      ts.isCallExpression(n) ||
      ts.isNewExpression(n) ||
      ts.isTaggedTemplateExpression(n) ||
      ts.isAwaitExpression(n) ||
      ts.isYieldExpression(n) ||
      ts.isJsxElement(n) ||
      ts.isJsxSelfClosingElement(n) ||
      ts.isDecorator(n)
    ) {
      found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** Compound statements whose header expression calls something. */
function headerHasCall(node: TS.Node): boolean {
  if (ts.isIfStatement(node) || ts.isSwitchStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node) || ts.isDoStatement(node)) {
    return hasCall(node.expression);
  }
  return false;
}

/** Statements that execute (and so get a line slot). Declarations that emit no code are left out. */
function isCountedStatement(node: TS.Node): boolean {
  switch (node.kind) {
    case ts.SyntaxKind.VariableStatement:
    case ts.SyntaxKind.ExpressionStatement:
    case ts.SyntaxKind.ReturnStatement:
    case ts.SyntaxKind.IfStatement:
    case ts.SyntaxKind.ForStatement:
    case ts.SyntaxKind.ForOfStatement:
    case ts.SyntaxKind.ForInStatement:
    case ts.SyntaxKind.WhileStatement:
    case ts.SyntaxKind.DoStatement:
    case ts.SyntaxKind.SwitchStatement:
    case ts.SyntaxKind.ThrowStatement:
    case ts.SyntaxKind.TryStatement:
    case ts.SyntaxKind.BreakStatement:
    case ts.SyntaxKind.ContinueStatement:
    case ts.SyntaxKind.LabeledStatement:
    case ts.SyntaxKind.ClassDeclaration:
    case ts.SyntaxKind.EnumDeclaration:
    case ts.SyntaxKind.DebuggerStatement:
      return true;
    default:
      return false;
  }
}

function isDeclareOnly(node: TS.Node): boolean {
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  return mods?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword) ?? false;
}

/** The leading `"use strict"`-style directives of a body: they stay first, or they stop being directives. */
function directivePrologue(statements: readonly TS.Statement[]): TS.Statement[] {
  const out: TS.Statement[] = [];
  for (const st of statements) {
    if (!(ts.isExpressionStatement(st) && ts.isStringLiteral(st.expression))) break;
    out.push(st);
  }
  return out;
}

/** A statement ended by automatic semicolon insertion needs its `;` before code is appended to it. */
function terminator(st: TS.Node): string {
  // (After a block or a function expression's `}` an extra `;` is an empty statement: harmless.)
  return st.getText().endsWith(";") ? "" : ";";
}

interface Insertion {
  pos: number;
  text: string;
  /** Among insertions at one position: lower order goes first. */
  order: number;
}

/**
 * Find the functions to instrument in `source` and return the instrumented text plus the metadata
 * the collector needs. Returns null when the file has nothing to instrument.
 */
export function instrumentSource(
  source: string,
  file: string,
  selection: InstrumentSelection,
): InstrumentResult | null {
  if (!selection.all && !source.includes("profile")) return null;
  loadTypeScript();
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, scriptKindFor(file));
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;

  // 1. Which functions are marked, and where does each table start?
  const marked = new Map<FunctionNode, number>();
  const namedFunctions = new Map<string, FunctionNode>();
  const profiledNames = new Set<string>();

  const commentTagLine = (node: TS.Node): number | null => {
    const ranges = ts.getLeadingCommentRanges(source, node.getFullStart()) ?? [];
    for (const r of ranges) {
      const text = source.slice(r.pos, r.end);
      if (TAG_PATTERN.test(text)) {
        // The line holding the tag itself, like line_profiler's `@profile` line.
        const offset = text.search(/@profile\b/);
        return lineOf(r.pos + offset);
      }
    }
    return null;
  };

  const markerOwner = (fn: FunctionNode): TS.Node => {
    // Tags on `const f = () => ...` sit before the variable statement; on class fields before the property.
    let owner: TS.Node = fn;
    const parent = fn.parent;
    if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && parent) {
      if (ts.isVariableDeclaration(parent) && parent.parent && ts.isVariableDeclarationList(parent.parent)) {
        owner = parent.parent.parent; // VariableStatement
      } else if (ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) {
        owner = parent;
      } else if (ts.isBinaryExpression(parent) && parent.parent && ts.isExpressionStatement(parent.parent)) {
        owner = parent.parent;
      }
    }
    return owner;
  };

  const visitMarks = (node: TS.Node): void => {
    if (isFunctionNode(node) && node.body) {
      const owner = markerOwner(node);
      let start: number | null = null;
      if (ts.canHaveDecorators(node)) {
        const decorators = ts.getDecorators(node) ?? [];
        const d = decorators.find((dec) => isProfileExpression(dec.expression));
        if (d) start = lineOf(d.getStart(sf));
      }
      if (start === null && ts.isPropertyDeclaration(owner) && ts.canHaveDecorators(owner)) {
        const d = (ts.getDecorators(owner) ?? []).find((dec) => isProfileExpression(dec.expression));
        if (d) start = lineOf(d.getStart(sf));
      }
      if (start === null) start = commentTagLine(owner);
      if (start === null && owner !== node) start = commentTagLine(node);
      if (start !== null) marked.set(node, start);
      const name = functionName(node);
      if (name !== "<anonymous>") namedFunctions.set(name, node);
    }
    if (ts.isCallExpression(node) && isProfileExpression(node.expression) && node.arguments.length >= 1) {
      const arg = node.arguments[0];
      if (ts.isArrowFunction(arg) || ts.isFunctionExpression(arg)) {
        if (!marked.has(arg)) marked.set(arg, lineOf(arg.getStart(sf)));
      } else if (ts.isIdentifier(arg)) {
        profiledNames.add(arg.text);
      }
    }
    ts.forEachChild(node, visitMarks);
  };
  visitMarks(sf);
  for (const name of profiledNames) {
    const fn = namedFunctions.get(name);
    if (fn && !marked.has(fn)) marked.set(fn, lineOf(fn.getStart(sf)));
  }

  // 2. Every function with a body when the whole file is selected.
  const selected: Array<{ fn: FunctionNode; tableLine: number }> = [];
  const collectAll = (node: TS.Node): void => {
    if (isFunctionNode(node) && node.body && !isDeclareOnly(node)) {
      const tableLine = marked.get(node) ?? lineOf(node.getStart(sf));
      selected.push({ fn: node, tableLine });
    }
    ts.forEachChild(node, collectAll);
  };
  if (selection.all) collectAll(sf);
  else for (const [fn, tableLine] of marked) selected.push({ fn, tableLine });
  // A whole file with no function still registers: the collector learns that it was loaded.
  if (selected.length === 0 && !selection.all) return null;
  selected.sort((a, b) => a.fn.getStart(sf) - b.fn.getStart(sf));

  // 3. Insertions.
  const meta: FileMeta = { file, functions: [], slots: [] };
  const insertions: Insertion[] = [];
  const insert = (pos: number, text: string, order = 0) => insertions.push({ pos, text, order });
  const style = selection.style;

  for (const { fn, tableLine } of selected) {
    const fnIndex = meta.functions.length;
    const suspends =
      !!fn.asteriskToken || (ts.getModifiers(fn as TS.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false);
    const entrySlot = meta.slots.length;
    const bodyLine = lineOf(fn.body!.getStart(sf));
    meta.slots.push({ line: bodyLine, fn: fnIndex, leader: entrySlot, call: false });
    meta.functions.push({
      name: functionName(fn),
      line: Math.min(tableLine, lineOf(fn.getStart(sf))),
      bodyLine,
      endLine: lineOf(fn.getEnd()),
      entrySlot,
      suspends,
    });
    const newSlot = (node: TS.Node, leader: number | null, call: boolean): number => {
      const index = meta.slots.length;
      meta.slots.push({ line: lineOf(node.getStart(sf)), fn: fnIndex, leader: leader ?? index, call });
      return index;
    };
    // "runs" (hybrid, functions that do not suspend): one counter per straight-line run of simple
    // statements, and the shadow-stack store only around statements that call something.
    const runs = style === "counters" && !suspends;
    const count = (slot: number): string =>
      style === "counters" ? `__tsp_c[${slot}]++;` : style === "events" ? `__tsp_r.line(__tsp_f,${slot});` : "";
    const store = (slot: number): string => `__tsp_s[__tsp_d]=__tsp_b+${slot};`;
    const RESET = "__tsp_s[__tsp_d]=0;";
    /** Wrap an expression: count it (optional) and, in runs mode, mark its slot while it calls. */
    const wrapExpression = (expr: TS.Expression, slot: number, counted: boolean): void => {
      const call = runs && hasCall(expr);
      if (!counted && !call) return;
      let head = "(";
      if (counted) head += style === "counters" ? `__tsp_c[${slot}]++,` : style === "events" ? `__tsp_r.line(__tsp_f,${slot}),` : "";
      if (call) {
        insert(expr.getStart(sf), `${head}__tsp_s[__tsp_d]=__tsp_b+${slot},__tsp_v=(`, -5);
        insert(expr.getEnd(), `),__tsp_s[__tsp_d]=0,__tsp_v)`, 5);
      } else {
        insert(expr.getStart(sf), head, -5);
        insert(expr.getEnd(), ")", 5);
      }
    };
    const prologue =
      style === "counters"
        ? runs
          ? `__tsp_c[${entrySlot}]++;const __tsp_d=++__tsp_s[0];__tsp_s[__tsp_d]=0;let __tsp_v;try{`
          : `__tsp_c[${entrySlot}]++;`
        : `const __tsp_f=__tsp_r.enter(${fnIndex});try{`;
    // An exception leaving the function: the slot of the call statement it came through tells the
    // collector which statements of that run did not start (their counts were taken with the run's).
    const ESCAPE = "const __tsp_k=__tsp_s[__tsp_d];if(__tsp_k>0){__tsp_e[__tsp_k-__tsp_b]++;__tsp_s[__tsp_d]=0}";
    const epilogue =
      style === "counters"
        ? runs
          ? `}catch(__tsp_err){${ESCAPE}throw __tsp_err}finally{__tsp_s[0]=__tsp_d-1}`
          : ""
        : `}finally{__tsp_r.exit(__tsp_f)}`;

    const body = fn.body!;
    if (ts.isBlock(body)) {
      // Keep a "use strict" prologue first: it stops being a directive after other code.
      const directives = directivePrologue(body.statements);
      const last = directives[directives.length - 1];
      const afterDirectives = last ? last.getEnd() : body.getStart(sf) + 1;
      // The prologue before, and the epilogue after, anything inserted for the first / last statement.
      insert(afterDirectives, (last ? terminator(last) : "") + prologue, -60);
      if (style !== "calls") instrumentStatements(body.statements.filter((st) => st.getStart(sf) >= afterDirectives));
      insert(body.getEnd() - 1, epilogue, 60);
    } else {
      // Arrow function with an expression body.
      const call = runs && hasCall(body);
      const slot = newSlot(body, null, call);
      if (style === "counters" && !runs) {
        insert(body.getStart(sf), `(__tsp_c[${entrySlot}]++,__tsp_c[${slot}]++,(`, -10);
        insert(body.getEnd(), `))`, 10);
      } else {
        insert(body.getStart(sf), `{${prologue}${count(slot)}${call ? store(slot) : ""}return (`, -10);
        insert(body.getEnd(), `);${epilogue}}`, 10);
      }
    }

    function instrumentStatements(statements: TS.NodeArray<TS.Statement> | readonly TS.Statement[]): void {
      let leader: number | null = null;
      for (const st of statements) {
        if (runs && isSimpleStatement(st)) {
          const call = hasCall(st);
          const slot = newSlot(st, leader, call);
          let before = leader === null ? count(slot) : "";
          if (call) before += store(slot);
          if (before) insert(st.getStart(sf), before, -20);
          if (call && !isTerminal(st)) insert(st.getEnd(), terminator(st) + RESET, 20);
          leader = isTerminal(st) ? null : (leader ?? slot);
          continue;
        }
        // Declarations that run no code (functions, types) do not break a run; anything else does.
        if (!(isFunctionNode(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEmptyStatement(st))) leader = null;
        instrumentStatement(st, false);
      }
    }

    /** `alone`: the statement is the single body of an if/loop, so it must be wrapped in braces. */
    function instrumentStatement(st: TS.Statement, alone: boolean): void {
      if (ts.isBlock(st)) {
        instrumentStatements(st.statements);
        return;
      }
      // A nested function declaration is its own function, profiled only if selected itself.
      if (isFunctionNode(st)) return;
      if (!isCountedStatement(st) || isDeclareOnly(st)) {
        visitInner(st);
        return;
      }
      // Loop headers count per condition check / iteration, like line_profiler's `for` line.
      if ((ts.isForStatement(st) && st.condition) || ts.isWhileStatement(st)) {
        const cond = ts.isForStatement(st) ? st.condition! : st.expression;
        const slot = newSlot(st, null, runs && hasCall(cond));
        wrapExpression(cond, slot, true);
        if (alone) {
          insert(st.getStart(sf), "{", -20);
          insert(st.getEnd(), "}", 20);
        }
        visitInner(st);
        return;
      }
      const simple = isSimpleStatement(st);
      const call = runs && (simple ? hasCall(st) : false);
      const slot = newSlot(st, null, call || (runs && headerHasCall(st)));
      const before = count(slot) + (call ? store(slot) : "");
      const after = call && !isTerminal(st) ? terminator(st) + RESET : "";
      if (alone) {
        insert(st.getStart(sf), `{${before}`, -20);
        insert(st.getEnd(), `${after}}`, 20);
      } else {
        if (before) insert(st.getStart(sf), before, -20);
        if (after) insert(st.getEnd(), after, 20);
      }
      if (runs) {
        // Compound statements: mark the slot while their header expression calls something.
        if (ts.isIfStatement(st) || ts.isSwitchStatement(st) || ts.isForOfStatement(st) || ts.isForInStatement(st) || ts.isDoStatement(st)) {
          wrapExpression(st.expression, slot, false);
        }
      }
      if (ts.isForOfStatement(st) || ts.isForInStatement(st)) {
        // One more hit per iteration start: n iterations give n + 1, like a Python `for` line.
        bodyPrefix(st.statement, count(slot));
      }
      if (ts.isLabeledStatement(st)) {
        // A label must stay directly on its loop: instrument inside, never wrap the loop.
        instrumentLabeled(st.statement);
        return;
      }
      if (!simple) visitInner(st);
    }

    function instrumentLabeled(inner: TS.Statement): void {
      if ((ts.isForStatement(inner) && inner.condition) || ts.isWhileStatement(inner)) {
        const cond = ts.isForStatement(inner) ? inner.condition! : inner.expression;
        const slot = newSlot(inner, null, runs && hasCall(cond));
        wrapExpression(cond, slot, true);
      }
      visitInner(inner);
    }

    function bodyPrefix(body: TS.Statement, text: string): void {
      if (ts.isBlock(body)) insert(body.getStart(sf) + 1, text, -30);
      else {
        insert(body.getStart(sf), `{${text}`, -30);
        insert(body.getEnd(), "}", 30);
      }
    }

    /** Recurse into a statement's nested statements (not into nested functions). */
    function visitInner(node: TS.Node): void {
      const visit = (child: TS.Node): void => {
        // Nested functions and classes are their own functions: instrumented only if selected.
        if (isFunctionNode(child) || ts.isClassLike(child)) return;
        if (ts.isCatchClause(child)) {
          // A caught exception: record where it left the run it came from, as at function exit.
          if (runs) insert(child.block.getStart(sf) + 1, `{${ESCAPE}}`, -40);
          instrumentStatements(child.block.statements);
          return;
        }
        if (ts.isBlock(child)) {
          instrumentStatements(child.statements);
          return;
        }
        if (ts.isCaseClause(child) || ts.isDefaultClause(child)) {
          instrumentStatements(child.statements);
          return;
        }
        if (isStatementPosition(child)) {
          instrumentStatement(child as TS.Statement, true);
          return;
        }
        ts.forEachChild(child, visit);
      };
      ts.forEachChild(node, visit);
    }

    function isStatementPosition(child: TS.Node): boolean {
      const parent = child.parent;
      if (!parent || !isCountedStatement(child)) return false;
      if (ts.isIfStatement(parent)) return child === parent.thenStatement || child === parent.elseStatement;
      if (
        ts.isForStatement(parent) ||
        ts.isForOfStatement(parent) ||
        ts.isForInStatement(parent) ||
        ts.isWhileStatement(parent) ||
        ts.isDoStatement(parent)
      )
        return child === parent.statement;
      return false;
    }
  }

  // 4. The per-file registration, on the first line (after a shebang), so no line moves.
  // A file-level directive prologue stays first too (a "use strict" file must stay strict).
  let headerPos = 0;
  let headerPrefix = "";
  const fileDirectives = directivePrologue(sf.statements);
  if (fileDirectives.length > 0) {
    const lastDirective = fileDirectives[fileDirectives.length - 1];
    headerPos = lastDirective.getEnd();
    headerPrefix = terminator(lastDirective);
  } else if (source.startsWith("#!")) {
    const nl = source.indexOf("\n");
    headerPos = nl === -1 ? source.length : nl + 1;
  }
  const metaJson = JSON.stringify(meta);
  const header =
    style === "counters"
      ? `var __tsp_x=globalThis.__tsprof.registerFile(${metaJson}),__tsp_c=__tsp_x.counters,__tsp_s=__tsp_x.stack,__tsp_b=__tsp_x.base,__tsp_e=__tsp_x.escapes;`
      : `var __tsp_r=globalThis.__tsprof.registerFile(${metaJson});`;
  insert(headerPos, headerPrefix + header, -100);

  insertions.sort((a, b) => a.pos - b.pos || a.order - b.order);
  let out = "";
  let last = 0;
  for (const ins of insertions) {
    out += source.slice(last, ins.pos) + ins.text;
    last = ins.pos;
  }
  out += source.slice(last);
  return { code: out, meta };
}

/** A readable name: `f`, `Class.method`, the variable an arrow is assigned to, or `<anonymous>`. */
export function functionName(fn: TS.Node): string {
  loadTypeScript();
  const className = (node: TS.Node): string | null => {
    const cls = node.parent;
    if (cls && ts.isClassLike(cls)) return cls.name?.text ?? "<class>";
    if (cls && ts.isObjectLiteralExpression(cls)) return null;
    return null;
  };
  const propName = (name: TS.PropertyName | undefined): string =>
    !name ? "<anonymous>" : ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) ? name.text : name.getText();
  if (ts.isFunctionDeclaration(fn)) return fn.name?.text ?? "<anonymous>";
  if (ts.isConstructorDeclaration(fn)) return `${className(fn) ?? "<class>"}.constructor`;
  if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) {
    const cls = className(fn);
    const n = propName(fn.name);
    return cls ? `${cls}.${n}` : n;
  }
  if (ts.isFunctionExpression(fn) && fn.name) return fn.name.text;
  let parent = fn.parent;
  // profile(() => ...) assigned to a variable: name it after the variable.
  if (parent && ts.isCallExpression(parent)) parent = parent.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && (ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent))) {
    const cls = className(parent);
    const n = propName(parent.name);
    return cls ? `${cls}.${n}` : n;
  }
  if (parent && ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    return parent.left.getText();
  }
  return "<anonymous>";
}
