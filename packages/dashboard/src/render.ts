import type { MachineInfo, StudyCell, StudyCounters } from "@tsprof/core";
import { formatSeconds, formatSpeedup } from "@tsprof/diffusion";
import { l3GridEstimate } from "./machine";
import { findCell, type DashboardState } from "./model";

/**
 * Pure renderers: state -> plain text for one pane (no terminal codes, no blessed tags), so they
 * are unit-tested as strings and the TUI only places them. `width` is the pane's inner width.
 */

/**
 * A column heading: "1024×1024" for a grid (the chapter's, without spaces to save columns),
 * "10M pts" for poly's point counts, the bare size for a user's variants.
 */
export function sizeLabel(size: number, workload: DashboardState["workload"] = "diffusion"): string {
  if (workload === "poly") {
    if (size >= 1e6 && size % 1e5 === 0) return `${size / 1e6}M pts`;
    if (size >= 1e3 && size % 100 === 0) return `${size / 1e3}k pts`;
    return `${size} pts`;
  }
  if (workload === "custom") return `size ${size}`;
  return `${size}×${size}`;
}

/**
 * Seconds and speedups are formatted by the diffusion package's rules (the same digits as its
 * headless tables: "2.32s", "0.00475s", "32.33x"), so the TUI and the printed tables agree.
 */
export const formatCellSeconds = formatSeconds;

export { formatSpeedup };

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "unknown";
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${+(bytes / 1024).toFixed(1)} KiB`;
}

function formatDuration(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${((ms % 60_000) / 1000).toFixed(0)} s`;
}

/** Cut or pad every line to `width` columns and keep at most `height` lines. */
export function fitLines(lines: string[], width: number, height = Infinity): string[] {
  const out = lines.slice(0, Math.max(0, height)).map((line) => {
    const chars = Array.from(line);
    if (chars.length <= width) return line;
    return width <= 1 ? chars.slice(0, width).join("") : chars.slice(0, width - 1).join("") + "…";
  });
  return out;
}

/** Columns: the first left-aligned, the rest right-aligned, separated by two spaces. */
export function formatColumns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, Array.from(cell).length)));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const pad = " ".repeat(widths[i] - Array.from(cell).length);
        return i === 0 ? cell + pad : pad + cell;
      })
      .join("  ")
      .trimEnd(),
  );
}

/** A text progress bar: "[#####.....]". */
export function progressBar(fraction: number, width: number): string {
  const inner = Math.max(1, width - 2);
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * inner);
  return `[${"#".repeat(filled)}${".".repeat(inner - filled)}]`;
}

/** The marker in front of the selected variant's row. */
function marker(state: DashboardState, index: number): string {
  return index === state.selected ? "> " : "  ";
}

/** Live progress: which cell runs, its progress bar and elapsed time, and the study's progress. */
export function renderProgress(state: DashboardState, nowMs: number, width: number): string[] {
  const barWidth = Math.max(10, Math.min(50, width - 30));
  const lines: string[] = [];
  const studyFraction = state.total > 0 ? state.completed / state.total : 0;
  const studyElapsed = (state.finishedAtMs ?? nowMs) - state.startedAtMs;
  const cur = state.current;
  if (cur) {
    const elapsed = Math.max(cur.elapsedMs, nowMs - cur.startedAtMs);
    lines.push(`running ${cur.variant} ${sizeLabel(cur.size, state.workload)}  (cell ${cur.index + 1} of ${cur.total})`);
    const iterations = cur.of > 0 ? `${cur.done}/${cur.of} it` : "starting";
    lines.push(`${progressBar(cur.of > 0 ? cur.done / cur.of : 0, barWidth)} ${iterations}  elapsed ${formatDuration(elapsed)}`);
  } else if (state.phase === "starting" || state.phase === "running") {
    lines.push("starting the study…");
    lines.push("");
  } else if (state.phase === "done") {
    lines.push(`done: ${state.completed} cells in ${formatDuration(studyElapsed)}`);
    lines.push("");
  } else if (state.phase === "aborted") {
    lines.push(`stopped after ${state.completed} of ${state.total} cells`);
    lines.push("");
  } else {
    lines.push(`study failed after ${state.completed} of ${state.total} cells`);
    lines.push("");
  }
  lines.push(`${progressBar(studyFraction, barWidth)} ${state.completed}/${state.total} cells  total ${formatDuration(studyElapsed)}`);
  lines.push(`workload ${state.workload}, ${state.iterations} iterations, baseline ${state.baseline}`);
  return fitLines(lines, width);
}

/** What a table shows for a cell that has no number yet. */
function pendingMark(state: DashboardState, variant: string, size: number): string {
  const info = state.variants.find((v) => v.name === variant);
  if (info?.unavailable) return "n/a";
  if (state.current && state.current.variant === variant && state.current.size === size) return "run…";
  return state.phase === "done" || state.phase === "aborted" || state.phase === "failed" ? "-" : "·";
}

function cellText(state: DashboardState, variant: string, size: number, value: (cell: StudyCell) => string | null): string {
  const cell = findCell(state, variant, size);
  if (!cell) return pendingMark(state, variant, size);
  if (cell.status === "unavailable") return "n/a";
  if (cell.status !== "ok" && cell.seconds === null) return cell.status === "timed-out" ? "timeout" : "error";
  return value(cell) ?? "-";
}

/** Table 6-1: seconds for the iteration count, variants × sizes. */
export function renderRuntimeTable(state: DashboardState, width: number): string[] {
  const rows: string[][] = [["  variant", ...state.sizes.map((size) => sizeLabel(size, state.workload))]];
  state.variants.forEach((variant, i) => {
    rows.push([
      marker(state, i) + variant.name,
      ...state.sizes.map((size) =>
        cellText(state, variant.name, size, (c) => (c.seconds === null ? null : formatCellSeconds(c.seconds) + (c.scaled ? "*" : ""))),
      ),
    ]);
  });
  const lines = formatColumns(rows);
  const notes: string[] = [];
  const scaled = state.cells.filter((c) => c.scaled);
  if (scaled.length > 0) {
    const fewest = Math.min(...scaled.map((c) => c.measuredIterations));
    notes.push(`* timed on fewer iterations (from ${fewest}) and scaled to ${state.iterations}`);
  }
  const unavailable = state.variants.filter((v) => v.unavailable);
  for (const v of unavailable) notes.push(`${v.name}: ${v.unavailable}`);
  const errors = state.cells.filter((c) => c.error !== undefined);
  for (const c of errors.slice(0, 2)) notes.push(`${c.variant} ${sizeLabel(c.size, state.workload)}: ${c.error}`);
  return fitLines([...lines, ...notes], width);
}

/** Table 6-2: speedup against the baseline (first) variant at the same size. */
export function renderSpeedupTable(state: DashboardState, width: number): string[] {
  const rows: string[][] = [["  variant", ...state.sizes.map((size) => sizeLabel(size, state.workload))]];
  state.variants.forEach((variant, i) => {
    rows.push([
      marker(state, i) + variant.name,
      ...state.sizes.map((size) => cellText(state, variant.name, size, (c) => (c.speedup === null ? null : formatSpeedup(c.speedup)))),
    ]);
  });
  return fitLines([...formatColumns(rows), `speedup = ${state.baseline} seconds / variant seconds`], width);
}

/** The largest measured size of a variant (memory grows with the grid, so that is its peak). */
function largestCell(state: DashboardState, variant: string): StudyCell | undefined {
  let best: StudyCell | undefined;
  for (const c of state.cells) if (c.variant === variant && (!best || c.size > best.size)) best = c;
  return best;
}

const fmtMiB = (v: number | null): string => (v === null ? "-" : v.toFixed(1));

/** Peak RSS, peak heap and GC count per variant, at its largest measured grid. */
export function renderMemoryTable(state: DashboardState, width: number): string[] {
  // Short headings: the pane is titled "peak memory", and half a 100-column terminal is narrow.
  const rows: string[][] = [["  variant", "grid", "RSS MiB", "heap MiB", "GCs"]];
  state.variants.forEach((variant, i) => {
    const c = largestCell(state, variant.name);
    rows.push([
      marker(state, i) + variant.name,
      c ? sizeLabel(c.size, state.workload) : "·",
      c ? fmtMiB(c.peakRssMiB) : "",
      c ? fmtMiB(c.peakHeapMiB) : "",
      c ? (c.gcCount === null ? "-" : String(c.gcCount)) : "",
    ]);
  });
  return fitLines([...formatColumns(rows), "each cell ran in its own process"], width);
}

function countersFor(state: DashboardState, variant: string): StudyCounters | undefined {
  let best: StudyCounters | undefined;
  for (const c of state.counters) if (c.variant === variant && (!best || c.size > best.size)) best = c;
  return best;
}

/** IPC and cache-miss % per variant, measured or simulated; or why there are none. */
export function renderCountersTable(state: DashboardState, width: number): string[] {
  if (state.counters.length === 0) {
    const note = state.countersNote ?? (state.phase === "done" ? "counters: n/a (the study reported none)" : "counters: waiting for the study");
    return fitLines([note], width);
  }
  const rows: string[][] = [["  variant", "grid", "IPC", "cache-miss %", "instructions", "source"]];
  state.variants.forEach((variant, i) => {
    const c = countersFor(state, variant.name);
    rows.push([
      marker(state, i) + variant.name,
      c ? sizeLabel(c.size, state.workload) : "·",
      c?.ipc != null ? c.ipc.toFixed(2) : c ? "n/a" : "",
      c?.cacheMissPct != null ? c.cacheMissPct.toFixed(2) : c ? "n/a" : "",
      c?.instructions != null ? formatCount(c.instructions) : c ? "n/a" : "",
      c ? counterSource(c) : "",
    ]);
  });
  const notes = [...new Set(state.counters.map((c) => c.note).filter((n): n is string => !!n))];
  // While counters are being measured the status line comes first after the table: the pane has
  // room for one line under the rows.
  const tail = state.countersNote ? [state.countersNote, ...notes] : notes;
  return fitLines([...formatColumns(rows), ...tail], width);
}

/** Where a variant's counters come from: perf, cachegrind, or nowhere (the note says why). */
function counterSource(c: StudyCounters): string {
  if (c.ipc === null && c.cacheMissPct === null && c.instructions === null) return "n/a";
  return c.simulated ? "simulated" : "measured";
}

/** 1.23e9 -> "1.23 G". */
export function formatCount(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} G`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
  return String(Math.round(value));
}

/** CPU, cores, caches, memory, and the chapter's L3 estimate for the grid size. */
export function renderSystem(machine: MachineInfo | null, width: number): string[] {
  if (!machine) return fitLines(["reading system information…"], width);
  const lines = [
    `CPU    ${machine.cpuModel}, ${machine.cores} cores`,
    `cache  L1d ${formatBytes(machine.l1dBytes)}  L2 ${formatBytes(machine.l2Bytes)}  L3 ${formatBytes(machine.l3Bytes)}`,
    `memory ${formatBytes(machine.memoryBytes)}   node ${machine.node}`,
    `os     ${machine.os}`,
  ];
  if (machine.l3Bytes !== null) {
    const n = l3GridEstimate(machine.l3Bytes);
    lines.push(`L3 fits two float64 N×N grids up to N ≈ ${n}`);
    lines.push(`(L3 / 8 B / 2 arrays, √; the chapter's estimate)`);
  } else {
    lines.push("L3 size unknown: no grid estimate");
  }
  return fitLines(lines, width);
}

/** The line-profile / memory-plot pane for the selected variant. */
export function renderActionPane(state: DashboardState, width: number, height: number): string[] {
  const selected = state.variants[state.selected];
  const action = state.action;
  if (!action) {
    const lines = selected
      ? [`selected: ${selected.name}`, selected.description, "", "p: line-profile it   m: memory plot"]
      : ["no variant selected"];
    return fitLines(lines, width, height);
  }
  const title =
    action.kind === "line" ? `line profile of ${action.variant}` : `memory plot of ${action.variant}`;
  const status = action.status === "running" ? " (running…)" : action.status === "done" ? "" : ` (${action.status})`;
  return fitLines([title + status, ...action.lines], width, height);
}

/** The key help line. */
export function renderFooter(state: DashboardState, width: number): string {
  const keys = "↑/↓ j/k select  p line-profile  m memory plot  r rerun  q quit";
  const text = state.message ? `${keys}  │ ${state.message}` : keys;
  return fitLines([text], width)[0] ?? "";
}

/** What a too-small terminal shows instead of squeezed panes. */
export function renderTooSmall(width: number, height: number, needWidth: number, needHeight: number): string[] {
  return fitLines(
    [
      "tsprof dashboard: terminal too small",
      `have ${width}×${height}, need at least ${needWidth}×${needHeight}`,
      "enlarge the window, or use --headless",
      "q quits",
    ],
    width,
    height,
  );
}

/**
 * Columns the runtime and speedup tables need for their header and rows (notes may be cut), so
 * the layout can ask for a wider terminal rather than cut numbers off.
 */
export function tablesWidth(state: DashboardState): number {
  const rows = state.variants.length + 1;
  const widest = (lines: string[]): number => Math.max(0, ...lines.slice(0, rows).map((l) => Array.from(l).length));
  return Math.max(widest(renderRuntimeTable(state, 1000)), widest(renderSpeedupTable(state, 1000)));
}
