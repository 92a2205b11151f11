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
import ts from "typescript";

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
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

function isFunctionNode(node: ts.Node): node is FunctionNode {
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

function scriptKindFor(file: string): ts.ScriptKind {
  if (/\.[cm]?tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(file)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

/** Is this expression the `profile` marker (`profile`, `tsprof.profile`, `profile()`)? */
function isProfileExpression(expr: ts.Expression): boolean {
  if (ts.isIdentifier(expr)) return expr.text === "profile";
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text === "profile";
  if (ts.isCallExpression(expr)) return isProfileExpression(expr.expression) && expr.arguments.length === 0;
  return false;
}

const TAG_PATTERN = /(^|[\s*/])@profile\b/;

/** Statements that execute (and so get a line slot). Declarations that emit no code are left out. */
function isCountedStatement(node: ts.Node): boolean {
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

function isDeclareOnly(node: ts.Node): boolean {
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  return mods?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword) ?? false;
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
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, scriptKindFor(file));
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;

  // 1. Which functions are marked, and where does each table start?
  const marked = new Map<FunctionNode, number>();
  const namedFunctions = new Map<string, FunctionNode>();
  const profiledNames = new Set<string>();

  const commentTagLine = (node: ts.Node): number | null => {
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

  const markerOwner = (fn: FunctionNode): ts.Node => {
    // Tags on `const f = () => ...` sit before the variable statement; on class fields before the property.
    let owner: ts.Node = fn;
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

  const visitMarks = (node: ts.Node): void => {
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
  const collectAll = (node: ts.Node): void => {
    if (isFunctionNode(node) && node.body && !isDeclareOnly(node)) {
      const tableLine = marked.get(node) ?? lineOf(node.getStart(sf));
      selected.push({ fn: node, tableLine });
    }
    ts.forEachChild(node, collectAll);
  };
  if (selection.all) collectAll(sf);
  else for (const [fn, tableLine] of marked) selected.push({ fn, tableLine });
  if (selected.length === 0) return null;
  selected.sort((a, b) => a.fn.getStart(sf) - b.fn.getStart(sf));

  // 3. Insertions.
  const meta: FileMeta = { file, functions: [], slots: [] };
  const insertions: Insertion[] = [];
  const insert = (pos: number, text: string, order = 0) => insertions.push({ pos, text, order });
  const style = selection.style;

  for (const { fn, tableLine } of selected) {
    const fnIndex = meta.functions.length;
    const suspends =
      !!fn.asteriskToken || (ts.getModifiers(fn as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false);
    const entrySlot = meta.slots.length;
    const bodyLine = lineOf(fn.body!.getStart(sf));
    // Time between the call and the first statement lands on the line the body opens on.
    meta.slots.push({ line: bodyLine, fn: fnIndex });
    meta.functions.push({
      name: functionName(fn),
      line: Math.min(tableLine, lineOf(fn.getStart(sf))),
      bodyLine,
      endLine: lineOf(fn.getEnd()),
      entrySlot,
      suspends,
    });
    const newSlot = (node: ts.Node): number => {
      meta.slots.push({ line: lineOf(node.getStart(sf)), fn: fnIndex });
      return meta.slots.length - 1;
    };
    // Code fragments for this function's style.
    const useStack = style === "counters" && !suspends;
    const countText = (slot: number): string => {
      if (style === "counters") return useStack ? `__tsp_c[${slot}]++;__tsp_s[__tsp_d]=__tsp_b+${slot};` : `__tsp_c[${slot}]++;`;
      if (style === "events") return `__tsp_r.line(__tsp_f,${slot});`;
      return "";
    };
    const countExpr = (slot: number): string => {
      if (style === "counters") return useStack ? `(__tsp_c[${slot}]++,__tsp_s[__tsp_d]=__tsp_b+${slot},` : `(__tsp_c[${slot}]++,`;
      if (style === "events") return `(__tsp_r.line(__tsp_f,${slot}),`;
      return "(";
    };
    const prologue =
      style === "counters"
        ? useStack
          ? `__tsp_c[${entrySlot}]++;const __tsp_d=++__tsp_s[0];__tsp_s[__tsp_d]=__tsp_b+${entrySlot};try{`
          : `__tsp_c[${entrySlot}]++;`
        : `const __tsp_f=__tsp_r.enter(${fnIndex});try{`;
    const epilogue = style === "counters" ? (useStack ? `}finally{__tsp_s[0]=__tsp_d-1}` : "") : `}finally{__tsp_r.exit(__tsp_f)}`;

    const body = fn.body!;
    if (ts.isBlock(body)) {
      // Keep a "use strict" prologue first: it stops being a directive after other code.
      let afterDirectives = body.getStart(sf) + 1;
      for (const st of body.statements) {
        if (ts.isExpressionStatement(st) && ts.isStringLiteral(st.expression)) afterDirectives = st.getEnd();
        else break;
      }
      insert(afterDirectives, prologue, -10);
      if (style !== "calls") instrumentStatements(body.statements);
      insert(body.getEnd() - 1, epilogue, 10);
    } else {
      // Arrow function with an expression body.
      const slot = newSlot(body);
      if (style === "counters" && !useStack) {
        insert(body.getStart(sf), `(__tsp_c[${entrySlot}]++,__tsp_c[${slot}]++,(`, -10);
        insert(body.getEnd(), `))`, 10);
      } else {
        insert(body.getStart(sf), `{${prologue}${countText(slot)}return (`, -10);
        insert(body.getEnd(), `);${epilogue}}`, 10);
      }
    }

    function instrumentStatements(statements: ts.NodeArray<ts.Statement> | readonly ts.Statement[]): void {
      for (const st of statements) instrumentStatement(st, false);
    }

    /** `alone`: the statement is the single body of an if/loop, so it must be wrapped in braces. */
    function instrumentStatement(st: ts.Statement, alone: boolean): void {
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
        const slot = newSlot(st);
        const cond = ts.isForStatement(st) ? st.condition! : st.expression;
        insert(cond.getStart(sf), countExpr(slot), -5);
        insert(cond.getEnd(), ")", 5);
        if (alone) {
          insert(st.getStart(sf), "{", -20);
          insert(st.getEnd(), "}", 20);
        }
        visitInner(st);
        return;
      }
      const slot = newSlot(st);
      if (alone) {
        insert(st.getStart(sf), `{${countText(slot)}`, -20);
        insert(st.getEnd(), "}", 20);
      } else {
        insert(st.getStart(sf), countText(slot), -20);
      }
      if (ts.isForOfStatement(st) || ts.isForInStatement(st)) {
        // One more hit per iteration start: n iterations give n + 1, like a Python `for` line.
        bodyPrefix(st.statement, countText(slot));
      }
      if (ts.isLabeledStatement(st)) {
        // A label must stay directly on its loop: instrument inside, never wrap the loop.
        instrumentLabeled(st.statement);
        return;
      }
      visitInner(st);
    }

    function instrumentLabeled(inner: ts.Statement): void {
      if ((ts.isForStatement(inner) && inner.condition) || ts.isWhileStatement(inner)) {
        const slot = newSlot(inner);
        const cond = ts.isForStatement(inner) ? inner.condition! : inner.expression;
        insert(cond.getStart(sf), countExpr(slot), -5);
        insert(cond.getEnd(), ")", 5);
      }
      visitInner(inner);
    }

    function bodyPrefix(body: ts.Statement, text: string): void {
      if (ts.isBlock(body)) insert(body.getStart(sf) + 1, text, -30);
      else {
        insert(body.getStart(sf), `{${text}`, -30);
        insert(body.getEnd(), "}", 30);
      }
    }

    /** Recurse into a statement's nested statements (not into nested functions). */
    function visitInner(node: ts.Node): void {
      const visit = (child: ts.Node): void => {
        // Nested functions and classes are their own functions: instrumented only if selected.
        if (isFunctionNode(child) || ts.isClassLike(child)) return;
        if (ts.isBlock(child)) {
          instrumentStatements(child.statements);
          return;
        }
        if (ts.isCaseClause(child) || ts.isDefaultClause(child)) {
          instrumentStatements(child.statements);
          return;
        }
        if (isStatementPosition(child)) {
          instrumentStatement(child as ts.Statement, true);
          return;
        }
        ts.forEachChild(child, visit);
      };
      ts.forEachChild(node, visit);
    }

    function isStatementPosition(child: ts.Node): boolean {
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
  let headerPos = 0;
  if (source.startsWith("#!")) {
    const nl = source.indexOf("\n");
    headerPos = nl === -1 ? source.length : nl + 1;
  }
  const metaJson = JSON.stringify(meta);
  const header =
    style === "counters"
      ? `var __tsp_x=globalThis.__tsprof.registerFile(${metaJson}),__tsp_c=__tsp_x.counters,__tsp_s=__tsp_x.stack,__tsp_b=__tsp_x.base;`
      : `var __tsp_r=globalThis.__tsprof.registerFile(${metaJson});`;
  insert(headerPos, header, -100);

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
export function functionName(fn: ts.Node): string {
  const className = (node: ts.Node): string | null => {
    const cls = node.parent;
    if (cls && ts.isClassLike(cls)) return cls.name?.text ?? "<class>";
    if (cls && ts.isObjectLiteralExpression(cls)) return null;
    return null;
  };
  const propName = (name: ts.PropertyName | undefined): string =>
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
