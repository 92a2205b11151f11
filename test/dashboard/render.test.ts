import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyStudyEvent,
  createState,
  fitLines,
  formatCellSeconds,
  formatColumns,
  formatSpeedup,
  moveSelection,
  progressBar,
  renderActionPane,
  renderCountersTable,
  renderFooter,
  renderMemoryTable,
  renderProgress,
  renderRuntimeTable,
  renderSpeedupTable,
  renderSystem,
  renderStatusLine,
  renderVariantDetail,
  renderWhyPane,
  setAction,
  setCountersNote,
  sizeLabel,
  type DashboardState,
} from "@tsprof/dashboard";
import { cell, studyEvents, TWO_VARIANTS } from "./helpers";

const setup = { workload: "diffusion" as const, variants: TWO_VARIANTS, sizes: [32, 64], iterations: 5 };

function fold(upTo?: number): DashboardState {
  let state = createState(setup, 1000);
  const events = studyEvents();
  events.slice(0, upTo ?? events.length).forEach((e) => (state = applyStudyEvent(state, e, 1000)));
  return state;
}

test("seconds and speedups are formatted like Tables 6-1 and 6-2", () => {
  assert.equal(formatCellSeconds(2.3249), "2.32s");
  assert.equal(formatCellSeconds(155.02), "155.02s");
  assert.equal(formatCellSeconds(0.00412), "0.00412s");
  assert.equal(formatCellSeconds(0.00004), "0.0400ms");
  assert.equal(formatSpeedup(32.333), "32.33x");
  assert.equal(formatSpeedup(1), "1.00x");
});

test("size headings: grids for diffusion, points for poly, plain sizes for a user's variants", () => {
  assert.equal(sizeLabel(1024), "1024×1024");
  assert.equal(sizeLabel(10_000_000, "poly"), "10M pts");
  assert.equal(sizeLabel(2500, "poly"), "2.5k pts");
  assert.equal(sizeLabel(64, "custom"), "size 64");
});

test("formatColumns left-aligns the first column and right-aligns the rest", () => {
  assert.deepEqual(formatColumns([["a", "1"], ["long", "100"]]), ["a       1", "long  100"]);
});

test("fitLines cuts long lines with an ellipsis and limits the line count", () => {
  assert.deepEqual(fitLines(["abcdef", "ab", "c"], 4, 2), ["abc…", "ab"]);
});

test("progressBar fills in proportion", () => {
  assert.equal(progressBar(0.5, 12), "[#####.....]");
  assert.equal(progressBar(0, 6), "[....]");
  assert.equal(progressBar(2, 6), "[####]");
});

test("runtime table: variants x sizes, the measured seconds, pending and running cells marked", () => {
  const lines = renderRuntimeTable(fold(3), 80);
  assert.match(lines[0], /variant\s+32×32\s+64×64/);
  assert.match(lines[1], /^> nested\s+0\.0200s\s+·$/);
  assert.match(lines[2], /^  fused\s+·\s+·$/);
  // The fourth event starts nested 64: shown as running.
  assert.match(renderRuntimeTable(fold(4), 80)[1], /0\.0200s\s+run…$/);
  assert.match(renderRuntimeTable(fold(), 80)[2], /fused\s+0\.00400s\s+0\.0100s$/);
});

test("runtime table marks scaled cells and explains them", () => {
  let state = fold();
  state = applyStudyEvent(state, { type: "cell-done", cell: cell("nested", 64, 8, 1, { scaled: true, measuredIterations: 2 }), index: 1, total: 4 }, 0);
  const lines = renderRuntimeTable(state, 80);
  assert.match(lines[1], /8\.00s\*/);
  assert.ok(lines.some((l) => l.includes("* timed on fewer iterations (from 2) and scaled to 5")));
});

test("speedup table shows the runner's speedups against the baseline", () => {
  const lines = renderSpeedupTable(fold(), 80);
  assert.match(lines[1], /nested\s+1\.00x\s+1\.00x/);
  assert.match(lines[2], /fused\s+5\.00x\s+8\.00x/);
  assert.match(lines[3], /speedup = nested seconds/);
});

test("failed and unavailable cells are shown as such, with the reason", () => {
  let state = createState({ ...setup, variants: [...TWO_VARIANTS, { name: "c-reference", description: "C", unavailable: "no C compiler" }] }, 0);
  state = applyStudyEvent(state, { type: "cell-done", cell: cell("fused", 32, null, null, { error: "worker crashed" }), index: 0, total: 6 }, 0);
  const lines = renderRuntimeTable(state, 100);
  assert.match(lines[2], /fused\s+error/);
  assert.match(lines[3], /c-reference\s+n\/a\s+n\/a/);
  assert.ok(lines.includes("c-reference: no C compiler"));
  assert.ok(lines.includes("fused 32×32: worker crashed"));
});

test("an unavailable cell reads n/a in the TUI, as in the headless tables (the cell's status, not its error text)", () => {
  let state = createState({ ...setup, variants: [...TWO_VARIANTS, { name: "c-reference", description: "C", unavailable: "no C compiler" }] }, 0);
  const unavailable = cell("c-reference", 32, null, null, { status: "unavailable", error: "unavailable: no C compiler" });
  state = applyStudyEvent(state, { type: "cell-done", cell: unavailable, index: 0, total: 6 }, 0);
  const lines = renderRuntimeTable(state, 100);
  assert.match(lines[3], /c-reference\s+n\/a\s+n\/a/);
});

test("the selection marker follows the selected variant", () => {
  const state = moveSelection(fold(), 1);
  const lines = renderSpeedupTable(state, 80);
  assert.match(lines[1], /^  nested/);
  assert.match(lines[2], /^> fused/);
});

test("progress pane: running cell with its bar and elapsed time, then the study total", () => {
  const lines = renderProgress(fold(4), 3500, 80); // nested 64 started at t=1000
  assert.equal(lines[0], "running nested 64×64  (cell 2 of 4)");
  assert.match(lines[1], /^\[\.+\] starting  elapsed 2\.5 s$/);
  assert.match(renderProgress(fold(5), 3500, 80)[1], /^\[#{19}\.{29}\] 2\/5 it  elapsed 2\.5 s$/);
  assert.match(lines[2], /1\/4 cells/);
  const done = renderProgress({ ...fold(), phase: "done", finishedAtMs: 4000 }, 9999, 80);
  assert.equal(done[0], "done: 4 cells in 3.0 s");
});

test("memory pane: peak RSS, GCs and the measured causes at each variant's largest grid", () => {
  let lines = renderMemoryTable(fold(), 80);
  assert.match(lines[0], /RSS MiB\s+GCs\s+alloc\s+GC ms\s+faults\s+cores/);
  assert.match(lines[1], /nested\s+64×64\s+50\.6\s+3\s+-\s+-\s+-\s+-$/);
  const measured = cell("nested", 128, 0.5, 1, { allocatedBytes: 3 * 2 ** 20, gcSeconds: 0.0125, minorFaults: 12_500, coresUsed: 1.5 });
  lines = renderMemoryTable(applyStudyEvent(fold(), { type: "cell-done", cell: measured, index: 4, total: 5 }, 0), 80);
  assert.match(lines[1], /nested\s+128×128\s+51\.3\s+3\s+3 MiB\s+12\.5\s+12\.5 k\s+1\.50$/);
});

test("counters pane: a note when there are none, then per-step counts, tier and deopts", () => {
  let state = setCountersNote(fold(), "counters: n/a (valgrind not found)");
  assert.deepEqual(renderCountersTable(state, 80), ["counters: n/a (valgrind not found)"]);
  const perStep = { instructions: 2.5e6, d1Misses: 1.25e4, llMisses: null, branchMispredicts: 300 };
  state = applyStudyEvent(state, { type: "counters", counters: { variant: "fused", size: 32, simulated: true, ipc: null, cacheMissPct: null, instructions: 2.5e7, steps: 10, perStep } }, 0);
  const jit = { variant: "fused", size: 32, iterations: 5, functions: [{ name: "fusedRows", file: "fused.ts", line: 3, tier: "turbofan" as const, optimizations: 1 }], deopts: [] };
  state = applyStudyEvent(state, { type: "jit", jit }, 0);
  const lines = renderCountersTable(state, 90);
  assert.match(lines[0], /instr\/step\s+D1 miss\s+LL miss\s+mispred\s+tier\s+deopts/);
  assert.match(lines[2], /fused\s+2\.5 M\s+12\.5 k\s+noise\s+300\s+TurboFan\s+0$/);
  assert.match(lines[1], /nested\s+·\s+·\s+·\s+·\s+·\s+·$/);
});

test("system pane: machine facts and the chapter's L3 estimate", () => {
  const machine = { cpuModel: "AMD EPYC", cores: 2, l1dBytes: 65536, l2Bytes: 2 ** 21, l3Bytes: 2 ** 25, memoryBytes: 24 * 2 ** 30, node: "v20.20.2", os: "Debian 12" };
  const lines = renderSystem(machine, 60);
  assert.equal(lines[0], "CPU    AMD EPYC, 2 cores");
  assert.equal(lines[1], "cache  L1d 64 KiB  L2 2 MiB  L3 32 MiB");
  assert.ok(lines.includes("L3 fits two float64 N×N grids up to N ≈ 1448"));
  assert.deepEqual(renderSystem({ ...machine, l3Bytes: null }, 60).at(-1), "L3 size unknown: no grid estimate");
});

test("action pane: the selected variant's hint, then the action's outcome", () => {
  let state = fold();
  assert.equal(renderActionPane(state, 60, 10)[0], "selected: nested");
  state = setAction(state, { kind: "line", variant: "nested", status: "unavailable", lines: ["tsprof line gave no profile"] });
  assert.deepEqual(renderActionPane(state, 60, 10), ["line profile of nested (unavailable)", "tsprof line gave no profile"]);
});

test("footer shows the keys and the latest message, cut to the width", () => {
  const state = { ...fold(), message: "saved /tmp/x.json" };
  assert.match(renderFooter(state, 200), /q quit  │ saved \/tmp\/x\.json$/);
  assert.equal(Array.from(renderFooter(state, 30)).length, 30);
});

test("status line: the running cell and the study's progress in one line of the width", () => {
  const state = fold(2);
  const line = renderStatusLine(state, 1000, 80);
  assert.match(line, /^running nested 32×32 2\/5 it .* · 0\/4 cells$/);
  assert.ok(Array.from(renderStatusLine(state, 1000, 30)).length <= 30);
});

test("why pane and variant detail: core's sentences, wrapped, the selected variant's first", () => {
  let state = fold();
  // The helper cells carry only times: nothing measured to explain them with, so no sentences.
  assert.deepEqual(state.explanations, []);
  assert.deepEqual(renderWhyPane(state, 40, 5), ["explanations appear as pairs of cells a…"]);
  const measured = (variant: string, seconds: number, allocatedBytes: number, gcCount: number) =>
    cell(variant, 64, seconds, null, { allocatedBytes, gcCount, gcSeconds: 0, minorFaults: 0, majorFaults: 0, coresUsed: 1 });
  state = applyStudyEvent(state, { type: "cell-done", cell: measured("nested", 0.08, 512 * 2 ** 20, 139), index: 1, total: 4 }, 0);
  state = applyStudyEvent(state, { type: "cell-done", cell: measured("fused", 0.01, 0, 0), index: 3, total: 4 }, 0);
  const why = renderWhyPane(moveSelection(state, 1), 40, 20);
  assert.ok(why.every((l) => Array.from(l).length <= 40));
  assert.match(why.join(" ").replace(/\s+/g, " "), /> fused is 8\.0× faster than nested at 64²: bytes allocated 512 MiB → 0 B; GCs 139 → 0/);
  const detail = renderVariantDetail(moveSelection(state, 1), 60, 20);
  assert.equal(detail[0], "selected: fused");
  assert.match(detail.join(" "), /fused is 8\.0× faster than nested at 64²/);
});
