// Argument parsing, in-process: the real program, each command's action replaced by a recorder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CommanderError } from "commander";
import { buildProgram, normaliseJsonFlag } from "../../cli/src/main";

interface Parsed {
  command: string;
  args: unknown[];
  opts: Record<string, unknown>;
}

class Stop extends Error {}

/** Parse `tsprof <args>` as main() does; the action is not run. Errors: the CommanderError and what commander printed. */
async function parse(args: string[]): Promise<Parsed | { error: CommanderError; stderr: string }> {
  const argv = ["node", "tsprof", ...args];
  let stderr = "";
  const program = buildProgram({ exitCode: 0 }, argv, { writeOut: () => {}, writeErr: (t) => (stderr += t) });
  let parsed: Parsed | undefined;
  program.hook("preAction", (_program, action) => {
    const path = [];
    for (let c: typeof action | null = action; c && c !== program; c = c.parent) path.unshift(c.name());
    parsed = { command: path.join(" "), args: action.processedArgs, opts: action.opts() };
    throw new Stop();
  });
  try {
    await program.parseAsync(normaliseJsonFlag(program, argv));
  } catch (err) {
    if (err instanceof CommanderError) return { error: err, stderr };
    if (!(err instanceof Stop)) throw err;
  }
  assert.ok(parsed, "an action was reached");
  return parsed;
}

async function ok(args: string[]): Promise<Parsed> {
  const r = await parse(args);
  assert.ok(!("error" in r), `parsed ${args.join(" ")}: ${"stderr" in r ? r.stderr : ""}`);
  return r as Parsed;
}

async function fails(args: string[]): Promise<string> {
  const r = await parse(args);
  assert.ok("error" in r, `${args.join(" ")} should fail`);
  assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
  return r.stderr;
}

test("line: options, the script and its arguments", async () => {
  const r = await ok(["line", "--mode", "trace", "-z", "--module", "a.ts", "--module", "b.ts", "s.ts", "--", "512"]);
  assert.equal(r.command, "line");
  assert.deepEqual(r.args, ["s.ts", ["--", "512"]]);
  assert.equal(r.opts.mode, "trace");
  assert.equal(r.opts.skipZero, true);
  assert.deepEqual(r.opts.module, ["a.ts", "b.ts"]);
});

test("line --mode is one of the modes (commander's choices): one line, exit code 2 path", async () => {
  const stderr = await fails(["line", "--mode", "fast", "s.ts"]);
  assert.match(stderr, /argument 'fast' is invalid\. Allowed choices are hybrid, trace, sample/);
});

test("--json <file.json> before the script takes the file", async () => {
  const r = await ok(["line", "--json", "out.json", "s.ts"]);
  assert.equal(r.opts.json, "out.json");
  assert.deepEqual(r.args, ["s.ts", []]);
});

test("--json before a script stands alone: the script is not taken as its file", async () => {
  const r = await ok(["perf", "--json", "s.ts", "--", "5000"]);
  assert.equal(r.opts.json, "-");
  assert.deepEqual(r.args, [["s.ts", "--", "5000"]]);
});

test("--json - and a bare --json at the end both mean stdout", async () => {
  assert.equal((await ok(["line", "--json", "-", "s.ts"])).opts.json, "-");
  assert.equal((await ok(["perf", "parse", "saved.txt", "--json"])).opts.json, true);
});

test("perf parse --json saved.json: the .json file is the input, not the output", async () => {
  const r = await ok(["perf", "parse", "--json", "saved.json"]);
  assert.equal(r.command, "perf parse");
  assert.deepEqual(r.args, ["saved.json"]);
  assert.equal(r.opts.json, "-");
});

test("options after the script belong to the script, --json included", async () => {
  const r = await ok(["line", "s.ts", "--json", "x", "--mode", "fast"]);
  assert.equal(r.opts.json, undefined);
  assert.equal(r.opts.mode, "hybrid");
  assert.deepEqual(r.args, ["s.ts", ["--json", "x", "--mode", "fast"]]);
});

test("-o/--output is the same option on every command", async () => {
  for (const args of [
    ["line", "-o", "r.speedscope.json", "s.ts"],
    ["mem", "--output", "r.json", "s.ts"],
    ["perf", "-o", "r.json", "s.ts"],
    ["show", "saved.json", "-o", "r.md"],
    ["dashboard", "--output", "r.json"],
  ]) {
    const r = await ok(args);
    assert.equal(typeof r.opts.output, "string", args.join(" "));
  }
});

test("show --format takes the registry's formats", async () => {
  const r = await ok(["show", "saved.json", "--format", "markdown", "-o", "x.md"]);
  assert.deepEqual([r.args[0], r.opts.format, r.opts.output], ["saved.json", "markdown", "x.md"]);
  assert.match(await fails(["show", "saved.json", "--format", "svg"]), /Allowed choices are text, json, markdown, png, speedscope, pprof, cpuprofile/);
});

test("mem: --plot, --json with a recording name, defaults", async () => {
  const r = await ok(["mem", "--plot", "--json", "rec.json", "s.ts"]);
  assert.equal(r.opts.plot, true);
  assert.equal(r.opts.json, "rec.json");
  assert.equal(r.opts.interval, "10");
  assert.equal(r.opts.size, "1200x600");
  assert.deepEqual(r.args, ["s.ts", []]);
});

test("unknown options and commands: one line with a suggestion", async () => {
  assert.match(await fails(["lines", "s.ts"]), /unknown command 'lines' \(did you mean line\?\)/);
  assert.match(await fails(["line", "--modes", "trace", "s.ts"]), /unknown option '--modes' \(did you mean --mode\?\)/);
  assert.match(await fails(["show"]), /missing required argument 'file'/);
});

test("--json <file> keeps its old spelling for any file name that is not a script", async () => {
  assert.equal((await ok(["line", "--json", "out.txt", "s.ts"])).opts.json, "out.txt");
  assert.equal((await ok(["mem", "--plot", "--json", "results/rec"])).opts.json, "results/rec");
  assert.equal((await ok(["dashboard", "--json", "study"])).opts.json, "study");
  // A script right after --json is the script.
  const r = await ok(["mem", "--json", "s.mts"]);
  assert.deepEqual([r.opts.json, r.args[0]], ["-", "s.mts"]);
});
