/**
 * Where each pane goes for a terminal of a given size: a pure function, so resizing is just
 * computing it again. Below the minimum the dashboard shows a message instead of squeezed panes.
 *
 *   progress            | system
 *   runtime (Table 6-1) | speedup (Table 6-2)
 *   memory / GC         | counters
 *   chart (Figure 6-4)  | line profile / memory plot
 *   footer (keys, messages)
 */

export interface Rect {
  top: number;
  left: number;
  width: number;
  height: number;
}

export type PaneName = "progress" | "system" | "runtime" | "speedup" | "memory" | "counters" | "chart" | "action";

export type DashboardLayout =
  | { kind: "panes"; panes: Record<PaneName, Rect>; footer: Rect }
  | { kind: "too-small"; needWidth: number; needHeight: number };

export const MIN_WIDTH = 100;
const TOP_HEIGHT = 8;
const BOTTOM_MIN_HEIGHT = 10;

/** Rows a table pane needs: borders (2), header, one row per variant, a note line. */
function tableHeight(variantCount: number): number {
  return variantCount + 4;
}

/**
 * The smallest terminal for `variantCount` rows; `tableWidth` is the widest table line (header and
 * rows), since the runtime and speedup tables sit side by side, each inside a border.
 */
export function minimumSize(variantCount: number, tableWidth = 0): { width: number; height: number } {
  return {
    width: Math.max(MIN_WIDTH, 2 * (tableWidth + 2)),
    height: TOP_HEIGHT + 2 * tableHeight(variantCount) + BOTTOM_MIN_HEIGHT + 1,
  };
}

export function computeLayout(width: number, height: number, variantCount: number, tableWidth = 0): DashboardLayout {
  const need = minimumSize(variantCount, tableWidth);
  if (width < need.width || height < need.height) {
    return { kind: "too-small", needWidth: need.width, needHeight: need.height };
  }
  const left = Math.floor(width / 2);
  const right = width - left;
  const tableH = tableHeight(variantCount);
  const topH = TOP_HEIGHT;
  const bottomTop = topH + 2 * tableH;
  const bottomH = height - 1 - bottomTop;
  const chartW = Math.floor(width * 0.55);
  const row = (top: number, h: number, split: number): [Rect, Rect] => [
    { top, left: 0, width: split, height: h },
    { top, left: split, width: width - split, height: h },
  ];
  const [progress, system] = row(0, topH, width - Math.max(right, 56));
  const [runtime, speedup] = row(topH, tableH, left);
  const [memory, counters] = row(topH + tableH, tableH, left);
  const [chart, action] = row(bottomTop, bottomH, chartW);
  return {
    kind: "panes",
    panes: { progress, system, runtime, speedup, memory, counters, chart, action },
    footer: { top: height - 1, left: 0, width, height: 1 },
  };
}
