/**
 * The early start (run-child.ts, early-start.ts): the profiled child is spawned before the parent's
 * compile and waits for its go. Observed from outside: the child process exists while the parent
 * has not yet written the compiled files' handover (it does so after the compile); a run whose
 * compile fails, or whose parent is killed while it compiles, leaves no process and runs nothing.
 * A big program compiled cold (private cache) keeps the parent compiling for a long while.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BIN, ROOT, programDir, tsprof } from "../helpers/cli";

/** A program of many marked functions, slow to instrument and compile; it writes `ran` as it starts. */
function bigProgram(opts: { syntaxError?: boolean } = {}): { dir: string; marker: string } {
  const dir = programDir({});
  const marker = join(dir, "ran");
  const fns = Array.from({ length: 1500 }, (_, i) => `/** @profile */\nfunction f${i}(n: number): number {\n  let s = 0;\n  for (let k = 0; k < n; k++) s += k * ${i};\n  return s;\n}\n`);
  const text = `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "1");\n${fns.join("")}console.log(f1(3));\n${opts.syntaxError ? "const = ;\n" : ""}`;
  writeFileSync(join(dir, "big.ts"), text);
  return { dir, marker };
}

const env = { ...process.env, NO_COLOR: "1", TSPROF_CACHE: "0" };

/** The direct child processes of `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** A live (not zombie) process? */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The run's temp dir, from the child's TSPROF_CHILD_CONFIG. */
function runDirOf(pid: number): string | null {
  try {
    const entry = readFileSync(`/proc/${pid}/environ`, "utf8")
      .split("\0")
      .find((e) => e.startsWith("TSPROF_CHILD_CONFIG="));
    return entry ? dirname(entry.slice("TSPROF_CHILD_CONFIG=".length)) : null;
  } catch {
    return null;
  }
}

/**
 * Poll until tsprof's profiled child shows up; says whether it was seen before the parent wrote
 * the handover (that is, while the parent was still compiling).
 */
async function waitForProfiledChild(parent: ChildProcess): Promise<{ pid: number; beforeHandover: boolean } | null> {
  while (parent.exitCode === null && parent.signalCode === null) {
    for (const pid of childrenOf(parent.pid!)) {
      const runDir = runDirOf(pid);
      if (runDir) return { pid, beforeHandover: !existsSync(join(runDir, "handover")) };
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return null;
}

function startTsprof(args: string[], cwd: string): { child: ChildProcess; output: Promise<string>; stdout: () => string; exited: Promise<unknown> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise((r) => child.once("exit", r));
  let text = "";
  let stdout = "";
  child.stdout!.on("data", (d) => {
    text += d;
    stdout += d;
  });
  child.stderr!.on("data", (d) => (text += d));
  // Both pipes close only when every process holding them (the early child too) has ended.
  const output = Promise.all([new Promise((r) => child.stdout!.on("close", r)), new Promise((r) => child.stderr!.on("close", r))]).then(() => text);
  return { child, output, stdout: () => stdout, exited };
}

test("the profiled child is running while the parent still compiles, and the run's result is whole", async () => {
  const { dir, marker } = bigProgram();
  const { child, output, stdout, exited } = startTsprof(["line", "--json", "big.ts"], dir);
  const seen = await waitForProfiledChild(child);
  const text = await output;
  await exited;
  assert.ok(seen, "no profiled child seen");
  assert.ok(seen.beforeHandover, "the child was spawned only after the compile");
  assert.equal(child.exitCode, 0, text.slice(0, 500));
  assert.ok(existsSync(marker));
  const result = JSON.parse(stdout()) as { functions: Array<{ name: string; lines: Array<{ hits: number }> }> };
  const f1 = result.functions.find((f) => f.name === "f1");
  assert.ok(f1, "f1 profiled");
  assert.ok(f1.lines.some((l) => l.hits === 1));
});

test("an entry that does not compile: one error, exit 1, the early child ended without running the program", async () => {
  const { dir, marker } = bigProgram({ syntaxError: true });
  const { child, output, exited } = startTsprof(["line", "big.ts"], dir);
  const seen = await waitForProfiledChild(child);
  const text = await output;
  await exited;
  assert.equal(child.exitCode, 1, text);
  assert.match(text, /SyntaxError/);
  assert.equal(text.match(/SyntaxError/g)?.length, 1, text);
  assert.ok(!existsSync(marker), "the program ran");
  if (seen) assert.ok(!running(seen.pid), "the early child is still running");
});

test("tsprof killed while it compiles: the early child ends at once, silently, without running the program", async () => {
  const { dir, marker } = bigProgram();
  const { child, output } = startTsprof(["line", "big.ts"], dir);
  const seen = await waitForProfiledChild(child);
  assert.ok(seen?.beforeHandover, "the child was not seen while the parent compiled");
  child.kill("SIGKILL");
  // The output pipes close when the early child (which holds them too) has ended.
  const text = await Promise.race([output, new Promise<string>((r) => setTimeout(() => r("<timeout>"), 5000))]);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(!running(seen.pid), "the early child outlived tsprof");
  assert.notEqual(text, "<timeout>", "the early child kept tsprof's output open");
  assert.equal(text, "");
  assert.ok(!existsSync(marker), "the program ran");
});

test("TSPROF_EARLY=0 spawns after the compile (the comparison the benchmark makes)", () => {
  const run = tsprof(["line", "bench/fixtures/first-line.ts"], { cwd: ROOT, env: { TSPROF_EARLY: "0" } });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /firstLine at line 3 \(1 call\)/);
});

test("the entry alone says CommonJS but a file it imports needs the ES module hooks: the early child is replaced, the program runs once", () => {
  const dir = programDir({
    "main.ts": `import { load } from "./helper";\nimport { appendFileSync } from "node:fs";\nappendFileSync("runs.txt", "run\\n");\n/** @profile */\nfunction twice(n: number): number {\n  return n * 2;\n}\nload().then((m) => console.log("value", twice(m.value)));\n`,
    "helper.ts": `export function load(): Promise<{ value: number }> {\n  return import("./esm.mts");\n}\n`,
    "esm.mts": `export const value: number = 21;\n`,
  });
  const run = tsprof(["line", "main.ts"], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /value 42/);
  assert.match(run.stdout, /twice at line 4 \(1 call\)/);
  assert.equal(readFileSync(join(dir, "runs.txt"), "utf8"), "run\n");
  assert.doesNotMatch(run.stderr, /compiling .* inside the profiled process/);
});

test("the program sees the same argv, execArgv, cwd, environment and kinds of open fds with the early start as without", () => {
  const dir = programDir({
    "probe.ts": `import { readdirSync, readlinkSync } from "node:fs";\n// What is open (a pipe, a socket, an eventfd...), not under which numbers. Files are left out: the\n// listing's own fd closes before it is read, and tsprof's thread may open a file under that number\n// meanwhile (seen on Node 24); the early start's channel is a pipe.\nconst fds = () => readdirSync("/proc/self/fd").map((fd) => { try { return readlinkSync("/proc/self/fd/" + fd).replace(/\\[\\d+\\]$/, ""); } catch { return "gone"; } }).filter((kind) => kind !== "gone" && !kind.startsWith("/")).sort();\n/** @profile */\nfunction probe(): string {\n  return JSON.stringify({ argv: process.argv.slice(1), execArgv: process.execArgv, cwd: process.cwd(), env: Object.keys(process.env).filter((k) => k.startsWith("TSPROF")).sort(), fds: fds(), main: require.main === module });\n}\nconsole.log(probe());\n`,
  });
  const seen = (early: string) => {
    const run = tsprof(["line", "probe.ts", "a", "--b"], { cwd: dir, env: { TSPROF_EARLY: early } });
    assert.equal(run.code, 0, run.stderr);
    const json = run.stdout.split("\n").find((l) => l.startsWith("{"))!;
    return JSON.parse(json) as { main: boolean; argv: string[] };
  };
  // Without first: the cache is then warm, and the parent's go comes before the early child has
  // even read its config (it must still take its go and close the channel).
  const late = seen("0");
  const early = seen("1");
  assert.deepEqual(early, late);
  assert.equal(early.main, true);
  assert.deepEqual(early.argv.slice(1), ["a", "--b"]);
});
