/**
 * Real project layouts, outside this repo: tsconfig `paths`/`baseUrl` through `extends`, in an ESM
 * ("type": "module") and a CommonJS package; the nearest tsconfig of the profiled file; .tsx and .jsx.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempDir, tsprof } from "../helpers/cli";

function project(files: Record<string, string>): string {
  const root = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

const aliased = (type: "module" | "commonjs") => ({
  "package.json": JSON.stringify({ name: `app-${type}`, private: true, type }),
  // baseUrl and paths live in the extended file, relative to it, as tsc reads them.
  "config/tsconfig.base.json": JSON.stringify({ compilerOptions: { strict: true, baseUrl: "..", paths: { "@lib/*": ["src/lib/*"] } } }),
  "tsconfig.json": JSON.stringify({ extends: "./config/tsconfig.base.json", compilerOptions: { module: "nodenext" } }),
  "src/lib/stats.ts": `/** @profile */
export function mean(values: number[]): number {
  let total = 0;
  for (const v of values) {
    total += v;
  }
  return total / values.length;
}
`,
  "src/main.ts": `import { mean } from "@lib/stats";\nconsole.log("mean", mean([1, 2, 3, 4]));\n`,
});

for (const type of ["module", "commonjs"] as const) {
  test(`tsconfig paths through extends resolve like tsc (package type ${type})`, () => {
    const root = project(aliased(type));
    try {
      const r = tsprof(["line", "src/main.ts"], { cwd: root });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^mean 2\.5$/m);
      assert.match(r.stdout, /File: src\/lib\/stats\.ts\nFunction: mean at line 1 \(1 call\)/);
      assert.match(r.stdout, /^\s+4\s+5\s/m, "the for-of header: 4 values + 1");
      assert.match(r.stdout, /^\s+5\s+4\s/m, "the body: once per value");
      // The parent's compile step before launch follows the alias too: nothing compiled in the child.
      assert.doesNotMatch(r.stderr, /inside the profiled process/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

test("the nearest tsconfig of the profiled file is used (.tsx with its own jsxFactory)", () => {
  const root = project({
    "package.json": JSON.stringify({ name: "ui", private: true }),
    "tsconfig.json": JSON.stringify({ compilerOptions: { jsx: "react", jsxFactory: "notDefinedHere" } }),
    "widgets/tsconfig.json": JSON.stringify({ compilerOptions: { jsx: "react", jsxFactory: "h" } }),
    "widgets/view.tsx": `const h = (tag: string, _props: unknown, ...children: unknown[]) => ({ tag, children });
/** @profile */
function render(text: string) {
  return <b>{text}</b>;
}
console.log(JSON.stringify(render("hi")));
`,
  });
  try {
    const r = tsprof(["line", "widgets/view.tsx"], { cwd: root });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\{"tag":"b","children":\["hi"\]\}$/m);
    assert.match(r.stdout, /Function: render at line 2 \(1 call\)/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test(".jsx runs (classic React.createElement by default) in an ESM package", () => {
  const root = project({
    "package.json": JSON.stringify({ name: "jsx-app", private: true, type: "module" }),
    "app.jsx": `const React = { createElement: (tag, _props, ...children) => [tag, ...children] };
/** @profile */
function item(n) {
  return <li>{n}</li>;
}
console.log(JSON.stringify([1, 2].map(item)));
`,
  });
  try {
    const r = tsprof(["line", "app.jsx"], { cwd: root });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[\["li",1\],\["li",2\]\]$/m);
    assert.match(r.stdout, /Function: item at line 2 \(2 calls\)/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
