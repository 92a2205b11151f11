/**
 * Step 1 of instrumentation: which functions of a file are marked, and where each table starts.
 * Every marking style: `@profile` (also imported under another name, or `ns.profile`),
 * `profile(fn)` / `profile(() => ...)`, and a `@profile` tag in a comment (also between a
 * decorator and its method). A marking that cannot be honoured becomes a one-line warning.
 */
import type * as TS from "typescript";
import { typescript } from "./typescript";

export type FunctionNode =
  | TS.FunctionDeclaration
  | TS.FunctionExpression
  | TS.ArrowFunction
  | TS.MethodDeclaration
  | TS.ConstructorDeclaration
  | TS.GetAccessorDeclaration
  | TS.SetAccessorDeclaration;

export function isFunctionNode(node: TS.Node): node is FunctionNode {
  const ts = typescript();
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

export function isDeclareOnly(node: TS.Node): boolean {
  const ts = typescript();
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  return mods?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword) ?? false;
}

/** The marked functions, each with its table's first line, and the markings that could not be honoured. */
export interface Marks {
  marked: Map<FunctionNode, number>;
  warnings: string[];
  /** `profile(name)` on a function imported from a relative module: marked in that module (its exported name). */
  imported: Array<{ name: string; from: string }>;
}

const TAG_PATTERN = /(^|[\s*/])@profile\b/;
const TSPROF_MODULES = /^(?:tsprof|@tsprof\/[\w-]+)(?:\/.*)?$/;

/** Local names bound to tsprof's `profile`: `profile` itself and aliases (`import { profile as p }`). */
function profileNames(sf: TS.SourceFile): Set<string> {
  const ts = typescript();
  const names = new Set(["profile"]);
  const visit = (node: TS.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && TSPROF_MODULES.test(node.moduleSpecifier.text)) {
      const bindings = node.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) if ((el.propertyName ?? el.name).text === "profile") names.add(el.name.text);
      }
    }
    // const { profile: p } = require("tsprof")
    if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer && /require\(\s*["'](?:tsprof|@tsprof\/)/.test(node.initializer.getText(sf))) {
      for (const el of node.name.elements) {
        const from = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : ts.isIdentifier(el.name) ? el.name.text : "";
        if (from === "profile" && ts.isIdentifier(el.name)) names.add(el.name.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return names;
}

/** Names imported from other modules (local name -> module and exported name). */
function importedNames(sf: TS.SourceFile): Map<string, { from: string; exported: string }> {
  const ts = typescript();
  const out = new Map<string, { from: string; exported: string }>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const from = st.moduleSpecifier.text;
    const clause = st.importClause;
    if (clause?.name) out.set(clause.name.text, { from, exported: "default" });
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) out.set(el.name.text, { from, exported: (el.propertyName ?? el.name).text });
  }
  return out;
}

const isRelative = (specifier: string) => specifier.startsWith("./") || specifier.startsWith("../");

class MarkFinder {
  private readonly ts = typescript();
  readonly marked = new Map<FunctionNode, number>();
  readonly warnings: string[] = [];
  readonly imported: Array<{ name: string; from: string }> = [];
  private readonly namedFunctions = new Map<string, FunctionNode>();
  private readonly wrappedNames: Array<{ name: string; at: number }> = [];
  private readonly names: Set<string>;

  constructor(
    private readonly sf: TS.SourceFile,
    private readonly source: string,
    private readonly file: string,
    /** Functions marked from another module (`profile(square)` there): by their exported name. */
    private readonly markedFromElsewhere: readonly string[] = [],
  ) {
    this.names = profileNames(sf);
  }

  lineOf(pos: number): number {
    return this.sf.getLineAndCharacterOfPosition(pos).line + 1;
  }

  /** Is this expression the `profile` marker (`profile`, an alias, `ns.profile`, `profile()`)? */
  isProfileExpression(expr: TS.Expression): boolean {
    const ts = this.ts;
    if (ts.isIdentifier(expr)) return this.names.has(expr.text);
    if (ts.isPropertyAccessExpression(expr)) return expr.name.text === "profile";
    if (ts.isCallExpression(expr)) return this.isProfileExpression(expr.expression) && expr.arguments.length === 0;
    return false;
  }

  find(): Marks {
    this.visit(this.sf);
    const imported = importedNames(this.sf);
    const mark = (fn: FunctionNode) => {
      if (!this.marked.has(fn)) this.marked.set(fn, this.lineOf(fn.getStart(this.sf)));
    };
    for (const name of this.markedFromElsewhere) {
      const fn = this.namedFunctions.get(name);
      if (fn) mark(fn);
    }
    for (const { name, at } of this.wrappedNames) {
      const fn = this.namedFunctions.get(name);
      const from = imported.get(name);
      if (fn) mark(fn);
      else if (from && isRelative(from.from)) this.imported.push({ name: from.exported, from: from.from });
      else {
        const why = from
          ? `'${name}' is imported from the package '${from.from}'; pass its file to --module`
          : `'${name}' is not a function declared in this file`;
        this.warnings.push(`${this.file}:${this.lineOf(at)}: profile(${name}) not honoured: ${why}`);
      }
    }
    return { marked: this.marked, warnings: this.warnings, imported: this.imported };
  }

  private visit = (node: TS.Node): void => {
    const ts = this.ts;
    if (isFunctionNode(node) && node.body) {
      const start = this.markedStart(node);
      if (start !== null) this.marked.set(node, start);
      const name = functionNameOf(node);
      if (name !== "<anonymous>") this.namedFunctions.set(name, node);
    }
    if (ts.isCallExpression(node) && this.isProfileExpression(node.expression) && node.arguments.length >= 1) {
      const arg = node.arguments[0];
      if (ts.isArrowFunction(arg) || ts.isFunctionExpression(arg)) {
        if (!this.marked.has(arg)) this.marked.set(arg, this.lineOf(arg.getStart(this.sf)));
      } else if (ts.isIdentifier(arg)) {
        this.wrappedNames.push({ name: arg.text, at: node.getStart(this.sf) });
      } else {
        this.warnings.push(`${this.file}:${this.lineOf(node.getStart(this.sf))}: profile(...) not honoured: its argument is not a function written here or a function's name`);
      }
    }
    ts.forEachChild(node, this.visit);
  };

  /** The table's first line when `fn` is marked by a decorator or a tag, else null. */
  private markedStart(fn: FunctionNode): number | null {
    const owner = markerOwner(fn);
    return this.decoratorLine(fn) ?? this.decoratorLine(owner) ?? this.commentTagLine(owner) ?? (owner !== fn ? this.commentTagLine(fn) : null) ?? this.tagAfterDecorators(fn);
  }

  private decoratorLine(node: TS.Node): number | null {
    const ts = this.ts;
    if (!ts.canHaveDecorators(node)) return null;
    if (!isFunctionNode(node) && !ts.isPropertyDeclaration(node)) return null;
    const d = (ts.getDecorators(node) ?? []).find((dec) => this.isProfileExpression(dec.expression));
    return d ? this.lineOf(d.getStart(this.sf)) : null;
  }

  /** A `@profile` tag in the comments just before `node`: the line holding the tag, like line_profiler. */
  private commentTagLine(node: TS.Node, from = node.getFullStart()): number | null {
    for (const r of this.ts.getLeadingCommentRanges(this.source, from) ?? []) {
      const text = this.source.slice(r.pos, r.end);
      if (TAG_PATTERN.test(text)) return this.lineOf(r.pos + text.search(/@profile\b/));
    }
    return null;
  }

  /** `@decorator /** @profile *\/ method()`: the tag sits after the decorators, before the name. */
  private tagAfterDecorators(fn: FunctionNode): number | null {
    const ts = this.ts;
    const decorators = ts.canHaveDecorators(fn) ? ts.getDecorators(fn) ?? [] : [];
    if (decorators.length === 0) return null;
    return this.commentTagLine(fn, decorators[decorators.length - 1].getEnd());
  }
}

/** Where a marker for `fn` sits: `const f = () => ...` is tagged before the variable statement, a class field before the property. */
function markerOwner(fn: FunctionNode): TS.Node {
  const ts = typescript();
  const parent = fn.parent;
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || !parent) return fn;
  if (ts.isVariableDeclaration(parent) && parent.parent && ts.isVariableDeclarationList(parent.parent)) return parent.parent.parent;
  if (ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent;
  if (ts.isBinaryExpression(parent) && parent.parent && ts.isExpressionStatement(parent.parent)) return parent.parent;
  return fn;
}

export function findMarks(sf: TS.SourceFile, source: string, file: string, markedFromElsewhere: readonly string[] = []): Marks {
  return new MarkFinder(sf, source, file, markedFromElsewhere).find();
}

/** A readable name: `f`, `Class.method`, the variable an arrow is assigned to, or `<anonymous>`. */
export function functionNameOf(fn: TS.Node): string {
  const ts = typescript();
  const className = (node: TS.Node): string | null => {
    const cls = node.parent;
    return cls && ts.isClassLike(cls) ? cls.name?.text ?? "<class>" : null;
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
  if (parent && ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return parent.left.getText();
  return "<anonymous>";
}
