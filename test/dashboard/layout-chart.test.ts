import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyStudyEvent,
  computeLayout,
  createState,
  cyclePane,
  PANE_ORDER,
  PANE_TABS,
  renderTabBar,
  minimumSize,
  renderSpeedupChart,
  type DashboardState,
  type Rect,
} from "@tsprof/dashboard";
import { studyEvents, TWO_VARIANTS } from "./helpers";

function overlap(a: Rect, b: Rect): boolean {
  return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
}

test("layout: panes tile the terminal without overlap, inside it, for many sizes", () => {
  for (const [w, h, n] of [[100, 31, 2], [160, 45, 2], [237, 61, 9], [120, 45, 9], [101, 80, 1]] as const) {
    const layout = computeLayout(w, h, n);
    assert.equal(layout.kind, "grid", `${w}x${h} with ${n} variants`);
    if (layout.kind !== "grid") continue;
    const rects = [...Object.values(layout.panes), layout.footer];
    let area = 0;
    for (const r of rects) {
      assert.ok(r.left >= 0 && r.top >= 0 && r.left + r.width <= w && r.top + r.height <= h, `inside ${w}x${h}`);
      assert.ok(r.width > 0 && r.height > 0);
      area += r.width * r.height;
    }
    for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) assert.ok(!overlap(rects[i], rects[j]));
    assert.equal(area, w * h, "no gaps");
    // Each table pane has a row per variant plus header and borders.
    assert.ok(layout.panes.runtime.height >= n + 3);
  }
});

test("layout: below the grid's minimum, one pane at a time (runtime first) under a tab bar", () => {
  const need = minimumSize(2);
  const small = computeLayout(need.width - 1, need.height, 2);
  assert.equal(small.kind, "single");
  assert.ok(small.kind === "single" && small.pane === "runtime" && !small.gridFits);
  assert.equal(computeLayout(need.width, need.height - 1, 2).kind, "single");
  assert.equal(computeLayout(need.width, need.height, 2).kind, "grid");
  assert.ok(minimumSize(9).height > minimumSize(2).height);
  // 80x24 with the whole ladder: tab bar, status, the pane, footer fill the screen exactly.
  const at80 = computeLayout(80, 24, 9);
  assert.ok(at80.kind === "single");
  if (at80.kind !== "single") return;
  assert.deepEqual([at80.tabs.top, at80.status.top, at80.rect.top, at80.rect.top + at80.rect.height, at80.footer.top], [0, 1, 2, 23, 23]);
  // A pane chosen with a number key is shown alone, even where the grid fits; null is the grid again.
  const zoomed = computeLayout(237, 61, 9, 0, "why");
  assert.ok(zoomed.kind === "single" && zoomed.pane === "why" && zoomed.gridFits);
  assert.equal(computeLayout(237, 61, 9, 0, null).kind, "grid");
});

test("tab bar: every pane and its number fit 80 columns, the focused one in brackets; Tab wraps", () => {
  for (const pane of PANE_ORDER) {
    const bar = renderTabBar(pane, 80);
    assert.ok(Array.from(bar).length <= 80);
    PANE_ORDER.forEach((p, i) => assert.ok(bar.includes(`${i + 1} ${PANE_TABS[p]}`), `${p} in ${bar}`));
    assert.ok(bar.includes(`[${PANE_ORDER.indexOf(pane) + 1} ${PANE_TABS[pane]}]`));
  }
  assert.equal(cyclePane("runtime", -1), PANE_ORDER.at(-1));
  assert.equal(cyclePane(PANE_ORDER.at(-1)!, 1), "runtime");
});

function folded(): DashboardState {
  let state = createState({ workload: "diffusion", variants: TWO_VARIANTS, sizes: [32, 64], iterations: 5 }, 0);
  for (const e of studyEvents()) state = applyStudyEvent(state, e, 0);
  return state;
}

test("chart: one marker per measured cell, higher speedup drawn higher, sizes on the x axis", () => {
  const lines = renderSpeedupChart(folded(), 60, 14);
  assert.ok(lines.length <= 14);
  assert.ok(lines.every((l) => Array.from(l).length <= 60));
  const rowOf = (ch: string, col: "first" | "last"): number => {
    const rows = lines.map((l, i) => ({ i, at: col === "first" ? l.indexOf(ch, 8) : l.lastIndexOf(ch) })).filter((r) => r.at >= 8);
    return col === "first" ? rows[0].i : rows[rows.length - 1].i;
  };
  // nested (marker 1) is the baseline at 1x: the bottom row; fused (2) at 8x on 64 is the top row.
  const plotRows = lines.filter((l) => l.includes("┤"));
  assert.match(plotRows[0], /8\.00x┤.*2/);
  assert.match(plotRows[plotRows.length - 1], /1\.00x┤1.*1/);
  assert.ok(rowOf("2", "first") < rowOf("1", "first"));
  const axis = lines.findIndex((l) => l.includes("└"));
  assert.match(lines[axis + 1], /^\s+32\s+64$/);
  assert.equal(lines[axis + 2], "1 nested  2 fused");
});

test("chart: waits politely with nothing measured, and says so when the pane is too small", () => {
  const empty = createState({ workload: "diffusion", variants: TWO_VARIANTS, sizes: [32, 64], iterations: 5 }, 0);
  assert.equal(renderSpeedupChart(empty, 60, 12)[0], "speedup vs grid size: waiting for measured cells");
  assert.deepEqual(renderSpeedupChart(folded(), 12, 4), ["(too small)"]);
});

test("chart: points of two series on one character cell are marked * and the legend says so", () => {
  let state = createState({ workload: "diffusion", variants: TWO_VARIANTS, sizes: [32, 64], iterations: 5 }, 0);
  const events = studyEvents().map((e) =>
    e.type === "cell-done" && e.cell.variant === "fused" && e.cell.size === 32 ? { ...e, cell: { ...e.cell, speedup: 1.01 } } : e,
  );
  for (const e of events) state = applyStudyEvent(state, e, 0);
  const lines = renderSpeedupChart(state, 60, 14);
  const bottom = lines.filter((l) => l.includes("┤")).at(-1)!;
  assert.match(bottom, /┤\*/, "1x and 1.01x share the bottom-left cell");
  assert.equal(lines.at(-1), "1 nested  2 fused  * several");
});

test("layout: wide tables (many sizes, long names) ask for a wider terminal instead of being cut", async () => {
  const { tablesWidth } = await import("@tsprof/dashboard");
  const variants = [{ name: "nested-prealloc", description: "" }, { name: "fused", description: "" }];
  const state = createState({ workload: "diffusion", variants, sizes: [256, 512, 1024, 2048], iterations: 500 }, 0);
  const width = tablesWidth(state);
  assert.ok(width >= "  nested-prealloc".length + 4 * " 2048×2048".length, `tables need ${width} columns`);
  const need = minimumSize(2, width);
  assert.equal(need.width, Math.max(100, 2 * (width + 2)));
  assert.equal(computeLayout(need.width - 1, need.height, 2, width).kind, "single");
  const layout = computeLayout(need.width, need.height, 2, width);
  assert.ok(layout.kind === "grid" && layout.panes.runtime.width - 2 >= width && layout.panes.speedup.width - 2 >= width);
});
