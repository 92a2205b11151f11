/**
 * Custom variants: a user's module (TS or JS) exporting named variants `{ setup(size), step(),
 * checksum?() }`. Which exports are variants is asked of a child (the module is only ever loaded
 * there, with the runner's loader); their order, which decides the baseline, comes from the source,
 * because an ES module namespace lists its exports alphabetically, not in the order written.
 */
import * as fs from "node:fs";
import * as ts from "typescript";

/** Exported names in source order (declarations, `export { a, b as c }`, `module.exports.x =`/`exports.x =`). */
export function exportOrder(source: string, fileName = "variants.ts"): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false);
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  const isExported = (node: ts.Node) =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const visitObjectLiteral = (literal: ts.ObjectLiteralExpression) => {
    for (const property of literal.properties) {
      if (property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) add(property.name.text);
    }
  };
  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement) && isExported(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) add(declaration.name.text);
      }
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && isExported(statement) && statement.name) {
      add(statement.name.text);
    } else if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) add(element.name.text);
    } else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression)) {
      // CommonJS: exports.x = ..., module.exports.x = ..., module.exports = { a, b }
      const { left, right, operatorToken } = statement.expression;
      if (operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const target = left.getText(file);
      if (ts.isPropertyAccessExpression(left) && /^(module\.)?exports\.[\w$]+$/.test(target)) add(left.name.text);
      else if (target === "module.exports" && ts.isObjectLiteralExpression(right)) visitObjectLiteral(right);
    } else if (ts.isExportAssignment(statement) && ts.isObjectLiteralExpression(statement.expression)) {
      visitObjectLiteral(statement.expression);
    }
  }
  return names;
}

/** `names` sorted by their position in the module's source (names not found there keep their order, last). */
export function orderBySource(names: string[], modulePath: string): string[] {
  let order: string[] = [];
  try {
    order = exportOrder(fs.readFileSync(modulePath, "utf8"), modulePath);
  } catch {
    return names;
  }
  const rank = (name: string) => {
    const index = order.indexOf(name);
    return index === -1 ? order.length + names.indexOf(name) : index;
  };
  return [...names].sort((a, b) => rank(a) - rank(b));
}
