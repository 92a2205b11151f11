/**
 * Pure renderers of a StudyResult: the chapter's Table 6-1 (runtime of every variant at every size
 * for the iteration count) and Table 6-2 (speedup against the first variant), a memory table
 * (peak RSS, peak heap, GC count), the measured causes (allocation, GC time, page faults, cores;
 * simulated counters and JIT state on the smallest size), then the explanations, as plain text or
 * as Markdown. They only format numbers that the runner and core's explainStudy computed.
 */
import {
  countersSourceText,
  explainStudy,
  formatByteCount,
  formatQuantity,
  shortSizeLabel,
  sizeLabel,
  type StudyCell,
  type StudyCounters,
  type StudyExplanation,
  type StudyJit,
  type StudyResult,
} from "@tsprof/core";

export { sizeLabel };

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

/** "1.2 GiB / 36.2 ms / 8.6 k / 1.00": what the steps allocated, GC time, minor faults, cores busy. */
function causesText(cell: StudyCell | undefined): string {
  if (!cell || cell.seconds === null || cell.allocatedBytes === undefined) return "-";
  const or = (v: number | null | undefined, f: (n: number) => string) => (v === null || v === undefined ? "n/a" : f(v));
  return [
    or(cell.allocatedBytes, formatByteCount),
    or(cell.gcSeconds, (s) => `${(s * 1e3).toFixed(1)} ms`),
    or(cell.minorFaults, formatQuantity),
    or(cell.coresUsed, (c) => c.toFixed(2)),
  ].join(" / ");
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
  const out: Table[] = [
    { title: `Table 1. Total runtime for ${result.iterations} iterations`, header, rows: rowsOf(runtimeText) },
    { title: `Table 2. Speedup compared to ${result.baseline} for ${result.iterations} iterations`, header, rows: rowsOf(speedupText) },
    { title: "Table 3. Peak RSS MiB / peak heap MiB (JS heap + ArrayBuffers) / GC count during the steps", header, rows: rowsOf(memoryText) },
  ];
  if (result.results.some((c) => c.allocatedBytes !== undefined)) {
    out.push({ title: "Table 4. Allocated / GC time / minor page faults / cores busy (CPU ÷ wall) during the steps", header, rows: rowsOf(causesText) });
  }
  const slow = slowTable(result);
  if (slow) out.push(slow);
  return out;
}

const TIER_NAMES: Record<string, string> = { turbofan: "TurboFan", maglev: "Maglev", sparkplug: "Sparkplug", interpreter: "interpreter" };

/** "TurboFan: fusedRows; Sparkplug: initialGrid" — the kernel functions by tier, top tier first. */
export function jitTierText(jit: StudyJit | undefined): string {
  if (!jit) return "-";
  if (jit.functions.length === 0) return jit.note ?? "no functions of its own compiled";
  const top = jit.functions[0].tier;
  const names = jit.functions.filter((f) => f.tier === top).map((f) => f.name);
  return `${TIER_NAMES[top]}: ${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}`;
}

/** "simulated by callgrind", or each source with its variants where they differ. */
function sourcesText(counters: StudyCounters[]): string {
  const bySource = new Map<string, string[]>();
  for (const c of counters) bySource.set(countersSourceText(c), [...(bySource.get(countersSourceText(c)) ?? []), c.variant]);
  if (bySource.size <= 1) return [...bySource.keys()][0] ?? "not measured";
  return [...bySource].map(([source, variants]) => `${source}: ${variants.join(", ")}`).join("; ");
}

/** Table 5: the slow measurements of the smallest size, per step (counted by the CPU or simulated) and the JIT state. */
function slowTable(result: StudyResult): Table | null {
  if (result.counters.length === 0 && !result.jit?.length) return null;
  const size = Math.min(...result.sizes);
  const atSize = result.counters.filter((k) => k.size === size);
  const perStep = (variant: string, key: "instructions" | "d1Misses" | "llMisses" | "branchMispredicts") => {
    const c = atSize.find((k) => k.variant === variant);
    if (!c) return "-";
    const v = c.perStep?.[key];
    return v === undefined ? "n/a" : v === null ? "noise" : formatQuantity(v);
  };
  const rows = result.variants.map((v) => {
    const jit = result.jit?.find((j) => j.variant === v.name);
    return [v.name, perStep(v.name, "instructions"), perStep(v.name, "d1Misses"), perStep(v.name, "llMisses"), perStep(v.name, "branchMispredicts"), jitTierText(jit), jit ? String(jit.deopts.length) : "-"];
  });
  return {
    title: `Table 5. Per step at ${shortSizeLabel(result.workload, size)} (slow measurements, once per variant): instructions, D1 / LL misses, branch mispredicts (${sourcesText(atSize)}); JIT tier and deoptimizations (V8's code log)`,
    header: ["Method", "instr", "D1 miss", "LL miss", "br. mispred", "top tier", "deopts"],
    rows,
  };
}

/** The explanations to show: the result's own, or (a study saved before they existed) computed now. */
export function studyExplanations(result: StudyResult): StudyExplanation[] {
  return result.explanations ?? explainStudy(result);
}

/** "Why" section: one sentence per pair and size, grouped by size. */
function explanationLines(result: StudyResult): string[] {
  const all = studyExplanations(result);
  if (all.length === 0) return [];
  const lines = ["Why each variant is faster or slower than the one before it (measured causes, largest share of the time ratio first):"];
  for (const size of result.sizes) {
    const here = all.filter((e) => e.size === size);
    if (here.length === 0) continue;
    lines.push("", `At ${sizeLabel(result.workload, size)}:`);
    for (const e of here) lines.push(`- ${e.summary}`);
  }
  const deopts = deoptLines(result);
  if (deopts.length > 0) lines.push("", "Deoptimizations (smallest size; reason, original line):", ...deopts);
  return lines;
}

function deoptLines(result: StudyResult): string[] {
  const lines: string[] = [];
  for (const jit of result.jit ?? []) {
    for (const d of jit.deopts.slice(0, 5)) lines.push(`- ${jit.variant}: ${d.function} ${d.kind}: ${d.reason} at ${shortPath(d.file)}:${d.line}`);
    if (jit.deopts.length > 5) lines.push(`- ${jit.variant}: … ${jit.deopts.length - 5} more`);
  }
  return lines;
}

/** The file name with its folder ("diffusion/fused-kernel.ts"), enough to find it. */
function shortPath(file: string): string {
  return file.split(/[\\/]/).slice(-2).join("/");
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
  const why = explanationLines(result);
  if (why.length > 0) out.push("", ...why);
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
  const why = explanationLines(result);
  if (why.length > 0) out.push("", ...why.map((line) => (line.startsWith("At ") || line.startsWith("Why") || line.startsWith("Deopt") ? `**${escapeMarkdown(line)}**` : escapeMarkdown(line))));
  return out.join("\n").trimEnd() + "\n";
}
