/**
 * Pure renderers of a StudyResult: the chapter's Table 6-1 (runtime of every variant at every size
 * for the iteration count) and Table 6-2 (speedup against the first variant), plus a memory table
 * (peak RSS, peak heap, GC count), as plain text or as Markdown. They only format numbers that the
 * runner computed.
 */
import type { StudyCell, StudyResult } from "@tsprof/core";

export function sizeLabel(workload: StudyResult["workload"], size: number): string {
  if (workload === "poly") {
    if (size >= 1e6 && size % 1e5 === 0) return `${size / 1e6}M points`;
    if (size >= 1e3 && size % 100 === 0) return `${size / 1e3}k points`;
    return `${size} points`;
  }
  if (workload === "custom") return `size ${size}`;
  return `${size} × ${size}`;
}

export function formatSeconds(seconds: number): string {
  if (seconds >= 10) return `${seconds.toFixed(2)}s`;
  if (seconds >= 0.001) return `${seconds.toPrecision(3)}s`;
  return `${(seconds * 1e3).toPrecision(3)}ms`;
}

export function formatSpeedup(speedup: number): string {
  return speedup >= 0.1 ? `${speedup.toFixed(2)}x` : `${speedup.toPrecision(2)}x`;
}

function cellOf(result: StudyResult, variant: string, size: number): StudyCell | undefined {
  return result.results.find((c) => c.variant === variant && c.size === size);
}

/** A cell without figures: "n/a" unavailable, "timeout", or "failed". */
function statusText(cell: StudyCell): string {
  return cell.status === "unavailable" ? "n/a" : cell.status === "timed-out" ? "timeout" : "failed";
}

/** "-" not run (yet), "n/a" unavailable, "failed" error; "*" marks a scaled figure. */
function runtimeText(cell: StudyCell | undefined): string {
  if (!cell) return "-";
  if (cell.seconds === null) return statusText(cell);
  return `${cell.scaled ? "*" : ""}${formatSeconds(cell.seconds)}`;
}

function speedupText(cell: StudyCell | undefined): string {
  if (!cell) return "-";
  if (cell.speedup === null) return cell.seconds === null ? statusText(cell) : "-";
  return `${cell.scaled ? "*" : ""}${formatSpeedup(cell.speedup)}`;
}

function memoryText(cell: StudyCell | undefined): string {
  if (!cell || cell.seconds === null) return "-";
  const rss = cell.peakRssMiB === null ? "?" : cell.peakRssMiB.toFixed(0);
  const heap = cell.peakHeapMiB === null ? "-" : cell.peakHeapMiB.toFixed(0);
  const gc = cell.gcCount === null ? "-" : String(cell.gcCount);
  return `${rss} / ${heap} / ${gc}`;
}

interface Table {
  title: string;
  header: string[];
  rows: string[][];
}

function tables(result: StudyResult): Table[] {
  const header = ["Method", ...result.sizes.map((s) => sizeLabel(result.workload, s))];
  const rowsOf = (text: (cell: StudyCell | undefined) => string) =>
    result.variants.map((v) => [v.name, ...result.sizes.map((s) => text(cellOf(result, v.name, s)))]);
  return [
    { title: `Table 1. Total runtime for ${result.iterations} iterations`, header, rows: rowsOf(runtimeText) },
    { title: `Table 2. Speedup compared to ${result.baseline} for ${result.iterations} iterations`, header, rows: rowsOf(speedupText) },
    { title: "Table 3. Peak RSS MiB / peak heap MiB (JS heap + ArrayBuffers) / GC count during the steps", header, rows: rowsOf(memoryText) },
  ];
}

function headline(result: StudyResult): string {
  const machine = result.machine ? ` on ${result.machine.cpuModel}, ${result.machine.cores} cores, Node ${result.machine.node}` : "";
  return `${result.workload} study: ${result.variants.length} variants × ${result.sizes.length} sizes, ${result.iterations} iterations per cell, baseline ${result.baseline}${machine}${result.aborted ? " (aborted)" : ""}`;
}

function notes(result: StudyResult): string[] {
  const lines: string[] = [];
  if (result.results.some((c) => c.scaled)) {
    lines.push(`* scaled: the cell was timed on fewer than ${result.iterations} iterations and extrapolated (time budget per cell).`);
  }
  for (const v of result.variants) if (v.unavailable) lines.push(`${v.name}: unavailable: ${v.unavailable}`);
  for (const c of result.results) {
    if (c.error && c.status !== "unavailable") lines.push(`${c.variant} @ ${sizeLabel(result.workload, c.size)}: ${c.status === "timed-out" ? "timed out" : "failed"}: ${c.error}`);
  }
  return lines;
}

function pad(text: string, width: number, left: boolean): string {
  // Width in code points, so "×" counts as one column.
  const length = [...text].length;
  return left ? text + " ".repeat(Math.max(0, width - length)) : " ".repeat(Math.max(0, width - length)) + text;
}

export function renderStudyText(result: StudyResult): string {
  const out: string[] = [headline(result), ""];
  for (const table of tables(result)) {
    const all = [table.header, ...table.rows];
    const widths = table.header.map((_, col) => Math.max(...all.map((row) => [...row[col]].length)));
    out.push(table.title);
    for (const row of all) out.push(row.map((text, col) => pad(text, widths[col], col === 0)).join("  ").trimEnd());
    out.push("");
  }
  out.push(...notes(result));
  return out.join("\n").trimEnd() + "\n";
}

function escapeMarkdown(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\*/g, "\\*");
}

export function renderStudyMarkdown(result: StudyResult): string {
  const out: string[] = [headline(result), ""];
  for (const table of tables(result)) {
    out.push(`**${table.title}**`, "");
    out.push(`| ${table.header.map(escapeMarkdown).join(" | ")} |`);
    out.push(`| ${table.header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`);
    for (const row of table.rows) out.push(`| ${row.map(escapeMarkdown).join(" | ")} |`);
    out.push("");
  }
  const extra = notes(result);
  if (extra.length > 0) out.push(...extra.map((line) => `- ${escapeMarkdown(line)}`));
  return out.join("\n").trimEnd() + "\n";
}
