/**
 * Step 2 of instrumentation: plan the text to insert into one marked function, per style. Every
 * insertion goes on the line of the code it counts (never a new line), so V8's and the profiler's
 * line numbers stay those of the original file.
 *
 * - "counters" (line --mode hybrid): `__tsp_lc[k]++` per straight-line run of statements, plus a
 *   shadow line stack in a SharedArrayBuffer that a sampler thread reads (a line's time includes
 *   the callees it runs): a statement that calls marks its slot before and clears it after, unless
 *   the code that runs next marks a slot of its own at once (see startsWithStore).
 * - "events" (line --mode trace, mem): `__tsp_r.enter/line/exit` calls with a per-call frame.
 * - "calls" (mem --plot brackets): enter/exit only.
 */
import type * as TS from "typescript";
import { typescript } from "./typescript";
import { isDeclareOnly, isFunctionNode, type FunctionNode } from "./instrument-find";
import type { FileMeta, InstrumentStyle } from "./instrument";

export interface Insertion {
  /** Offset in the original source. */
  pos: number;
  text: string;
  /** Among insertions at one position: lower order goes first. */
  order: number;
}

/** Statements that can only leave early by throwing (or end their run: return, throw, break, continue). */
function isSimpleStatement(node: TS.Node): boolean {
  const ts = typescript();
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
  const ts = typescript();
  return ts.isReturnStatement(node) || ts.isThrowStatement(node) || ts.isBreakStatement(node) || ts.isContinueStatement(node);
}

const CALL_KINDS = new Set<number>();
/** Does evaluating this node call code (not counting nested functions, which only get created)? */
export function hasCall(node: TS.Node): boolean {
  const ts = typescript();
  if (CALL_KINDS.size === 0) {
    for (const k of [
      ts.SyntaxKind.CallExpression,
      ts.SyntaxKind.NewExpression,
      ts.SyntaxKind.TaggedTemplateExpression,
      ts.SyntaxKind.AwaitExpression,
      ts.SyntaxKind.YieldExpression,
      ts.SyntaxKind.JsxElement,
      ts.SyntaxKind.JsxSelfClosingElement,
      ts.SyntaxKind.Decorator,
    ])
      CALL_KINDS.add(k);
  }
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found || isFunctionNode(n) || ts.isClassLike(n)) return;
    if (CALL_KINDS.has(n.kind)) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** Compound statements whose header is one expression (if, switch, for-of/in, do-while). */
function headerExpression(node: TS.Node): TS.Expression | null {
  const ts = typescript();
  if (ts.isIfStatement(node) || ts.isSwitchStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node)) {
    return node.expression;
  }
  return null;
}

/** A loop whose header is checked once per iteration (`for (;cond;)`, `while (cond)`): its condition. */
function loopCondition(node: TS.Node): TS.Expression | null {
  const ts = typescript();
  if (ts.isForStatement(node) && node.condition) return node.condition;
  if (ts.isWhileStatement(node)) return node.expression;
  return null;
}

/** Statements that execute (and so get a line slot). Declarations that emit no code are left out. */
function isCountedStatement(node: TS.Node): boolean {
  const k = typescript().SyntaxKind;
  switch (node.kind) {
    case k.VariableStatement:
    case k.ExpressionStatement:
    case k.ReturnStatement:
    case k.IfStatement:
    case k.ForStatement:
    case k.ForOfStatement:
    case k.ForInStatement:
    case k.WhileStatement:
    case k.DoStatement:
    case k.SwitchStatement:
    case k.ThrowStatement:
    case k.TryStatement:
    case k.BreakStatement:
    case k.ContinueStatement:
    case k.LabeledStatement:
    case k.ClassDeclaration:
    case k.EnumDeclaration:
    case k.DebuggerStatement:
      return true;
    default:
      return false;
  }
}

/** Declarations that run no code: they neither get a slot nor break a straight-line run. */
function runsNoCode(st: TS.Node): boolean {
  const ts = typescript();
  return isFunctionNode(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEmptyStatement(st);
}

/** The leading `"use strict"`-style directives of a body: they stay first, or they stop being directives. */
export function directivePrologue(statements: readonly TS.Statement[]): TS.Statement[] {
  const ts = typescript();
  const out: TS.Statement[] = [];
  for (const st of statements) {
    if (!(ts.isExpressionStatement(st) && ts.isStringLiteral(st.expression))) break;
    out.push(st);
  }
  return out;
}

/** A statement ended by automatic semicolon insertion needs its `;` before code is appended to it. */
export function terminator(st: TS.Node): string {
  // (After a block or a function expression's `}` an extra `;` is an empty statement: harmless.)
  return st.getText().endsWith(";") ? "" : ";";
}

/**
 * Hybrid: each function copies the file's shared arrays and slot base (module-level `var`s, set by
 * the registration on the file's first line) into local consts in its prologue, so its counter
 * bumps and stack writes index a local typed array rather than loading a mutable variable from the
 * closure's context at every access.
 */
const LOCALS = "const __tsp_lc=__tsp_c,__tsp_ls=__tsp_s,__tsp_lb=__tsp_b;";
const COUNTERS_LOCAL = "const __tsp_lc=__tsp_c;";
const RESET = "__tsp_ls[__tsp_d]=0;";
// An exception leaving the function: the slot of the call statement it came through tells the
// collector which statements of that run did not start (their counts were taken with the run's).
const ESCAPE = "const __tsp_k=__tsp_ls[__tsp_d];if(__tsp_k>0){__tsp_e[__tsp_k-__tsp_lb]++;__tsp_ls[__tsp_d]=0}";

/**
 * Plans the insertions of one function. A slot is one counted statement; `continues` marks a
 * statement that can only start right after another one on its own line (the then-branch of
 * `if (x) return;`, the second of `a(); b();`): hits count line starts, as line_profiler does, so
 * such a statement adds none.
 */
export class FunctionPlanner {
  private readonly ts = typescript();
  private readonly fnIndex: number;
  /** Hybrid, in functions that do not suspend: one counter per straight-line run of simple statements. */
  private readonly runs: boolean;

  constructor(
    private readonly sf: TS.SourceFile,
    private readonly style: InstrumentStyle,
    private readonly meta: FileMeta,
    private readonly out: Insertion[],
    private readonly fn: FunctionNode,
    tableLine: number,
  ) {
    const ts = this.ts;
    this.fnIndex = meta.functions.length;
    const suspends = !!fn.asteriskToken || (ts.getModifiers(fn as TS.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false);
    this.runs = style === "counters" && !suspends;
    const entrySlot = meta.slots.length;
    const bodyLine = this.lineOf(fn.body!.getStart(sf));
    meta.slots.push({ line: bodyLine, fn: this.fnIndex, leader: entrySlot, call: false });
    meta.functions.push({
      name: "",
      line: Math.min(tableLine, this.lineOf(fn.getStart(sf))),
      bodyLine,
      endLine: this.lineOf(fn.getEnd()),
      entrySlot,
      suspends,
    });
  }

  private lineOf(pos: number): number {
    return this.sf.getLineAndCharacterOfPosition(pos).line + 1;
  }

  private insert(pos: number, text: string, order = 0): void {
    if (text) this.out.push({ pos, text, order });
  }

  private get entrySlot(): number {
    return this.meta.functions[this.fnIndex].entrySlot;
  }

  private newSlot(node: TS.Node, leader: number | null, call: boolean, continues: boolean): number {
    const index = this.meta.slots.length;
    this.meta.slots.push({ line: this.lineOf(node.getStart(this.sf)), fn: this.fnIndex, leader: leader ?? index, call, ...(continues ? { continues: true } : {}) });
    return index;
  }

  private count(slot: number): string {
    return this.style === "counters" ? `__tsp_lc[${slot}]++;` : this.style === "events" ? `__tsp_r.line(__tsp_f,${slot});` : "";
  }

  private store(slot: number): string {
    return `__tsp_ls[__tsp_d]=__tsp_lb+${slot};`;
  }

  private prologue(): string {
    if (this.style !== "counters") return `const __tsp_f=__tsp_r.enter(${this.fnIndex});try{`;
    if (!this.runs) return `${COUNTERS_LOCAL}__tsp_lc[${this.entrySlot}]++;`;
    return `${LOCALS}__tsp_lc[${this.entrySlot}]++;const __tsp_d=++__tsp_ls[0];__tsp_ls[__tsp_d]=0;let __tsp_v;try{`;
  }

  private epilogue(): string {
    if (this.style !== "counters") return `}finally{__tsp_r.exit(__tsp_f)}`;
    return this.runs ? `}catch(__tsp_err){${ESCAPE}throw __tsp_err}finally{__tsp_ls[0]=__tsp_d-1}` : "";
  }

  /** Plan the whole function. */
  plan(): void {
    const body = this.fn.body!;
    if (this.ts.isBlock(body)) this.planBlockBody(body);
    else this.planExpressionBody(body as TS.Expression);
  }

  private planBlockBody(body: TS.Block): void {
    const directives = directivePrologue(body.statements);
    const last = directives[directives.length - 1];
    const afterDirectives = last ? last.getEnd() : body.getStart(this.sf) + 1;
    // The prologue before, and the epilogue after, anything inserted for the first / last statement.
    this.insert(afterDirectives, (last ? terminator(last) : "") + this.prologue(), -60);
    if (this.style !== "calls") this.statements(body.statements.slice(directives.length), null);
    this.insert(body.getEnd() - 1, this.epilogue(), 60);
  }

  /** Arrow function with an expression body. */
  private planExpressionBody(body: TS.Expression): void {
    const call = this.runs && hasCall(body);
    const slot = this.newSlot(body, null, call, false);
    if (this.style === "counters" && !this.runs) {
      this.insert(body.getStart(this.sf), `(__tsp_c[${this.entrySlot}]++,__tsp_c[${slot}]++,(`, -10);
      this.insert(body.getEnd(), `))`, 10);
      return;
    }
    this.insert(body.getStart(this.sf), `{${this.prologue()}${this.count(slot)}${call ? this.store(slot) : ""}return (`, -10);
    this.insert(body.getEnd(), `);${this.epilogue()}}`, 10);
  }

  /**
   * Wrap an expression: count it (optional) and, in runs mode, mark its slot while it calls.
   * `bodyStores`: a loop condition whose body starts by marking a slot of its own: the mark is
   * cleared only when the condition ends the loop (when it continues, the body's store follows
   * at once and overwrites it).
   */
  private wrapExpression(expr: TS.Expression, slot: number, counted: boolean, bodyStores = false): void {
    const call = this.runs && hasCall(expr);
    if (!counted && !call) return;
    let head = "(";
    if (counted) head += this.style === "counters" ? `__tsp_lc[${slot}]++,` : this.style === "events" ? `__tsp_r.line(__tsp_f,${slot}),` : "";
    if (call) {
      this.insert(expr.getStart(this.sf), `${head}__tsp_ls[__tsp_d]=__tsp_lb+${slot},__tsp_v=(`, -5);
      this.insert(expr.getEnd(), bodyStores ? `),__tsp_v||(__tsp_ls[__tsp_d]=0),__tsp_v)` : `),__tsp_ls[__tsp_d]=0,__tsp_v)`, 5);
    } else {
      this.insert(expr.getStart(this.sf), head, -5);
      this.insert(expr.getEnd(), ")", 5);
    }
  }

  /**
   * A statement list. `ownerLine`: the line of the statement whose branch or body this list is
   * (null for a function body or a case clause): a first statement on that line continues it.
   */
  private statements(statements: readonly TS.Statement[], ownerLine: number | null): void {
    let leader: number | null = null;
    let previousLine = ownerLine;
    for (let i = 0; i < statements.length; i++) {
      const st = statements[i];
      const line = this.lineOf(st.getStart(this.sf));
      const continues = previousLine === line;
      if (this.runs && isSimpleStatement(st)) {
        leader = this.simpleInRun(st, leader, continues, i + 1 < statements.length && this.startsWithStore(statements[i + 1]));
      } else {
        // Declarations that run no code (functions, types) do not break a run; anything else does.
        if (!runsNoCode(st)) leader = null;
        this.statement(st, false, continues);
      }
      if (!runsNoCode(st)) previousLine = line;
    }
  }

  /**
   * Hybrid: does this statement's inserted code start by marking its slot on the shadow stack? (A
   * simple statement that calls: its store comes first, before its count.) The statement before it
   * then need not clear its own mark: nothing runs in between.
   */
  private startsWithStore(st: TS.Statement): boolean {
    return this.runs && isSimpleStatement(st) && hasCall(st);
  }

  /**
   * Hybrid: a simple statement inside a straight-line run, counted by the run's first statement.
   * `nextStores`: the next statement starts with a store of its own (see startsWithStore).
   */
  private simpleInRun(st: TS.Statement, leader: number | null, continues: boolean, nextStores: boolean): number | null {
    const call = hasCall(st);
    const slot = this.newSlot(st, leader, call, continues);
    const before = (call ? this.store(slot) : "") + (leader === null ? this.count(slot) : "");
    this.insert(st.getStart(this.sf), before, -20);
    if (call && !isTerminal(st) && !nextStores) this.insert(st.getEnd(), terminator(st) + RESET, 20);
    return isTerminal(st) ? null : leader ?? slot;
  }

  /** `alone`: the statement is the single body of an if/loop, so it must be wrapped in braces. */
  private statement(st: TS.Statement, alone: boolean, continues: boolean): void {
    const ts = this.ts;
    if (ts.isBlock(st)) return this.statements(st.statements, null);
    // A nested function declaration is its own function, profiled only if selected itself.
    if (isFunctionNode(st)) return;
    if (!isCountedStatement(st) || isDeclareOnly(st)) return this.inner(st);
    if (loopCondition(st)) return this.conditionLoop(st, alone, continues);
    const simple = isSimpleStatement(st);
    const call = this.runs && simple && hasCall(st);
    const header = headerExpression(st);
    // A label directly on its loop on the same line: the loop's header holds the line's count.
    const labelOnLoop = ts.isLabeledStatement(st) && !!loopCondition(st.statement) && this.lineOf(st.statement.getStart(this.sf)) === this.lineOf(st.getStart(this.sf));
    const slot = this.newSlot(st, null, call || (this.runs && !!header && hasCall(header)), continues || labelOnLoop);
    const before = (call ? this.store(slot) : "") + this.count(slot);
    const after = call && !isTerminal(st) ? terminator(st) + RESET : "";
    this.insert(st.getStart(this.sf), alone ? `{${before}` : before, -20);
    this.insert(st.getEnd(), alone ? `${after}}` : after, 20);
    // Compound statements: mark the slot while their header expression calls something.
    if (this.runs && header) this.wrapExpression(header, slot, false);
    // One more hit per iteration start: n iterations give n + 1, like a Python `for` line. `for (;;)`
    // too: it has no condition to count, and a body on its line only continues the line.
    if (ts.isForOfStatement(st) || ts.isForInStatement(st) || (ts.isForStatement(st) && !st.condition)) this.bodyPrefix(st.statement, this.count(slot));
    // A do-while's condition: one hit per check on the condition's own line (`} while (c);`).
    if (ts.isDoStatement(st)) this.wrapExpression(st.expression, this.newSlot(st.expression, null, this.runs && hasCall(st.expression), false), true);
    // A label must stay directly on its loop: instrument inside, never wrap the loop.
    if (ts.isLabeledStatement(st)) return this.labeled(st.statement);
    if (!simple) this.inner(st);
  }

  /** Loop headers count per condition check, like line_profiler's `for` line: n iterations, n + 1. */
  private conditionLoop(st: TS.Statement, alone: boolean, continues: boolean): void {
    const cond = loopCondition(st)!;
    const slot = this.newSlot(st, null, this.runs && hasCall(cond), continues);
    this.wrapExpression(cond, slot, true, this.bodyStartsWithStore(st));
    if (alone) {
      this.insert(st.getStart(this.sf), "{", -20);
      this.insert(st.getEnd(), "}", 20);
    }
    this.inner(st);
  }

  /** A loop's body whose first statement starts with a store (see startsWithStore). */
  private bodyStartsWithStore(loop: TS.Statement): boolean {
    const ts = this.ts;
    if (!ts.isForStatement(loop) && !ts.isWhileStatement(loop)) return false;
    const body = loop.statement;
    if (ts.isBlock(body)) return body.statements.length > 0 && this.startsWithStore(body.statements[0]);
    return this.startsWithStore(body);
  }

  private labeled(inner: TS.Statement): void {
    const cond = loopCondition(inner);
    if (cond) {
      const slot = this.newSlot(inner, null, this.runs && hasCall(cond), false);
      this.wrapExpression(cond, slot, true);
    }
    this.inner(inner);
  }

  private bodyPrefix(body: TS.Statement, text: string): void {
    if (this.ts.isBlock(body)) this.insert(body.getStart(this.sf) + 1, text, -30);
    else {
      this.insert(body.getStart(this.sf), `{${text}`, -30);
      this.insert(body.getEnd(), "}", 30);
    }
  }

  /** Recurse into a statement's nested statements (not into nested functions). */
  private inner(node: TS.Node): void {
    const ts = this.ts;
    const ownerLine = this.lineOf(node.getStart(this.sf));
    const visit = (child: TS.Node): void => {
      // Nested functions and classes are their own functions: instrumented only if selected.
      if (isFunctionNode(child) || ts.isClassLike(child)) return;
      if (ts.isCatchClause(child)) {
        // A caught exception: record where it left the run it came from, as at function exit.
        if (this.runs) this.insert(child.block.getStart(this.sf) + 1, `{${ESCAPE}}`, -40);
        return this.statements(child.block.statements, ownerLine);
      }
      if (ts.isBlock(child)) return this.statements(child.statements, ownerLine);
      if (ts.isCaseClause(child) || ts.isDefaultClause(child)) return this.statements(child.statements, null);
      if (this.isStatementPosition(child)) return this.statement(child as TS.Statement, true, this.lineOf(child.getStart(this.sf)) === ownerLine);
      ts.forEachChild(child, visit);
    };
    ts.forEachChild(node, visit);
  }

  /** The single (unbraced) body of an if branch or a loop. */
  private isStatementPosition(child: TS.Node): boolean {
    const ts = this.ts;
    const parent = child.parent;
    if (!parent || !isCountedStatement(child)) return false;
    if (ts.isIfStatement(parent)) return child === parent.thenStatement || child === parent.elseStatement;
    if (ts.isForStatement(parent) || ts.isForOfStatement(parent) || ts.isForInStatement(parent) || ts.isWhileStatement(parent) || ts.isDoStatement(parent)) {
      return child === parent.statement;
    }
    return false;
  }
}
