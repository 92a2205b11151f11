/**
 * Where each pane goes for a terminal of a given size: a pure function, so resizing is just
 * computing it again. A terminal big enough for every table gets the grid; a smaller one (80×24,
 * the default) gets one pane at a time under a tab bar, the runtime table first, switched with the
 * number keys or Tab/←/→. A pane chosen with a number key in the grid is shown alone ("zoomed")
 * until Esc or 0.
 *
 *   grid:                                     tabs:
 *   progress            | system              tab bar (1 runtime 2 speedup ...)
 *   runtime (Table 6-1) | speedup (Table 6-2) status (one line of progress)
 *   memory / GC         | counters / JIT      the focused pane
 *   chart (Figure 6-4)  | why | profile       footer (keys, messages)
 *   footer (keys, messages)
 */

export interface Rect {
  top: number;
  left: number;
  width: number;
  height: number;
}

export type PaneName = "progress" | "system" | "runtime" | "speedup" | "memory" | "counters" | "chart" | "why" | "action";

/** Tab order (and number keys 1-9): the runtime table first. */
export const PANE_ORDER: PaneName[] = ["runtime", "speedup", "why", "memory", "counters", "chart", "action", "progress", "system"];

/** Short names for the tab bar (it must fit 80 columns). */
export const PANE_TABS: Record<PaneName, string> = {
  runtime: "runtime",
  speedup: "speedup",
  why: "why",
  memory: "mem",
  counters: "counters",
  chart: "chart",
  action: "profile",
  progress: "progress",
  system: "sys",
};

export type DashboardLayout =
  | { kind: "grid"; panes: Record<PaneName, Rect>; footer: Rect }
  | { kind: "single"; pane: PaneName; rect: Rect; tabs: Rect; status: Rect; footer: Rect; gridFits: boolean };

/** Below this the dashboard still works, one pane at a time; it only refuses a terminal smaller than a few lines. */
export const MIN_WIDTH = 100;
const TOP_HEIGHT = 8;
const BOTTOM_MIN_HEIGHT = 10;

/** Rows a table pane needs: borders (2), header, one row per variant, a note line. */
function tableHeight(variantCount: number): number {
  return variantCount + 4;
}

/**
 * The smallest terminal for the grid with `variantCount` rows; `tableWidth` is the widest table
 * line (header and rows), since the runtime and speedup tables sit side by side, each in a border.
 */
export function minimumSize(variantCount: number, tableWidth = 0): { width: number; height: number } {
  return {
    width: Math.max(MIN_WIDTH, 2 * (tableWidth + 2)),
    height: TOP_HEIGHT + 2 * tableHeight(variantCount) + BOTTOM_MIN_HEIGHT + 1,
  };
}

function gridLayout(width: number, height: number, variantCount: number): DashboardLayout {
  const left = Math.floor(width / 2);
  const right = width - left;
  const tableH = tableHeight(variantCount);
  const bottomTop = TOP_HEIGHT + 2 * tableH;
  const bottomH = height - 1 - bottomTop;
  const row = (top: number, h: number, split: number): [Rect, Rect] => [
    { top, left: 0, width: split, height: h },
    { top, left: split, width: width - split, height: h },
  ];
  const [progress, system] = row(0, TOP_HEIGHT, width - Math.max(right, 56));
  const [runtime, speedup] = row(TOP_HEIGHT, tableH, left);
  const [memory, counters] = row(TOP_HEIGHT + tableH, tableH, left);
  const chartW = Math.floor(width * 0.4);
  const whyW = Math.floor((width - chartW) / 2);
  const chart = { top: bottomTop, left: 0, width: chartW, height: bottomH };
  const why = { top: bottomTop, left: chartW, width: whyW, height: bottomH };
  const action = { top: bottomTop, left: chartW + whyW, width: width - chartW - whyW, height: bottomH };
  return {
    kind: "grid",
    panes: { progress, system, runtime, speedup, memory, counters, chart, why, action },
    footer: { top: height - 1, left: 0, width, height: 1 },
  };
}

/**
 * The layout for a terminal of `width` × `height`. `focus`: the pane chosen with a number key (or
 * null for the grid); in a terminal too small for the grid the runtime table is shown when
 * nothing was chosen.
 */
export function computeLayout(width: number, height: number, variantCount: number, tableWidth = 0, focus: PaneName | null = null): DashboardLayout {
  const need = minimumSize(variantCount, tableWidth);
  const gridFits = width >= need.width && height >= need.height;
  if (gridFits && focus === null) return gridLayout(width, height, variantCount);
  return {
    kind: "single",
    pane: focus ?? "runtime",
    tabs: { top: 0, left: 0, width, height: 1 },
    status: { top: 1, left: 0, width, height: 1 },
    rect: { top: 2, left: 0, width, height: Math.max(3, height - 3) },
    footer: { top: height - 1, left: 0, width, height: 1 },
    gridFits,
  };
}

/** The tab bar: "[1 runtime] 2 speedup 3 why ..." cut to the width. */
export function renderTabBar(focus: PaneName, width: number): string {
  const parts = PANE_ORDER.map((name, i) => (name === focus ? `[${i + 1} ${PANE_TABS[name]}]` : `${i + 1} ${PANE_TABS[name]}`));
  const text = parts.join(" ");
  return Array.from(text).length <= width ? text : Array.from(text).slice(0, width).join("");
}

/** The pane `delta` steps from `current` in tab order, wrapping. */
export function cyclePane(current: PaneName, delta: number): PaneName {
  const i = PANE_ORDER.indexOf(current);
  const n = PANE_ORDER.length;
  return PANE_ORDER[(((i + delta) % n) + n) % n];
}
