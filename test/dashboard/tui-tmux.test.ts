import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { TmuxSession } from "./tmux";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "cli", "dist", "bin.js");
const TINY = ["--sizes", "32,64", "--iterations", "5", "--variants", "nested,fused"];

/** A number cell of the runtime table ("0.0123s") or the speedup table ("1.00x"). */
const SECONDS = String.raw`\d+(\.\d+)?(m?s)\*?`;

function rowOf(pane: string, variant: string, unit: string): RegExpMatchArray | null {
  return pane.match(new RegExp(String.raw`[> ] ${variant}\s+(${unit})\s+(${unit})`));
}

test("dashboard in a real terminal: tables fill in, keys work, q exits 0 and saves the JSON", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  const json = path.join(dir, "study.json");
  const tmux = new TmuxSession([process.execPath, BIN, "dashboard", ...TINY, "--json", json], 160, 45, dir);
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
    assert.match(pane, /RSS MiB\s+heap MiB\s+GCs/);
    assert.match(pane, /L3 fits two float64 N×N grids up to N ≈ \d+/);
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
    // so either may be the hottest. tsc's helpers (__importStar, ...) are not shown.
    assert.match(profiled, /(step|evolve) \(nested\.js:\d+\)\s+[\d.]+ ms, 5 calls/);
    assert.doesNotMatch(profiled, /<anonymous> \(\S+\.js:2\)/);
    assert.match(profiled, /line\s+hits\s+% time\s+source/);

    // m: tsprof mem --plot on it; the pane gives the PNG's path, and the file is a PNG.
    tmux.keys("m");
    const plotted = await tmux.waitFor((p) => /memory plot of nested(?! \(running)/.test(p), "the memory plot", 120_000);
    const png = /PNG written: (\S+\.png)/.exec(plotted);
    assert.ok(png, `no PNG path in:\n${plotted}`);
    assert.deepEqual([...readFileSync(png[1]).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // The plot stays after quitting (the user was given its path); this test removes it.
    plotDir = path.dirname(png[1]);

    // q while counters are being measured (cachegrind): the dashboard exits 0 and stops them all.
    await tmux.waitFor((p) => /measuring counters/.test(p), "the counters pass", 30_000);
    tmux.keys("q");
    assert.equal(await tmux.waitForExit(), 0);
    assert.deepEqual(await noSurvivors(tmux), []);
    // Quitting removes the staged copy of the diffusion package but keeps the plot.
    assert.ok(plotDir && existsSync(path.join(plotDir, path.basename(png[1]))));
    assert.ok(!existsSync(path.join(plotDir, "diffusion")));
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

test("too small a terminal gets a message, and the panes once it is resized", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  const tmux = new TmuxSession([process.execPath, BIN, "dashboard", ...TINY], 60, 15, dir);
  try {
    const small = await tmux.waitFor((p) => p.includes("terminal too small"), "the too-small message", 60_000);
    assert.match(small, /have 60×15, need at least 100×\d+/);
    assert.ok(!small.includes("Table 6-1"), "no squeezed panes");
    tmux.resize(160, 45);
    const big = await tmux.waitFor((p) => p.includes("Table 6-1") && p.includes("Table 6-2"), "the panes after resizing", 60_000);
    assert.ok(!big.includes("terminal too small"));
    // r reruns the study from scratch: the footer says so and the cells fill in again.
    await tmux.waitFor((p) => /done: 4 cells/.test(p), "the first run to finish");
    tmux.keys("r");
    await tmux.waitFor((p) => /│ rerunning/.test(p) && !/done: 4 cells/.test(p), "the rerun to start", 30_000);
    await tmux.waitFor((p) => /done: 4 cells/.test(p), "the rerun to finish");
    tmux.keys("q");
    assert.equal(await tmux.waitForExit(), 0);
    assert.deepEqual(await noSurvivors(tmux), []);
  } finally {
    tmux.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("piped stdout in a terminal: headless tables and Markdown, no TUI", async () => {
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
    assert.match(text, /\| Method \| 32 × 32 \| 64 × 64 \|/);
    assert.ok(!text.includes("\x1b["), "no terminal control codes in piped output");
  } finally {
    tmux.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
