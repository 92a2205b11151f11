import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRecording, recordMemory, bracketColourOnWhite, bracketNames, listRecordings } from "@tsprof/mem";
import { tsprof, FIXTURES, BIN, pngSize, colourColumns } from "./helpers";

const tmp = mkdtempSync(join(tmpdir(), "tsprof-"));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function fresh(name: string): string {
  const dir = join(tmp, name);
  require("node:fs").mkdirSync(dir);
  return dir;
}

function pathAfter(label: string, stdout: string, cwd: string): string {
  const m = new RegExp(`^${label}: (.+)$`, "m").exec(stdout);
  assert.ok(m, `no '${label}:' line in ${stdout}`);
  return m[1].startsWith("/") ? m[1] : join(cwd, m[1]);
}

test("--plot records into .tsprof/, draws a PNG of the requested size with the function brackets", async () => {
  const cwd = fresh("plot");
  const out = join(cwd, "chart.png");
  const run = await tsprof(["mem", "--plot", "--size", "800x400", "-o", out, join(FIXTURES, "alloc-brackets.ts")], { cwd });
  assert.equal(run.code, 0, run.stderr);
  const recordingPath = pathAfter("recording", run.stdout, cwd);
  assert.match(recordingPath, /\.tsprof\/mem-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}\.mem\.jsonl$/);
  assert.equal(pathAfter("plot", run.stdout, cwd), out);
  const rec = readRecording(recordingPath);
  assert.equal(rec.complete, true);
  assert.equal(rec.exitCode, 0);
  assert.ok(rec.samples.filter((s) => s.rssMiB !== null).length >= 5, "RSS samples");
  assert.ok(rec.samples.filter((s) => s.heapUsedMiB !== null).length >= 3, "heap samples");
  assert.deepEqual(bracketNames(rec), ["allocate", "churn"]);
  for (const b of rec.brackets) assert.ok(b.endMs >= b.startMs && !b.open);
  const png = readFileSync(out);
  assert.deepEqual(pngSize(png), { width: 800, height: 400 });
  const shaded = await colourColumns(png, bracketColourOnWhite(0));
  assert.ok(shaded.count > 200, `${shaded.count} pixels of allocate's bracket colour`);
  // The array buffers the script keeps (5 x 16 MiB) show in the heap series.
  const maxArrayBuffers = Math.max(...rec.samples.map((s) => s.arrayBuffersMiB ?? 0));
  assert.ok(maxArrayBuffers > 60, `array buffers peaked at ${maxArrayBuffers} MiB`);

  // Without a script: plots the latest recording; --list shows it.
  const again = await tsprof(["mem", "--plot", "--size", "640x320"], { cwd });
  assert.equal(again.code, 0, again.stderr);
  const defaultPng = pathAfter("plot", again.stdout, cwd);
  assert.equal(defaultPng, recordingPath.replace(/\.mem\.jsonl$/, ".png"));
  assert.deepEqual(pngSize(readFileSync(defaultPng)), { width: 640, height: 320 });
  const list = await tsprof(["mem", "--list"], { cwd });
  assert.equal(list.code, 0);
  assert.match(list.stdout, /mem-.*\.mem\.jsonl +\d+\.\d\d s +peak RSS \d+\.\d MiB +.*alloc-brackets\.ts/);
});

test("the recording survives process.abort(): samples up to the end, the open bracket, exit 134", async () => {
  const cwd = fresh("abort");
  const run = await tsprof(["mem", "--plot", join(FIXTURES, "abort.ts"), "--", "300"], { cwd });
  assert.equal(run.code, 134);
  const rec = readRecording(pathAfter("recording", run.stdout, cwd));
  assert.equal(rec.signal, "SIGABRT");
  const heap = rec.samples.filter((s) => s.heapUsedMiB !== null);
  assert.ok(heap.length >= 3);
  const bracket = rec.brackets.find((b) => b.name === "growThenAbort");
  assert.ok(bracket, "bracket of the function that aborted");
  assert.equal(bracket.open, true);
  // Memory grew inside the call (1 MiB chunks kept until the abort).
  const inside = heap.filter((s) => s.tMs >= bracket.startMs);
  assert.ok(inside.length >= 2);
  assert.ok(inside[inside.length - 1].arrayBuffersMiB! > inside[0].arrayBuffersMiB!, "array buffers grew before the abort");
  assert.ok(existsSync(pathAfter("plot", run.stdout, cwd)));
});

test("the recording survives a V8 heap out-of-memory", async () => {
  const dir = fresh("oom");
  const outcome = await recordMemory({
    script: join(FIXTURES, "oom.ts"),
    args: [],
    intervalMs: 10,
    includeChildren: false,
    all: false,
    modules: [],
    command: ["mem", "--plot", "oom.ts"],
    cwd: dir,
    nodeArgs: ["--max-old-space-size=48"],
    stdio: "pipe",
  });
  assert.notEqual(outcome.exitCode, 0);
  const rec = readRecording(outcome.recordingPath);
  const heapUsed = rec.samples.filter((s) => s.heapUsedMiB !== null).map((s) => s.heapUsedMiB!);
  assert.ok(heapUsed.length >= 3);
  // It got close to the 48 MiB old-space limit before dying.
  assert.ok(Math.max(...heapUsed) > 25, `heap used peaked at ${Math.max(...heapUsed)} MiB`);
  assert.ok(rec.brackets.some((b) => b.name === "leak" && b.open));
});

test("--plot error paths: nothing to plot, not a recording, missing script, bad options", async () => {
  const cwd = fresh("errors");
  const none = await tsprof(["mem", "--plot"], { cwd });
  assert.equal(none.code, 2);
  assert.equal(none.stderr.trim().split("\n").length, 1);
  assert.match(none.stderr, /no recordings in \.tsprof\/ to plot/);
  const list = await tsprof(["mem", "--list"], { cwd });
  assert.equal(list.code, 0);
  assert.match(list.stdout, /no recordings in \.tsprof\//);
  writeFileSync(join(cwd, "bogus.json"), '{"kind":"line"}');
  const bogus = await tsprof(["mem", "--plot", "bogus.json"], { cwd });
  assert.equal(bogus.code, 2);
  assert.match(bogus.stderr, /bogus\.json: not a tsprof memory recording/);
  const missing = await tsprof(["mem", "--plot", "nope.ts"], { cwd });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^tsprof: cannot open script 'nope\.ts': no such file\n$/);
  assert.equal(listRecordings(join(cwd, ".tsprof")).length, 0, "no recording file for a script that does not exist");
  const badInterval = await tsprof(["mem", "--plot", "--interval", "0", join(FIXTURES, "loops.ts")], { cwd });
  assert.equal(badInterval.code, 2);
  assert.match(badInterval.stderr, /--interval/);
  const badSize = await tsprof(["mem", "--plot", "--size", "big"], { cwd });
  assert.equal(badSize.code, 2);
  assert.match(badSize.stderr, /--size/);
});

test("where the PNG renderer cannot load, the chart is drawn in the terminal with a one-line hint", async () => {
  const cwd = fresh("nocanvas");
  const blocker = join(cwd, "block-canvas.js");
  // Make require("canvas") fail the way a missing native build does.
  writeFileSync(
    blocker,
    `const Module = require("module"); const load = Module._load;
     Module._load = function (request, ...rest) {
       if (request === "canvas") throw new Error("Cannot find module '../build/Release/canvas.node'");
       return load.call(this, request, ...rest);
     };`,
  );
  const recording = join(FIXTURES, "recordings", "alloc-complete.mem.jsonl");
  const run = await tsprof(["mem", "--plot", recording], { cwd, nodeArgs: ["--require", blocker] });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr.trim().split("\n").length, 1);
  assert.match(run.stderr, /terminal chart instead of a PNG: canvas did not load: Cannot find module '\.\.\/build\/Release\/canvas\.node'.*libcairo2-dev.*npm rebuild canvas/);
  assert.match(run.stdout, /alloc\.ts: \d+\.\d\d s/);
  assert.match(run.stdout, /MiB +[┤┼]/);
  assert.match(run.stdout, /allocate: \d+\.\d{3} s - \d+\.\d{3} s/);
});

test("where canvas is not installed (npm i --omit=optional), the one line says what to install", async () => {
  const cwd = fresh("nocanvas-installed");
  const blocker = join(cwd, "no-canvas.js");
  // What require("canvas") throws when the optional dependency was never installed.
  writeFileSync(
    blocker,
    `const Module = require("module"); const load = Module._load;
     Module._load = function (request, ...rest) {
       if (request === "canvas") throw Object.assign(new Error("Cannot find module 'canvas'\\nRequire stack:\\n- /x.js"), { code: "MODULE_NOT_FOUND" });
       return load.call(this, request, ...rest);
     };`,
  );
  const recording = join(FIXTURES, "recordings", "alloc-complete.mem.jsonl");
  const run = await tsprof(["mem", "--plot", recording], { cwd, nodeArgs: ["--require", blocker] });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  assert.match(run.stderr, /^tsprof: terminal chart instead of a PNG: canvas is not installed \(optional; for PNG plots: npm install canvas chartjs-node-canvas, .*libcairo2-dev.*\)$/m);
  assert.match(run.stdout, /MiB +[┤┼]/);
});

test("--include-children adds the RSS of the script's child processes", async () => {
  const peakRss = async (extra: string[]) => {
    const cwd = fresh(`children${extra.length}`);
    const run = await tsprof(["mem", "--plot", "--terminal", ...extra, join(FIXTURES, "children.ts")], { cwd });
    assert.equal(run.code, 0, run.stderr);
    const [path] = listRecordings(join(cwd, ".tsprof")).map((e) => e.path);
    const rec = readRecording(path);
    assert.equal(rec.includeChildren, extra.length > 0);
    return Math.max(...rec.samples.map((s) => s.rssMiB ?? 0));
  };
  const alone = await peakRss([]);
  const withChildren = await peakRss(["--include-children"]);
  // The child holds 200 MiB of touched memory for 0.7 s.
  assert.ok(withChildren - alone > 150, `peak RSS ${alone.toFixed(1)} MiB alone, ${withChildren.toFixed(1)} MiB with children`);
});

test("Ctrl-C during --plot: the recording is closed, the plot drawn, exit 130", async () => {
  const cwd = fresh("sigint");
  const { spawn } = require("node:child_process") as typeof import("node:child_process");
  const child = spawn(process.execPath, [BIN, "mem", "--plot", join(FIXTURES, "long.ts")], {
    cwd,
    detached: true, // its own process group, as a terminal's Ctrl-C reaches tsprof and the script
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  // Wait until the marked function is running (its bracket is open in the recording).
  const deadline = Date.now() + 60000;
  for (;;) {
    const [entry] = listRecordings(join(cwd, ".tsprof"));
    if (entry && readFileSync(entry.path, "utf8").includes('"type":"open"')) break;
    if (Date.now() > deadline) throw new Error("the script never started");
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 300));
  const sent = Date.now();
  process.kill(-child.pid!, "SIGINT");
  const code = await exited;
  assert.equal(code, 130);
  // The script is in a 20 s busy loop: Ctrl-C must not wait for it to end.
  assert.ok(Date.now() - sent < 10000, `exit ${Date.now() - sent} ms after Ctrl-C`);
  const rec = readRecording(pathAfter("recording", stdout, cwd));
  assert.equal(rec.complete, true);
  const bracket = rec.brackets.find((b) => b.name === "longRun");
  assert.ok(bracket, "bracket of the interrupted function");
  assert.equal(bracket.open, undefined, "closed by the child's exit handler");
  assert.ok(existsSync(pathAfter("plot", stdout, cwd)));
  assert.ok(!existsSync(`${rec.script}.interrupt`));
  void stderr;
});
