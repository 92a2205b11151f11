import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import si from "systeminformation";
import { TmuxSession } from "./tmux";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "cli", "dist", "bin.js");
const TINY = ["--sizes", "32,64", "--iterations", "5", "--variants", "nested,fused", "--causes", "jit"];

/** A number cell of the runtime table ("0.0123s") or the speedup table ("1.00x"). */
const SECONDS = String.raw`\d+(\.\d+)?(m?s)\*?`;

function rowOf(pane: string, variant: string, unit: string): RegExpMatchArray | null {
  return pane.match(new RegExp(String.raw`[> ] ${variant}\s+(${unit})\s+(${unit})`));
}

test("dashboard in a real terminal: tables fill in, keys work, q exits 0 and saves the JSON", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  const json = path.join(dir, "study.json");
  const tmux = new TmuxSession([process.execPath, BIN, "dashboard", ...TINY, "--json", json], 160, 50, dir);
  let plotDir: string | null = null;
  try {
    const pane = await tmux.waitFor((p) => /done: 4 cells/.test(p), "the study to finish");
    // Runtime table (Table 6-1): both variants, both sizes measured.
    assert.match(pane, /runtime, seconds \(Table 6-1\)/);
    assert.match(pane, /variant\s+32×32\s+64×64/);
    assert.ok(rowOf(pane, "nested", SECONDS), `nested runtime row in:\n${pane}`);
    assert.ok(rowOf(pane, "fused", SECONDS), `fused runtime row in:\n${pane}`);
    // Speedup table (Table 6-2): the baseline is 1.00x at every size.
    assert.match(pane, /speedup vs baseline \(Table 6-2\)/);
    assert.match(pane, /> nested\s+1\.00x\s+1\.00x/);
    assert.ok(rowOf(pane, "fused", String.raw`\d+\.\d+x`), `fused speedup row in:\n${pane}`);
    // Figure 6-4, memory, system panes.
    assert.match(pane, /speedup vs grid size \(Figure 6-4\)/);
    assert.match(pane, /1 nested  2 fused/);
    assert.match(pane, /RSS MiB\s+GCs\s+alloc\s+GC ms/);
    // The why pane and the JIT column: explanations built from this run's measured causes.
    assert.match(pane, /why: each variant vs the one before/);
    assert.match(pane, /fused is [\d.]+× (faster|slower) than/);
    assert.match(pane, /tier\s+deopts/);
    // The grid estimate needs the L3 size, which some VMs do not report (no /sys/.../cache, lscpu
    // silent): asked here of systeminformation directly, the library the dashboard reads it with.
    const { l3 } = await si.cpuCache();
    if (l3) assert.match(pane, /L3 fits two float64 N×N grids up to N ≈ \d+/);
    else assert.match(pane, /L3 size unknown: no grid estimate/);
    assert.match(pane, /CPU\s+\S.*\d+ cores/);
    // The numbers on screen are the saved ones.
    await tmux.waitFor(() => existsSync(json), "the JSON file", 30_000);
    const saved = JSON.parse(readFileSync(json, "utf8")) as { results: { variant: string; size: number; seconds: number; speedup: number }[] };
    assert.equal(saved.results.length, 4);
    for (const r of saved.results) assert.ok(r.seconds > 0 && r.speedup > 0);
    assert.ok(saved.results.filter((r) => r.variant === "nested").every((r) => r.speedup === 1));

    // j selects the next variant: the marker moves in the tables.
    tmux.keys("j");
    await tmux.waitFor((p) => /> fused\s+\d/.test(p) && /  nested\s+\d/.test(p), "the selection to move to fused", 10_000);
    tmux.keys("k");
    await tmux.waitFor((p) => /> nested\s+\d/.test(p), "the selection to move back", 10_000);

    // p: tsprof line on the selected variant; its hottest function shows in the pane.
    tmux.keys("p");
    const profiled = await tmux.waitFor((p) => /line profile of nested(?! \(running)/.test(p), "the line profile", 120_000);
    // step() ran 5 times and calls evolve() each time; a run this short is mostly sampler noise,
    // so either may be the hottest. The lines are the variant's TypeScript (nested.ts, through
    // tsc's source map), not the compiled JavaScript; tsc's helpers (__importStar, ...) are not shown.
    assert.match(profiled, /(step|evolve) \(nested\.ts:\d+\)\s+[\d.]+ ms, 5 calls/);
    assert.doesNotMatch(profiled, /\(\S+\.js:\d+\)/);
    assert.match(profiled, /line\s+hits\s+% time\s+source/);
    // The profile pane alone (7) has room for evolve's lines: one with text only the .ts has (a type argument).
    const nestedTs = readFileSync(path.join(ROOT, "packages", "diffusion", "src", "variants", "diffusion", "nested.ts"), "utf8").split("\n");
    const typed = nestedTs.findIndex((l) => l.includes("next.push(new Array<number>(n).fill(0.0))")) + 1;
    assert.ok(typed > 0, "nested.ts has the line");
    const typedLine = new RegExp(String.raw`\s${typed}\s+\d+\s+[\d.]+\s+for \(let i = 0; i < n; i\+\+\) next\.push\(new Array<number>\(n\)\.fill\(0\.0\)\);`);
    tmux.keys("7");
    // Waits for the line itself, not the first capture that shows the pane: a capture can catch the
    // screen half redrawn (the pane's first rows over the grid's), which failed CI once.
    await tmux.waitFor((p) => /\[7 /.test(p) && /line profile of nested/.test(p) && typedLine.test(p), "evolve's TypeScript line in the profile pane alone", 10_000);
    tmux.keys("Escape");
    await tmux.waitFor((p) => p.includes("Table 6-1") && p.includes("Figure 6-4"), "the grid again", 10_000);

    // m: tsprof mem --plot on it; the pane gives the PNG's path, and the file is a PNG.
    tmux.keys("m");
    const plotted = await tmux.waitFor((p) => /memory plot of nested(?! \(running)/.test(p), "the memory plot", 120_000);
    // The path (relative to the dashboard's folder) is on the line after "PNG written:", within the pane's borders.
    const shownPath = /PNG written:[^\n]*\n[^\n]*?([^\s│]+\.png)/.exec(plotted);
    assert.ok(shownPath, `no PNG path in:\n${plotted}`);
    const png = [shownPath[0], path.resolve(dir, shownPath[1])];
    assert.deepEqual([...readFileSync(png[1]).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // The plot stays after quitting (the user was given its path); this test removes it.
    plotDir = path.dirname(png[1]);

    // A number key shows one pane alone under the tab bar; Esc brings the grid back.
    tmux.keys("3");
    const zoomed = await tmux.waitFor((p) => /\[3 why\]/.test(p), "the why pane alone", 10_000);
    assert.ok(!zoomed.includes("Table 6-1"), "only the chosen pane");
    tmux.keys("Escape");
    await tmux.waitFor((p) => p.includes("Table 6-1") && p.includes("Figure 6-4"), "the grid again", 10_000);
    tmux.keys("q");
    assert.equal(await tmux.waitForExit(), 0);
    assert.deepEqual(await noSurvivors(tmux), []);
    // Quitting keeps the plot (nothing was copied to profile the variant: it ran where it is installed).
    assert.ok(plotDir && existsSync(path.join(plotDir, path.basename(png[1]))));
  } finally {
    tmux.kill();
    rmSync(dir, { recursive: true, force: true });
    if (plotDir) rmSync(plotDir, { recursive: true, force: true });
  }
});

/** Wait (bounded) until nothing the dashboard started is still running; returns what is. */
async function noSurvivors(tmux: TmuxSession): Promise<string[]> {
  for (let i = 0; i < 20; i++) {
    if (tmux.survivors().length === 0) return [];
    await new Promise((r) => setTimeout(r, 250));
  }
  return tmux.survivors();
}

test("80×24: one pane at a time, the runtime table first; every pane by its key; resizing lays out again", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  const tmux = new TmuxSession([process.execPath, BIN, "dashboard", ...TINY], 80, 24, dir);
  try {
    const first = await tmux.waitFor((p) => /\[1 runtime\]/.test(p) && /done: 4 cells/.test(p), "the runtime pane and the finished study", 120_000);
    assert.match(first, /runtime, seconds \(Table 6-1\)/);
    assert.ok(rowOf(first, "nested", SECONDS) && rowOf(first, "fused", SECONDS), `runtime rows in:\n${first}`);
    assert.ok(first.split("\n").every((l) => Array.from(l).length <= 80));
    // Every pane has its number key, and its content shows at 80×24.
    const panes: Array<[string, RegExp]> = [
      ["2", /speedup vs baseline \(Table 6-2\)[\s\S]*> nested\s+1\.00x/],
      ["3", /why: each variant vs the one before[\s\S]*fused is [\d.]+× (faster|slower) than nested/],
      ["4", /memory and measured causes[\s\S]*RSS MiB/],
      ["5", /counters per step and JIT[\s\S]*tier\s+deopts/],
      ["6", /speedup vs grid size \(Figure 6-4\)[\s\S]*1 nested  2 fused/],
      ["7", /selected variant[\s\S]*selected: nested/],
      ["8", /progress[\s\S]*done: 4 cells/],
      ["9", /system[\s\S]*CPU\s+\S/],
      ["1", /runtime, seconds \(Table 6-1\)/],
    ];
    for (const [key, content] of panes) {
      tmux.keys(key);
      await tmux.waitFor((p) => new RegExp(String.raw`\[${key} `).test(p) && content.test(p), `pane ${key}`, 10_000);
    }
    // Tab and arrows cycle; j moves the selection in the table shown.
    tmux.keys("Tab");
    await tmux.waitFor((p) => /\[2 speedup\]/.test(p), "Tab to the next pane", 10_000);
    tmux.keys("Left");
    await tmux.waitFor((p) => /\[1 runtime\]/.test(p), "Left back", 10_000);
    tmux.keys("j");
    await tmux.waitFor((p) => /> fused\s+\d/.test(p), "the selection to move", 10_000);
    // Larger: the grid, with every pane at once.
    tmux.keys("Escape");
    tmux.resize(160, 50);
    const big = await tmux.waitFor((p) => p.includes("Table 6-1") && p.includes("Table 6-2") && p.includes("Figure 6-4"), "the grid after resizing", 30_000);
    assert.ok(!/\[1 runtime\]/.test(big), "no tab bar in the grid");
    tmux.resize(80, 24);
    await tmux.waitFor((p) => /\[1 runtime\]/.test(p) && !p.includes("Figure 6-4"), "one pane again after shrinking", 30_000);
    // r reruns the study from scratch; q quits with 0.
    tmux.keys("r");
    await tmux.waitFor((p) => /rerunning/.test(p) || /running \w/.test(p), "the rerun to start", 30_000);
    tmux.keys("q");
    assert.equal(await tmux.waitForExit(), 0);
    assert.deepEqual(await noSurvivors(tmux), []);
  } finally {
    tmux.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("q during the slow measurements (cachegrind) exits 0 and leaves nothing running", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  const all = ["--sizes", "32", "--iterations", "5", "--variants", "nested,fused"];
  const tmux = new TmuxSession([process.execPath, BIN, "dashboard", ...all], 160, 50, dir);
  try {
    await tmux.waitFor((p) => /measuring JIT state and simulated counters/.test(p), "the slow measurements", 120_000);
    // Give cachegrind time to start (the JIT log of the first variant comes first).
    await tmux.waitFor((p) => /1 of 2 JIT logs/.test(p), "the first JIT log", 120_000);
    tmux.keys("q");
    assert.equal(await tmux.waitForExit(), 0);
    assert.deepEqual(await noSurvivors(tmux), []);
  } finally {
    tmux.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("piped stdout in a terminal: headless tables, no TUI", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  const out = path.join(dir, "out.txt");
  // stdin and stderr are the terminal, stdout is a pipe: the dashboard must notice and print.
  // The dashboard's own exit status goes to out.status (a pipeline's status would be cat's).
  const script = 'out=$1; shift; { "$@"; echo $? > "$out.status"; } | cat > "$out"';
  const tmux = new TmuxSession(["sh", "-c", script, "sh", out, process.execPath, BIN, "dashboard", ...TINY], 120, 40, dir);
  try {
    assert.equal(await tmux.waitForExit(120_000), 0);
    assert.equal(readFileSync(`${out}.status`, "utf8").trim(), "0");
    const text = readFileSync(out, "utf8");
    assert.match(text, /Table 1\. Total runtime for 5 iterations/);
    assert.match(text, /^Method\s+32 × 32\s+64 × 64$/m);
    assert.ok(!text.includes("\x1b["), "no terminal control codes in piped output");
  } finally {
    tmux.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
