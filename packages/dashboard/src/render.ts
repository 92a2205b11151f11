import type { MachineInfo, StudyCell, StudyCounters } from "@tsprof/core";
import { countersSourceText, formatByteCount, formatQuantity, largestGridFittingCache, sizeLabel as coreSizeLabel } from "@tsprof/core";
import { formatSeconds, formatSpeedup } from "@tsprof/diffusion";
import { findCell, type DashboardState } from "./model";

/**
 * Pure renderers: state -> plain text for one pane (no terminal codes, no blessed tags), so they
 * are unit-tested as strings and the TUI only places them. `width` is the pane's inner width.
 */

/**
 * A column heading: core's compact size label ("1024×1024", "10M pts", "size 300"): panes are
 * narrow.
 */
export function sizeLabel(size: number, workload: DashboardState["workload"] = "diffusion"): string {
  return coreSizeLabel(workload, size, true);
}

/**
 * Seconds and speedups are formatted by the diffusion package's rules (the same digits as its
 * headless tables: "2.32s", "0.00475s", "32.33x"), so the TUI and the printed tables agree.
 */
export const formatCellSeconds = formatSeconds;

export { formatSpeedup };

/** Core's byte formatting, "unknown" for a size the machine did not report. */
export function formatBytes(bytes: number | null): string {
  return bytes === null ? "unknown" : formatByteCount(bytes);
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
  } else if (state.phase === "running" && state.completed === state.total && state.total > 0) {
    lines.push(`measuring JIT state and simulated counters (slow, once per variant)`);
    lines.push(`${state.jit.length} of ${state.variants.length} JIT logs, ${state.counters.length} simulated`);
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

/**
 * Per variant at its largest measured grid: peak RSS, GC count, what the steps allocated, GC time,
 * minor page faults and cores busy (the measured causes the "why" pane explains with).
 */
export function renderMemoryTable(state: DashboardState, width: number): string[] {
  // Short headings: the pane is titled "memory and causes", and half a 100-column terminal is narrow.
  const rows: string[][] = [["  variant", "grid", "RSS MiB", "GCs", "alloc", "GC ms", "faults", "cores"]];
  const or = (v: number | null | undefined, f: (n: number) => string): string => (v === null || v === undefined ? "-" : f(v));
  state.variants.forEach((variant, i) => {
    const c = largestCell(state, variant.name);
    rows.push([
      marker(state, i) + variant.name,
      c ? sizeLabel(c.size, state.workload) : "·",
      c ? fmtMiB(c.peakRssMiB) : "",
      c ? or(c.gcCount, String) : "",
      c ? or(c.allocatedBytes, formatByteCount) : "",
      c ? or(c.gcSeconds, (v) => (v * 1e3).toFixed(1)) : "",
      c ? or(c.minorFaults, formatQuantity) : "",
      c ? or(c.coresUsed, (v) => v.toFixed(2)) : "",
    ]);
  });
  return fitLines([...formatColumns(rows), "during the steps; each cell ran in its own process"], width);
}

function countersFor(state: DashboardState, variant: string): StudyCounters | undefined {
  let best: StudyCounters | undefined;
  for (const c of state.counters) if (c.variant === variant && (!best || c.size > best.size)) best = c;
  return best;
}

/**
 * The slow measurements per variant (smallest size): per-step instructions, D1 and LL misses and
 * branch mispredicts (cachegrind, or perf where the counters came from it), the JIT's top tier
 * and the deoptimization count; or why there are none.
 */
export function renderCountersTable(state: DashboardState, width: number): string[] {
  if (state.counters.length === 0 && state.jit.length === 0) {
    const note = state.countersNote ?? (state.phase === "done" ? "counters: n/a (the study reported none)" : "counters and JIT state: measured after the cells");
    return fitLines([note], width);
  }
  const rows: string[][] = [["  variant", "instr/step", "D1 miss", "LL miss", "mispred", "tier", "deopts"]];
  const per = (c: StudyCounters | undefined, key: "instructions" | "d1Misses" | "llMisses" | "branchMispredicts"): string => {
    if (!c) return "·";
    const v = c.perStep?.[key];
    if (v === undefined) return key === "instructions" && c.instructions !== null ? `${formatCount(c.instructions)}*` : "n/a";
    return v === null ? "noise" : formatCount(v);
  };
  state.variants.forEach((variant, i) => {
    const c = countersFor(state, variant.name);
    const jit = state.jit.find((j) => j.variant === variant.name);
    rows.push([
      marker(state, i) + variant.name,
      per(c, "instructions"),
      per(c, "d1Misses"),
      per(c, "llMisses"),
      per(c, "branchMispredicts"),
      jit ? (jit.functions[0] ? TIER_SHORT[jit.functions[0].tier] : "n/a") : "·",
      jit ? String(jit.deopts.length) : "·",
    ]);
  });
  const size = state.counters[0]?.size ?? state.jit[0]?.size;
  // Where the counts came from, as the explanations say it (one source for all, or each variant's).
  const sources = [...new Set(state.counters.map((c) => countersSourceText(c)))];
  const source = sources.length === 1 ? `; counts ${sources[0]}` : "";
  const notes = [size !== undefined ? `at ${sizeLabel(size, state.workload)}, once per variant${source}` : ""];
  const tail = state.countersNote ? [state.countersNote, ...notes] : notes;
  return fitLines([...formatColumns(rows), ...tail.filter(Boolean)], width);
}

const TIER_SHORT: Record<string, string> = { turbofan: "TurboFan", maglev: "Maglev", sparkplug: "Sparkplug", interpreter: "interp." };

/** Word-wrap one paragraph to `width` columns (a word longer than the width is cut by fitLines). */
export function wrapText(text: string, width: number, indent = ""): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (Array.from(candidate).length > width && line !== "") {
      lines.push(line);
      line = indent + word;
    } else {
      line = candidate;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/**
 * The "why" pane: each explanation of the largest size measured so far (the other sizes follow),
 * the selected variant's first. Sentences are core's, wrapped to the pane.
 */
export function renderWhyPane(state: DashboardState, width: number, height: number): string[] {
  if (state.explanations.length === 0) return fitLines(["explanations appear as pairs of cells are measured"], width, height);
  const selected = state.variants[state.selected]?.name;
  const sizes = [...new Set(state.explanations.map((e) => e.size))].sort((a, b) => b - a);
  const lines: string[] = [];
  for (const size of sizes) {
    const here = state.explanations.filter((e) => e.size === size).sort((a, b) => Number(b.variant === selected) - Number(a.variant === selected));
    for (const e of here) lines.push(...wrapText(`${e.variant === selected ? "> " : "- "}${e.summary}`, width, "  "));
  }
  return fitLines(lines, width, height);
}

/** The selected variant's detail: what it is, why it is faster or slower than its rung, its JIT state. */
export function renderVariantDetail(state: DashboardState, width: number, height: number): string[] {
  const selected = state.variants[state.selected];
  if (!selected) return fitLines(["no variant selected"], width, height);
  const lines = [`selected: ${selected.name}`, ...wrapText(selected.description, width)];
  const mine = state.explanations.filter((e) => e.variant === selected.name).sort((a, b) => b.size - a.size)[0];
  if (mine) lines.push(...wrapText(mine.summary, width));
  const jit = state.jit.find((j) => j.variant === selected.name);
  if (jit) {
    const fns = jit.functions.slice(0, 3).map((f) => `${f.name} ${TIER_SHORT[f.tier]}`);
    lines.push(...wrapText(`JIT: ${fns.join(", ") || jit.note || "none of its own"}; ${jit.deopts.length} deopts`, width));
    for (const d of jit.deopts.slice(0, 3)) lines.push(...wrapText(`  deopt ${d.function}: ${d.reason} (${d.file.split(/[\\/]/).pop()}:${d.line})`, width, "    "));
  }
  lines.push("p: line-profile it   m: memory plot");
  return fitLines(lines, width, height);
}

/** 1.23e9 -> "1.23 G": core's count formatting (the one the explanations use). */
export const formatCount = formatQuantity;

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
    const n = largestGridFittingCache(machine.l3Bytes);
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
  if (!action || !selected) return renderVariantDetail(state, width, height);
  const title =
    action.kind === "line" ? `line profile of ${action.variant}` : `memory plot of ${action.variant}`;
  const status = action.status === "running" ? " (running…)" : action.status === "done" ? "" : ` (${action.status})`;
  return fitLines([title + status, ...action.lines], width, height);
}

/** The key help line: the short form where the terminal is narrow. */
export function renderFooter(state: DashboardState, width: number): string {
  const keys =
    width >= 100
      ? "↑/↓ j/k select  1-9 pane (Esc grid)  p line-profile  m memory plot  r rerun  q quit"
      : "↑↓ select 1-9/Tab pane p profile m mem r rerun q quit";
  const text = state.message ? `${keys}  │ ${state.message}` : keys;
  return fitLines([text], width)[0] ?? "";
}

/** One line of progress for the single-pane layout (the progress pane has the full view). */
export function renderStatusLine(state: DashboardState, nowMs: number, width: number): string {
  const cur = state.current;
  const cells = `${state.completed}/${state.total} cells`;
  let text: string;
  if (cur) {
    const elapsed = Math.max(cur.elapsedMs, nowMs - cur.startedAtMs);
    text = `running ${cur.variant} ${sizeLabel(cur.size, state.workload)} ${cur.of > 0 ? `${cur.done}/${cur.of} it` : "starting"} ${formatDuration(elapsed)} · ${cells}`;
  } else if (state.phase === "running" && state.completed === state.total && state.total > 0) {
    text = `measuring JIT state and simulated counters (slow, once per variant: ${state.jit.length}/${state.variants.length}) · ${cells}`;
  } else {
    text = `${renderProgress(state, nowMs, width)[0] ?? ""} · ${cells}`;
  }
  return fitLines([text], width)[0] ?? "";
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
