import { findCell, type DashboardState } from "./model";
import { fitLines, formatSpeedup } from "./render";

/**
 * Figure 6-4 in text: speedup against grid size, one series per variant, on a log speedup axis
 * (speedups span 1x to 100x and more). Each variant is drawn with its own marker character (1-9,
 * then a-z) joined by dots, so the series stay apart without color and in a captured pane.
 * Hand-drawn rather than asciichart: that library has no gaps for cells not measured yet, no x
 * labels, and its series differ only by color.
 */

const MARKERS = "123456789abcdefghijklmnopqrstuvwxyz";

export function seriesMarker(index: number): string {
  return MARKERS[index] ?? "+";
}

interface Point {
  col: number;
  row: number;
}

export function renderSpeedupChart(state: DashboardState, width: number, height: number): string[] {
  const measured: { series: number; sizeIndex: number; speedup: number }[] = [];
  state.variants.forEach((variant, series) => {
    state.sizes.forEach((size, sizeIndex) => {
      const speedup = findCell(state, variant.name, size)?.speedup;
      if (typeof speedup === "number" && speedup > 0 && Number.isFinite(speedup)) {
        measured.push({ series, sizeIndex, speedup });
      }
    });
  });

  // Room for "  * several" on the last legend line, should points overlap.
  const legend = legendLines(state, width - 11);
  const labelWidth = 8; // "123.45x┤"
  const plotWidth = width - labelWidth - 1;
  const plotHeight = height - 2 - legend.length;
  if (plotWidth < 8 || plotHeight < 3) return fitLines(["(too small)"], width, height);
  if (measured.length === 0) {
    return fitLines(["speedup vs grid size: waiting for measured cells", ...legend], width, height);
  }

  let lo = Math.log10(Math.min(...measured.map((m) => m.speedup)));
  let hi = Math.log10(Math.max(...measured.map((m) => m.speedup)));
  if (hi - lo < 0.2) {
    // A flat chart would put every point on one row: widen the range around it.
    const mid = (hi + lo) / 2;
    lo = mid - 0.1;
    hi = mid + 0.1;
  }
  const rowOf = (speedup: number): number =>
    Math.round(((hi - Math.log10(speedup)) / (hi - lo)) * (plotHeight - 1));
  const colOf = (sizeIndex: number): number =>
    state.sizes.length === 1 ? Math.floor(plotWidth / 2) : Math.round((sizeIndex * (plotWidth - 1)) / (state.sizes.length - 1));

  const grid: string[][] = Array.from({ length: plotHeight }, () => Array.from({ length: plotWidth }, () => " "));

  // Dotted segments between consecutive measured points of a series, then the markers on top.
  const bySeries = new Map<number, Point[]>();
  for (const m of measured) {
    const points = bySeries.get(m.series) ?? [];
    points.push({ col: colOf(m.sizeIndex), row: rowOf(m.speedup) });
    bySeries.set(m.series, points);
  }
  for (const points of bySeries.values()) {
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i];
      const b = points[i + 1];
      for (let col = a.col + 1; col < b.col; col++) {
        const t = (col - a.col) / (b.col - a.col);
        const row = Math.round(a.row + t * (b.row - a.row));
        if (grid[row][col] === " ") grid[row][col] = "·";
      }
    }
  }
  // Two series on one character cell would hide one of them: mark the cell "*" instead.
  const isMarker = (ch: string): boolean => ch !== " " && ch !== "·";
  let overlaps = false;
  for (const [series, points] of bySeries) {
    for (const p of points) {
      const mine = seriesMarker(series);
      const there = grid[p.row][p.col];
      if (isMarker(there) && there !== mine) {
        grid[p.row][p.col] = "*";
        overlaps = true;
      } else {
        grid[p.row][p.col] = mine;
      }
    }
  }

  const lines: string[] = [];
  const labelRows = new Set([0, Math.floor((plotHeight - 1) / 2), plotHeight - 1]);
  for (let row = 0; row < plotHeight; row++) {
    const value = 10 ** (hi - (row / (plotHeight - 1)) * (hi - lo));
    const label = labelRows.has(row) ? formatSpeedup(value) : "";
    lines.push(`${label.padStart(labelWidth - 1)}┤${grid[row].join("")}`.trimEnd());
  }
  lines.push(`${" ".repeat(labelWidth - 1)}└${"─".repeat(plotWidth)}`);
  lines.push(" ".repeat(labelWidth) + xLabels(state.sizes.map(String), state.sizes.map((_, i) => colOf(i)), plotWidth));
  if (overlaps) legend[legend.length - 1] += "  * several";
  return fitLines([...lines, ...legend], width, height);
}

/** Size labels centred under their columns, dropped where they would overlap. */
function xLabels(labels: string[], cols: number[], plotWidth: number): string {
  const row = Array.from({ length: plotWidth + 8 }, () => " ");
  let nextFree = 0;
  labels.forEach((label, i) => {
    const start = Math.max(0, Math.min(plotWidth - label.length, cols[i] - Math.floor(label.length / 2)));
    if (start < nextFree) return;
    for (let k = 0; k < label.length; k++) row[start + k] = label[k];
    nextFree = start + label.length + 1;
  });
  return row.join("").trimEnd();
}

function legendLines(state: DashboardState, width: number): string[] {
  const entries = state.variants.map((v, i) => `${seriesMarker(i)} ${v.name}`);
  const lines: string[] = [];
  let line = "";
  for (const entry of entries) {
    const next = line === "" ? entry : `${line}  ${entry}`;
    if (Array.from(next).length > width && line !== "") {
      lines.push(line);
      line = entry;
    } else {
      line = next;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
