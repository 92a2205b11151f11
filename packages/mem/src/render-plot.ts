/**
 * Renderers of a memory recording (`tsprof mem --plot`): a PNG chart like `mprof plot`
 * (chartjs-node-canvas), and a terminal chart (asciichart) used when the PNG renderer cannot load.
 * They only format the model; the numbers come from recording.ts.
 */
import type { MemRecording, MemSample } from "@tsprof/core";
import { RECORDING_SERIES, bracketDepths, bracketMergeNote, recordingDurationMs, recordingPeak, toolShareNote } from "./recording";

export interface PlotSize {
  width: number;
  height: number;
}

/** Line colours of the series, in RECORDING_SERIES order. */
export const SERIES_COLOURS = ["#1f3b99", "#d62728", "#2ca02c", "#9467bd", "#17becf"];

/** Bracket fill colours (one per function name, in order of first call), drawn at BRACKET_ALPHA. */
export const BRACKET_COLOURS: Array<[number, number, number]> = [
  [255, 160, 0],
  [120, 120, 255],
  [0, 180, 120],
  [230, 90, 200],
  [150, 110, 60],
];
export const BRACKET_ALPHA = 0.22;

/** Colour of a bracket's fill as it appears over the white background (for tests and legends). */
export function bracketColourOnWhite(index: number): [number, number, number] {
  const [r, g, b] = BRACKET_COLOURS[index % BRACKET_COLOURS.length];
  const mix = (c: number): number => Math.round(255 * (1 - BRACKET_ALPHA) + c * BRACKET_ALPHA);
  return [mix(r), mix(g), mix(b)];
}

/** Function names in order of their first bracket: index = colour. */
export function bracketNames(rec: MemRecording): string[] {
  const names: string[] = [];
  for (const b of rec.brackets) if (!names.includes(b.name)) names.push(b.name);
  return names;
}

function seriesPoints(samples: MemSample[], key: keyof Omit<MemSample, "tMs">): Array<{ x: number; y: number }> {
  const points: Array<{ x: number; y: number }> = [];
  for (const s of samples) {
    const v = s[key];
    if (v !== null) points.push({ x: s.tMs / 1000, y: v });
  }
  return points;
}

/** Title of the plot: script, duration, how it ended. */
export function recordingTitle(rec: MemRecording): string {
  const seconds = (recordingDurationMs(rec) / 1000).toFixed(2);
  let how = "";
  if (rec.signal) how = `, killed by ${rec.signal}`;
  else if (rec.exitCode !== null && rec.exitCode !== 0) how = `, exit code ${rec.exitCode}`;
  else if (!rec.complete) how = ", recording not closed";
  return `${rec.script ?? "memory"}: ${seconds} s${how}`;
}

/** Pixels each nesting level moves a bracket's top edge down, so nested calls stay apart. */
const NEST_STEP_PX = 16;

/**
 * One bracket: a call at depth 0 is a shaded span with a line at its start; a nested call (depth
 * d > 0) is drawn d steps lower, hatched in its colour and outlined, so it does not melt into the
 * span of the call around it.
 */
function drawBracket(ctx: any, box: { x0: number; x1: number; top: number; bottom: number }, depth: number, [r, g, b]: [number, number, number]): void {
  const top = box.top + Math.min(depth, 6) * NEST_STEP_PX;
  const width = box.x1 - box.x0;
  const height = box.bottom - top;
  if (depth === 0) {
    ctx.fillStyle = `rgba(${r},${g},${b},${BRACKET_ALPHA})`;
    ctx.fillRect(box.x0, top, width, height);
  } else {
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x0, top, width, height);
    ctx.clip();
    ctx.strokeStyle = `rgba(${r},${g},${b},0.45)`;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let x = box.x0 - height; x < box.x1; x += 7) {
      ctx.moveTo(x, box.bottom);
      ctx.lineTo(x + height, top);
    }
    ctx.stroke();
    ctx.restore();
    ctx.strokeStyle = `rgba(${r},${g},${b},0.9)`;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(box.x0 + 0.75, top + 0.75, Math.max(0, width - 1.5), height - 1.5);
  }
  ctx.strokeStyle = `rgba(${r},${g},${b},0.9)`;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(box.x0 + 0.5, top);
  ctx.lineTo(box.x0 + 0.5, box.bottom);
  ctx.stroke();
}

/** Under the title: how brackets were formed and tsprof's own share of the baseline. */
export function plotSubtitle(rec: MemRecording): string[] {
  const lines: string[] = [];
  if (rec.brackets.length > 0) lines.push(`Brackets: ${bracketMergeNote(rec)}; nested calls are hatched and set lower.`);
  const share = toolShareNote(rec);
  if (share) lines.push(`Baseline: ${share}.`);
  return lines;
}

/** One chart.js line dataset per recorded series (the first, drawn thicker, is the total). */
function chartDatasets(rec: MemRecording): Array<Record<string, unknown> & { data: unknown[] }> {
  return RECORDING_SERIES.map((series, i) => ({
    label: series.label,
    data: seriesPoints(rec.samples, series.key),
    borderColor: SERIES_COLOURS[i],
    backgroundColor: SERIES_COLOURS[i],
    borderWidth: i === 0 ? 2 : 1.25,
    pointRadius: 0,
    tension: 0,
    fill: false,
  })).filter((d) => d.data.length > 0);
}

/** Canvas, plot area and scales, as chart.js hands them to a plugin's hooks. */
interface ChartDrawing {
  ctx: any;
  chartArea: { left: number; right: number; top: number; bottom: number };
  scales: { x: { getPixelForValue(v: number): number }; y: { getPixelForValue(v: number): number } };
}

/** A bracket name already drawn: where it ends and on which row along the top. */
interface PlacedLabel {
  right: number;
  row: number;
}

/** Bracket names are drawn in at most this many rows along the top of the plot. */
const MAX_LABEL_ROWS = 6;
const LABEL_ROW_PX = 14;

/**
 * Shade every bracket (nested ones hatched and set lower) and write its function's name along the
 * top. Returns how many rows of names were used, so the peak label can stay clear of them.
 */
function drawBrackets(rec: MemRecording, names: string[], chart: ChartDrawing): number {
  const { ctx, chartArea, scales } = chart;
  ctx.save();
  ctx.beginPath();
  ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
  ctx.clip();
  const labelled: PlacedLabel[] = [];
  const depths = bracketDepths(rec);
  let rowsUsed = 0;
  rec.brackets.forEach((b, i) => {
    const colour = BRACKET_COLOURS[names.indexOf(b.name) % BRACKET_COLOURS.length];
    const x0 = scales.x.getPixelForValue(b.startMs / 1000);
    // At least 2 px wide so a very short call stays visible.
    const x1 = Math.max(scales.x.getPixelForValue(b.endMs / 1000), x0 + 2);
    drawBracket(ctx, { x0, x1, top: chartArea.top, bottom: chartArea.bottom }, depths[i], colour);
    const row = drawBracketName(chart, b.open ? `${b.name} (not returned)` : b.name, x0, labelled, colour);
    if (row !== null) rowsUsed = Math.max(rowsUsed, row + 1);
  });
  ctx.restore();
  return rowsUsed;
}

/**
 * A bracket's name at the top, from its start, stepped down a row when it would overlap a name
 * already there, kept inside the plot. Returns its row, or null when all rows are taken.
 */
function drawBracketName(chart: ChartDrawing, text: string, x0: number, labelled: PlacedLabel[], [r, g, b]: readonly number[]): number | null {
  const { ctx, chartArea } = chart;
  ctx.font = "12px DejaVu Sans, sans-serif";
  const textWidth = ctx.measureText(text).width;
  let row = 0;
  while (labelled.some((l) => l.row === row && l.right > x0 + 3)) row++;
  // Keep the name inside the plot: right-align it at the edge when it would run off.
  const tx = Math.max(chartArea.left + 2, Math.min(x0 + 3, chartArea.right - textWidth - 3));
  while (labelled.some((l) => l.row === row && l.right > tx)) row++;
  if (row >= MAX_LABEL_ROWS) return null;
  labelled.push({ right: tx + textWidth, row });
  ctx.fillStyle = `rgb(${Math.round(r * 0.6)},${Math.round(g * 0.6)},${Math.round(b * 0.6)})`;
  ctx.textBaseline = "top";
  ctx.fillText(text, tx, chartArea.top + 3 + row * LABEL_ROW_PX);
  return row;
}

/** Circle the peak, draw a dashed line at its height, and label it clear of the bracket names. */
function drawPeak(peak: NonNullable<ReturnType<typeof recordingPeak>>, chart: ChartDrawing, labelRowsUsed: number): void {
  const { ctx, scales, chartArea } = chart;
  const x = scales.x.getPixelForValue(peak.tMs / 1000);
  const y = scales.y.getPixelForValue(peak.mib);
  ctx.save();
  ctx.strokeStyle = "#000";
  ctx.fillStyle = "#000";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.arc(x, y, 5, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.setLineDash([4, 3]);
  ctx.beginPath();
  ctx.moveTo(chartArea.left, y);
  ctx.lineTo(chartArea.right, y);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.font = "bold 12px DejaVu Sans, sans-serif";
  const text = `peak ${peak.label} ${peak.mib.toFixed(1)} MiB at ${(peak.tMs / 1000).toFixed(2)} s`;
  const w = ctx.measureText(text).width;
  const tx = Math.min(Math.max(x - w / 2, chartArea.left + 2), chartArea.right - w - 2);
  const labelsBottom = chartArea.top + labelRowsUsed * LABEL_ROW_PX + 4;
  // Top of the text: above the peak, unless that runs into the bracket names, then below.
  const ty = y - 8 - 14 > labelsBottom ? y - 8 - 14 : Math.min(Math.max(y + 8, labelsBottom), chartArea.bottom - 16);
  // A light box behind it, so the series drawn underneath do not garble it.
  ctx.fillStyle = "rgba(255,255,255,0.8)";
  ctx.fillRect(tx - 2, ty - 1, w + 4, 16);
  ctx.fillStyle = "#000";
  ctx.textBaseline = "top";
  ctx.fillText(text, tx, ty);
  ctx.restore();
}

/** The chart.js plugin that draws the brackets under the series and the peak over them. */
function bracketsAndPeakPlugin(rec: MemRecording): Record<string, unknown> {
  const names = bracketNames(rec);
  const peak = recordingPeak(rec);
  // Rows of bracket names drawn along the top (set while drawing), so the peak label avoids them.
  let labelRowsUsed = 0;
  return {
    id: "tsprofBrackets",
    beforeDatasetsDraw(chart: ChartDrawing): void {
      labelRowsUsed = Math.max(labelRowsUsed, drawBrackets(rec, names, chart));
    },
    afterDatasetsDraw(chart: ChartDrawing): void {
      if (peak) drawPeak(peak, chart, labelRowsUsed);
    },
  };
}

/**
 * The chart.js configuration of a recording (pure data plus a small drawing plugin): time in
 * seconds on x, MiB on y, one line per series, each bracket a shaded span with its function's
 * name, the peak marked.
 */
export function buildChartConfig(rec: MemRecording): Record<string, unknown> {
  return {
    type: "line",
    data: { datasets: chartDatasets(rec) },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: false,
      plugins: {
        title: { display: true, text: recordingTitle(rec), font: { size: 14 } },
        subtitle: { display: plotSubtitle(rec).length > 0, text: plotSubtitle(rec), font: { size: 11 }, padding: { bottom: 6 } },
        legend: { display: true, position: "bottom" },
        // Many points: draw every one (no decimation) so short spikes and the peak stay visible.
        decimation: { enabled: false },
      },
      scales: {
        x: { type: "linear", min: 0, max: recordingDurationMs(rec) / 1000, title: { display: true, text: "time (s)" } },
        y: { type: "linear", beginAtZero: true, title: { display: true, text: "memory used (MiB)" } },
      },
    },
    plugins: [bracketsAndPeakPlugin(rec)],
  };
}

/** Render a recording to PNG bytes. Throws when chartjs-node-canvas or canvas cannot load. */
export async function renderRecordingPng(rec: MemRecording, size: PlotSize): Promise<Buffer> {
  // Loaded lazily: canvas is a native addon, and the terminal chart must work without it.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { ChartJSNodeCanvas } = require("chartjs-node-canvas") as typeof import("chartjs-node-canvas");
  const canvas = new ChartJSNodeCanvas({ width: size.width, height: size.height, backgroundColour: "white" });
  return canvas.renderToBuffer(buildChartConfig(rec) as any, "image/png");
}

const CAIRO_PACKAGES = "apt-get install build-essential libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev";

/**
 * Can the PNG renderer load here? Returns null, or the whole reason it cannot as one line with what
 * to install: canvas and chartjs-node-canvas are optional dependencies (left out by
 * --omit=optional, or canvas's native build failed for want of cairo's headers).
 */
export function pngRendererProblem(): string | null {
  for (const name of ["canvas", "chartjs-node-canvas"]) {
    try {
      require(name);
    } catch (err) {
      const error = err as NodeJS.ErrnoException;
      const message = error.message.split("\nRequire stack:")[0].replace(/\s*\n\s*/g, " ").trim();
      if (error.code === "MODULE_NOT_FOUND" && message.includes(`'${name}'`)) {
        return `${name} is not installed (optional; for PNG plots: npm install canvas chartjs-node-canvas, which builds against cairo: ${CAIRO_PACKAGES})`;
      }
      return `${name} did not load: ${message} (for PNG plots: ${CAIRO_PACKAGES}, then npm rebuild canvas)`;
    }
  }
  return null;
}

/**
 * A terminal chart of RSS and heap used (asciichart), with the brackets listed under it. Used
 * when the PNG renderer cannot load, and by `tsprof show` on a recording. Pure.
 */
export function renderRecordingAscii(rec: MemRecording, size: PlotSize = { width: 70, height: 15 }): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const asciichart = require("asciichart") as { plot(series: number[] | number[][], cfg?: object): string };
  const duration = Math.max(recordingDurationMs(rec), 1);
  const columns = Math.max(10, size.width);
  const resample = (key: keyof Omit<MemSample, "tMs">): number[] | null => {
    const out: number[] = new Array(columns).fill(Number.NaN);
    let any = false;
    for (const s of rec.samples) {
      const v = s[key];
      if (v === null) continue;
      any = true;
      const col = Math.min(columns - 1, Math.floor((s.tMs / duration) * columns));
      out[col] = Number.isNaN(out[col]) ? v : Math.max(out[col], v);
    }
    if (!any) return null;
    // Carry values over empty columns so the line is continuous.
    let last = out.find((v) => !Number.isNaN(v)) ?? 0;
    for (let i = 0; i < columns; i++) {
      if (Number.isNaN(out[i])) out[i] = last;
      else last = out[i];
    }
    return out;
  };
  const rss = resample("rssMiB");
  const heap = resample("heapUsedMiB");
  const series = [rss, heap].filter((s): s is number[] => s !== null);
  const lines: string[] = [recordingTitle(rec)];
  if (series.length === 0) {
    lines.push("(no samples)");
  } else {
    lines.push(
      asciichart.plot(series, {
        height: Math.max(5, size.height),
        format: (x: number) => `${x.toFixed(1).padStart(8)} MiB `,
      }),
    );
    lines.push(`${" ".repeat(14)}0 s${" ".repeat(Math.max(1, columns - 8))}${(duration / 1000).toFixed(2)} s`);
    lines.push(`${rss ? "line 1: RSS" : ""}${rss && heap ? ", line 2: V8 heap used" : heap ? "line 1: V8 heap used" : ""}`);
  }
  const peak = recordingPeak(rec);
  if (peak) lines.push(`peak ${peak.label} ${peak.mib.toFixed(1)} MiB at ${(peak.tMs / 1000).toFixed(2)} s`);
  const share = toolShareNote(rec);
  if (share) lines.push(share);
  if (rec.brackets.length > 0) {
    lines.push(`calls of profiled functions (${bracketMergeNote(rec)}):`);
    const shown = rec.brackets.slice(0, 20);
    const depths = bracketDepths(rec);
    for (const [i, b] of shown.entries()) {
      lines.push(
        `  ${"  ".repeat(depths[i])}${b.name}: ${(b.startMs / 1000).toFixed(3)} s - ${(b.endMs / 1000).toFixed(3)} s${b.open ? " (not returned)" : ""}`,
      );
    }
    if (rec.brackets.length > shown.length) lines.push(`  ... ${rec.brackets.length - shown.length} more`);
  }
  return lines.join("\n") + "\n";
}
