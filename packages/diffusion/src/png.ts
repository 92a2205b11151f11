/**
 * Figure 6-4 as a picture: speedup against grid size, one line per variant on a log scale, and
 * under it the runtime table (Table 6-1) as grouped bars, drawn with chartjs-node-canvas. Pure
 * apart from loading the native canvas: a result in, PNG bytes out. Throws when canvas cannot load
 * (callers fall back to the terminal chart).
 */
import { sizeLabel, type StudyResult } from "@tsprof/core";

export interface PngSize {
  width: number;
  height: number;
}

/** Distinct colours for up to 12 variants (then they repeat with a dash pattern). */
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"];

function colour(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** Per variant, its value at each size (null where not measured): the data both charts draw. */
export function studySeries(result: StudyResult, value: "speedup" | "seconds"): Array<{ variant: string; values: Array<number | null> }> {
  return result.variants
    .map((v) => ({
      variant: v.name,
      values: result.sizes.map((size) => {
        const cell = result.results.find((c) => c.variant === v.name && c.size === size);
        const x = cell?.[value];
        return typeof x === "number" && x > 0 && Number.isFinite(x) ? x : null;
      }),
    }))
    .filter((s) => s.values.some((x) => x !== null));
}

function speedupConfig(result: StudyResult): object {
  const labels = result.sizes.map((s) => sizeLabel(result.workload, s));
  return {
    type: "line",
    data: {
      labels,
      datasets: studySeries(result, "speedup").map((s, i) => ({
        label: s.variant,
        data: s.values,
        borderColor: colour(i),
        backgroundColor: colour(i),
        borderDash: i >= PALETTE.length ? [6, 3] : [],
        pointRadius: 4,
        spanGaps: true,
      })),
    },
    options: {
      animation: false,
      responsive: false,
      plugins: {
        title: { display: true, text: `Speedup over ${result.baseline} against grid size (${result.iterations} iterations per cell)`, font: { size: 15 } },
        legend: { position: "right" },
      },
      scales: {
        x: { title: { display: true, text: result.workload === "diffusion" ? "grid size (N × N)" : "size" } },
        y: { type: "logarithmic", title: { display: true, text: `speedup vs ${result.baseline} (log scale)` } },
      },
    },
  };
}

function runtimeConfig(result: StudyResult): object {
  return {
    type: "bar",
    data: {
      labels: result.sizes.map((s) => sizeLabel(result.workload, s)),
      datasets: studySeries(result, "seconds").map((s, i) => ({ label: s.variant, data: s.values, backgroundColor: colour(i) })),
    },
    options: {
      animation: false,
      responsive: false,
      plugins: {
        title: { display: true, text: `Total runtime for ${result.iterations} iterations (seconds, log scale)`, font: { size: 15 } },
        legend: { position: "right" },
      },
      scales: {
        x: { title: { display: true, text: result.workload === "diffusion" ? "grid size (N × N)" : "size" } },
        y: { type: "logarithmic", title: { display: true, text: "seconds (log scale)" } },
      },
    },
  };
}

/** Both charts, one above the other, as PNG bytes. */
export async function renderStudyPng(result: StudyResult, size: PngSize = { width: 1100, height: 1000 }): Promise<Buffer> {
  // Loaded lazily: canvas is a native addon, and the rest of the study must work without it.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { ChartJSNodeCanvas } = require("chartjs-node-canvas") as typeof import("chartjs-node-canvas");
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { createCanvas, loadImage } = require("canvas") as typeof import("canvas");
  const half = Math.floor(size.height / 2);
  const renderer = new ChartJSNodeCanvas({ width: size.width, height: half, backgroundColour: "white" });
  const top = await renderer.renderToBuffer(speedupConfig(result) as never, "image/png");
  const bottom = await renderer.renderToBuffer(runtimeConfig(result) as never, "image/png");
  const canvas = createCanvas(size.width, 2 * half);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "white";
  ctx.fillRect(0, 0, size.width, 2 * half);
  ctx.drawImage(await loadImage(top), 0, 0);
  ctx.drawImage(await loadImage(bottom), 0, half);
  return canvas.toBuffer("image/png");
}
