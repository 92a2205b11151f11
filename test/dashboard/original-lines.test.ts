// The line-profile pane in TypeScript: compiled lines of a profile mapped back through tsc's source
// maps (the rewriting on made-up origins; the maps on diffusion's real dist/; one real `p` run).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { FunctionLineProfile, LineProfileResult } from "@tsprof/core";
import { CompiledFileOrigins, createDefaultActions, diffusionDistDir, lineResultInSource, loadStudyRunner, type LineOrigins } from "@tsprof/dashboard";
import { lineResult } from "./helpers";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "cli", "dist", "bin.js");

/** x.js: its line L comes from x.ts line L - 2, except line 2 (a helper) and 7 (compiler-only); 5 and 6 are one .ts line. */
const origins: LineOrigins = {
  original(file, line) {
    if (file !== "/p/x.js") return undefined;
    if (line === 2 || line === 7) return null;
    return { file: "/p/x.ts", line: line === 6 ? 3 : line - 2 };
  },
  text: (file, line) => (file === "/p/x.ts" ? `ts line ${line}: number` : undefined),
};

function fn(name: string, file: string, line: number, lines: FunctionLineProfile["lines"]): FunctionLineProfile {
  return { name, file, line, calls: 1, totalNs: lines.reduce((t, l) => t + (l.timeNs ?? 0), 0), lines };
}

const compiled: LineProfileResult = lineResult({
  functions: [
    fn("__importStar", "/p/x.js", 2, [{ line: 2, hits: 1, timeNs: 10, source: "var __importStar" }]),
    fn("kernel", "/p/x.js", 4, [
      { line: 4, hits: null, timeNs: 0, source: "function kernel(n) {" },
      { line: 5, hits: 11, timeNs: 100, source: "    for (let i = 0; i < n; i++)" },
      { line: 6, hits: 10, timeNs: 300, source: "        acc.push(new Array(n));" },
      { line: 7, hits: 1, timeNs: 5, source: "    exports.x = x;" },
      { line: 8, hits: 1, timeNs: 20, source: "    return acc;" },
    ]),
    fn("mine", "/p/mine.ts", 1, [{ line: 2, hits: 3, timeNs: 7, source: "  return 1;" }]),
  ],
  summary: [
    { name: "__importStar", file: "/p/x.js", line: 2, ncalls: 1, tottimeNs: 10, cumtimeNs: 10 },
    { name: "kernel", file: "/p/x.js", line: 4, ncalls: 1, tottimeNs: 425, cumtimeNs: 425 },
  ],
  notes: [],
});

test("compiled lines move to their TypeScript lines; the compiler's own functions and lines go", () => {
  const mapped = lineResultInSource(compiled, origins);
  assert.deepEqual(
    mapped.functions.map((f) => [f.name, f.file, f.line]),
    [
      ["kernel", "/p/x.ts", 2],
      ["mine", "/p/mine.ts", 1],
    ],
  );
  const kernel = mapped.functions[0];
  // .js 5 and 6 are .ts 3: the loop header's hits, both times; .js 7 has no .ts line; .ts 4 and 5 have no statement.
  assert.deepEqual(kernel.lines, [
    { line: 2, hits: null, timeNs: 0, source: "ts line 2: number" },
    { line: 3, hits: 11, timeNs: 400, source: "ts line 3: number" },
    { line: 4, hits: null, timeNs: 0, source: "ts line 4: number" },
    { line: 5, hits: null, timeNs: 0, source: "ts line 5: number" },
    { line: 6, hits: 1, timeNs: 20, source: "ts line 6: number" },
  ]);
  assert.equal(kernel.totalNs, compiled.functions[1].totalNs, "the function's measured total is kept");
  // A file with no source map (the user's .ts, instrumented as written) is left as it is.
  assert.deepEqual(mapped.functions[1], compiled.functions[2]);
  assert.deepEqual(
    mapped.summary.map((r) => [r.name, r.file, r.line]),
    [["kernel", "/p/x.ts", 2]],
  );
});

test("tsc's maps of the built diffusion variants lead to their TypeScript lines", () => {
  const dist = diffusionDistDir();
  assert.ok(dist, "@tsprof/diffusion resolves");
  const js = path.join(dist, "variants", "diffusion", "nested.js");
  const ts = path.join(dist, "..", "src", "variants", "diffusion", "nested.ts");
  const jsLines = readFileSync(js, "utf8").split("\n");
  const tsLines = readFileSync(ts, "utf8").split("\n");
  const jsLine = (text: string) => jsLines.findIndex((l) => l.includes(text)) + 1;
  const tsLine = (text: string) => tsLines.findIndex((l) => l.includes(text)) + 1;
  const origins = new CompiledFileOrigins();
  assert.deepEqual(origins.original(js, jsLine("function evolve(")), { file: ts, line: tsLine("export function evolve(") });
  // tsc put the one-line loop on two lines; both lead to the .ts line, whose text has the type argument.
  const push = jsLine("next.push(new Array(n).fill(0.0))");
  assert.deepEqual(origins.original(js, push), { file: ts, line: tsLine("new Array<number>(n)") });
  assert.deepEqual(origins.original(js, push - 1), { file: ts, line: tsLine("new Array<number>(n)") });
  assert.match(origins.text(ts, tsLine("new Array<number>(n)")) ?? "", /new Array<number>\(n\)\.fill\(0\.0\)/);
  assert.equal(origins.original(js, 1), null, '"use strict" is the compiler\'s');
  assert.equal(origins.original(ts, 1), undefined, "a file with no map is its own original");
});

test("p on a built-in variant: tsprof line profiles it where it is installed, and the pane shows TypeScript", async () => {
  const runner = loadStudyRunner();
  const actions = createDefaultActions({ cliPath: BIN, runner, workload: "diffusion", sizes: [16], iterations: 3 });
  const action = await actions.lineProfile("nested", null as never, new AbortController().signal);
  const shown = action.lines.join("\n");
  assert.equal(action.status, "done", shown);
  assert.match(shown, /(step|evolve) \(nested\.ts:\d+\)\s+[\d.]+ ms, 3 calls/);
  // Text only the .ts has: a type argument the compiled JavaScript does not keep.
  assert.match(shown, /next\.push\(new Array<number>\(n\)\.fill\(0\.0\)\)/);
  assert.doesNotMatch(shown, /\.js:\d+\)/);
});
