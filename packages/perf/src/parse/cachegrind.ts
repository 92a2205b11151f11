// Reference: Valgrind user manual, "Cachegrind: a high-precision tracing profiler", sections
// "Cachegrind Output File Format" (desc:/cmd:/events:/fl=/fn=/cost lines/summary:) and the
// cachegrind summary it prints on exit; cg_annotate(1) for the annotated report (valgrind 3.19:
// "PROGRAM TOTALS" line and "file:function" table; 3.22's Python cg_annotate keeps the same totals line).
import type { CacheEvents, CacheGeometry } from "@tsprof/core";
import { excerpt, parsePerfNumber, splitLines } from "./common";

export interface CachegrindGeometry {
  I1: CacheGeometry | null;
  D1: CacheGeometry | null;
  LL: CacheGeometry | null;
}

export interface CachegrindFunction {
  file: string;
  name: string;
  costs: Record<string, number>;
}

/** What a cachegrind parser read (any of its three outputs). */
export interface ParsedCachegrind {
  kind: "cachegrind.out" | "cg_annotate" | "summary";
  command: string | null;
  geometry: CachegrindGeometry;
  /** Event names in cachegrind's order (Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw ...). */
  events: string[];
  /** Program totals by event name. */
  totals: Record<string, number>;
  /** Per function (file:function), sorted by Ir descending. */
  functions: CachegrindFunction[];
  problems: string[];
}

function emptyCachegrind(kind: ParsedCachegrind["kind"]): ParsedCachegrind {
  return { kind, command: null, geometry: { I1: null, D1: null, LL: null }, events: [], totals: {}, functions: [], problems: [] };
}

const GEOMETRY = /(I1|D1|LL) cache:\s+(\d+) B, (\d+) B, (?:(\d+)-way associative|(direct-mapped)|(fully associative))/;

function readGeometry(line: string, into: CachegrindGeometry): boolean {
  const m = GEOMETRY.exec(line);
  if (!m) return false;
  const sizeBytes = Number(m[2]);
  const lineBytes = Number(m[3]);
  const assoc = m[4] ? Number(m[4]) : m[5] ? 1 : Math.max(1, Math.floor(sizeBytes / Math.max(1, lineBytes)));
  into[m[1] as keyof CachegrindGeometry] = { sizeBytes, lineBytes, assoc };
  return true;
}

/** Does this text look like a cachegrind output (file, annotation or summary)? */
export function detectCachegrind(text: string): ParsedCachegrind["kind"] | null {
  if (/^events:\s/m.test(text) && /^(desc:|cmd:|fl=|summary:)/m.test(text)) return "cachegrind.out";
  if (/PROGRAM TOTALS/.test(text) || /^Events (recorded|shown):/m.test(text)) return "cg_annotate";
  if (/^==\d+==\s+(I|D|LL)\s+refs:/m.test(text) || /^==\d+== Cachegrind/m.test(text)) return "summary";
  return null;
}

/** Parse any cachegrind output, detected. Never throws. */
export function parseCachegrind(text: string): ParsedCachegrind {
  const kind = detectCachegrind(text);
  if (kind === "cachegrind.out") return parseCachegrindOut(text);
  if (kind === "cg_annotate") return parseCgAnnotate(text);
  return parseCachegrindSummary(text);
}

/** Where parseCachegrindOut is in a cachegrind.out file, and what it has read so far. */
interface OutFileState {
  out: ParsedCachegrind;
  /** Compressed names seen so far: "fl=(1) name" defines (1), a later "fl=(1)" uses it. */
  names: Record<"fl" | "fn", Record<string, string>>;
  byFunction: Map<string, CachegrindFunction>;
  /** Sum of every cost line, per event: the totals of a file cut before its summary line. */
  summed: number[];
  file: string;
  fn: string;
  /** The function the next cost lines belong to (null after an fl= or fn= line). */
  current: CachegrindFunction | null;
  sawSummary: boolean;
}

/** A file or function name, with valgrind's name compression (>= 3.22 may write "fl=(1) name" once, then "fl=(1)"). */
function resolveName(state: OutFileState, kind: "fl" | "fn", value: string): string {
  const m = /^\((\d+)\)\s*(.*)$/.exec(value);
  if (!m) return value;
  if (m[2] !== "") state.names[kind][m[1]] = m[2];
  return state.names[kind][m[1]] ?? value;
}

/** desc: (cache geometry), cmd: and events: lines. */
function readHeaderLine(line: string, out: ParsedCachegrind): boolean {
  if (line.startsWith("desc:")) readGeometry(line, out.geometry);
  else if (line.startsWith("cmd:")) out.command = line.slice(4).trim();
  else if (line.startsWith("events:")) out.events = line.slice(7).trim().split(/\s+/).filter(Boolean);
  else return false;
  return true;
}

/** fl=/fi=/fe= (the file) and fn= (the function) lines: where the next costs belong. */
function readPositionLine(line: string, state: OutFileState): boolean {
  if (/^(fl|fi|fe)=/.test(line)) state.file = resolveName(state, "fl", line.slice(3).trim());
  else if (line.startsWith("fn=")) state.fn = resolveName(state, "fn", line.slice(3).trim());
  else return false;
  state.current = null;
  return true;
}

/** The summary: (or totals:) line: the program's totals, in the order of the events line. */
function readSummaryLine(line: string, lineNumber: number, state: OutFileState): void {
  const { out } = state;
  const values = line.slice(line.indexOf(":") + 1).trim().split(/\s+/);
  // A count the line does not give stays missing: no ratio may be derived from it.
  out.events.forEach((name, n) => {
    if (values[n] === undefined || !/^\d{1,20}$/.test(values[n])) return;
    const v = Number(values[n]);
    if (Number.isFinite(v)) out.totals[name] = v;
  });
  if (values.length !== out.events.length || values.some((v) => !/^\d+$/.test(v))) {
    out.problems.push(`line ${lineNumber}: summary does not match the events line: ${excerpt(line)}`);
  }
  state.sawSummary = true;
}

/** A cost line ("<line> <cost> <cost> ..."): its costs added to the current function and the sums. */
function readCostLine(line: string, lineNumber: number, state: OutFileState): void {
  const { out } = state;
  const parts = line.trim().split(/\s+/);
  const costs = parts.slice(1).map((p) => (/^\d{1,20}$/.test(p) ? Number(p) : Number.NaN));
  if (costs.some((c) => Number.isNaN(c)) || costs.length > Math.max(1, out.events.length)) {
    out.problems.push(`line ${lineNumber}: bad cost line: ${excerpt(line)}`);
    return;
  }
  if (!state.current) {
    const key = `${state.file}\u0000${state.fn}`;
    state.current = state.byFunction.get(key) ?? { file: state.file, name: state.fn, costs: {} };
    state.byFunction.set(key, state.current);
  }
  const current = state.current;
  costs.forEach((c, n) => {
    state.summed[n] = (state.summed[n] ?? 0) + c;
    const name = out.events[n] ?? `event${n}`;
    current.costs[name] = (current.costs[name] ?? 0) + c;
  });
}

/** Parse a cachegrind.out.<pid> file. Missing trailing costs on a line are zero, as the format says. */
export function parseCachegrindOut(text: string): ParsedCachegrind {
  const state: OutFileState = {
    out: emptyCachegrind("cachegrind.out"),
    names: { fl: {}, fn: {} },
    byFunction: new Map(),
    summed: [],
    file: "???",
    fn: "???",
    current: null,
    sawSummary: false,
  };
  const { out } = state;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") continue;
    if (readHeaderLine(line, out) || readPositionLine(line, state)) continue;
    if (line.startsWith("summary:") || line.startsWith("totals:")) readSummaryLine(line, i + 1, state);
    else if (/^\d/.test(line)) readCostLine(line, i + 1, state);
    else if (!/^(version|creator|pid|positions|part|thread):/.test(line)) out.problems.push(`line ${i + 1}: not cachegrind output: ${excerpt(line)}`);
  }
  if (!state.sawSummary) {
    if (state.summed.length > 0) out.problems.push("no summary line (truncated file?): totals summed from the cost lines");
    out.events.forEach((name, n) => (out.totals[name] = state.summed[n] ?? 0));
  }
  out.functions = [...state.byFunction.values()].sort((a, b) => (b.costs.Ir ?? 0) - (a.costs.Ir ?? 0));
  return out;
}

/** A cg_annotate row: "5,043,472 (100.0%) 1,257 (100.0%) ... label"; "." is no cost. */
function readCostRow(line: string, count: number): { costs: number[]; label: string } | null {
  const costs: number[] = [];
  let rest = line.trimStart();
  while (costs.length < count) {
    const m = /^([\d,]+|\.)(?:\s*\(\s*[\d.]+%\))?\s+/.exec(rest);
    if (!m) return null;
    costs.push(m[1] === "." ? 0 : (parsePerfNumber(m[1]) ?? 0));
    rest = rest.slice(m[0].length);
  }
  return { costs, label: rest.trim() };
}

/** Parse cg_annotate's report: header, PROGRAM TOTALS and the file:function table. */
export function parseCgAnnotate(text: string): ParsedCachegrind {
  const out = emptyCachegrind("cg_annotate");
  const lines = splitLines(text);
  let inFunctions = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (readGeometry(line, out.geometry)) continue;
    const field = /^(Command|Events shown|Events recorded):\s*(.*)$/.exec(line);
    if (field) {
      if (field[1] === "Command") out.command = field[2].trim();
      else if (field[1] === "Events shown" || out.events.length === 0) out.events = field[2].trim().split(/\s+/).filter(Boolean);
      continue;
    }
    if (/file:function\s*$/.test(line)) {
      inFunctions = true;
      continue;
    }
    if (/^-- (Auto-annotated source|Summary|File:function|Function:name)/.test(line) || /^-- /.test(line)) {
      inFunctions = /File:function|Function:name/.test(line);
      continue;
    }
    if (/PROGRAM TOTALS\s*$/.test(line)) {
      const row = readCostRow(line, out.events.length);
      if (!row) out.problems.push(`line ${i + 1}: cannot read the program totals: ${excerpt(line)}`);
      else out.events.forEach((name, n) => (out.totals[name] = row.costs[n]));
      continue;
    }
    if (inFunctions && /^\s*[\d.]/.test(line)) {
      const row = readCostRow(line, out.events.length);
      if (!row || row.label === "") {
        out.problems.push(`line ${i + 1}: cannot read a function row: ${excerpt(line)}`);
        continue;
      }
      const colon = row.label.lastIndexOf(":");
      const costs: Record<string, number> = {};
      out.events.forEach((name, n) => (costs[name] = row.costs[n]));
      out.functions.push({ file: colon > 0 ? row.label.slice(0, colon) : "", name: row.label.slice(colon + 1), costs });
      continue;
    }
    if (inFunctions && line.trim() === "" && out.functions.length > 0) inFunctions = false;
  }
  if (out.events.length === 0) out.problems.push("no 'Events shown' line: cannot name the columns");
  if (Object.keys(out.totals).length === 0) out.problems.push("no PROGRAM TOTALS line");
  return out;
}

/** Summary label -> [total event, read event, write event]. */
const SUMMARY_LABELS: Record<string, [string | null, string | null, string | null]> = {
  "I refs": ["Ir", null, null],
  "I1 misses": ["I1mr", null, null],
  "LLi misses": ["ILmr", null, null],
  "D refs": [null, "Dr", "Dw"],
  "D1 misses": [null, "D1mr", "D1mw"],
  "LLd misses": [null, "DLmr", "DLmw"],
  "LL refs": ["LL refs", null, null],
  "LL misses": ["LL misses", null, null],
  Branches: ["Bc+Bi", "Bc", "Bi"],
  Mispredicts: ["Bcm+Bim", "Bcm", "Bim"],
};

/** Parse the summary cachegrind prints on exit (`==pid== I   refs: ...`). Rates are recomputed, not read. */
export function parseCachegrindSummary(text: string): ParsedCachegrind {
  const out = emptyCachegrind("summary");
  const lines = splitLines(text);
  let sawAny = false;
  for (let i = 0; i < lines.length; i++) {
    const m = /^==\d+==\s?(.*)$/.exec(lines[i]);
    if (!m) continue;
    const body = m[1];
    const command = /^Command:\s*(.*)$/.exec(body);
    if (command) {
      out.command = command[1].trim();
      continue;
    }
    const row = /^([A-Za-z0-9]+(?:\s+[a-z]+)?):\s+([\d,]+)(?:\s*\(\s*([\d,]+)\s+rd\s*\+\s*([\d,]+)\s+wr\s*\)|\s*\(\s*([\d,]+)\s+cond\s*\+\s*([\d,]+)\s+ind\s*\))?\s*$/.exec(
      body,
    );
    if (!row) {
      if (/\b(refs|misses|Branches|Mispredicts):/.test(body) && !/rate:/.test(body)) {
        out.problems.push(`line ${i + 1}: cannot read: ${excerpt(body)}`);
      }
      continue;
    }
    const label = row[1].replace(/\s+/g, " ");
    const names = SUMMARY_LABELS[label];
    if (!names) continue;
    sawAny = true;
    const total = parsePerfNumber(row[2]);
    const first = row[3] ?? row[5];
    const second = row[4] ?? row[6];
    if (names[0] && total !== null) out.totals[names[0]] = total;
    if (names[1] && first !== undefined) out.totals[names[1]] = parsePerfNumber(first) ?? 0;
    if (names[2] && second !== undefined) out.totals[names[2]] = parsePerfNumber(second) ?? 0;
    if (names[1] && first === undefined && total !== null) {
      out.problems.push(`line ${i + 1}: ${label} has no read/write split`);
    }
  }
  const simulated = /simulated LL cache: line_size (\d+)\s+assoc (\d+)\s+total_size ([\d,]+)/.exec(text);
  if (simulated) {
    out.geometry.LL = { lineBytes: Number(simulated[1]), assoc: Number(simulated[2]), sizeBytes: parsePerfNumber(simulated[3]) ?? 0 };
  }
  out.events = ["Ir", "I1mr", "ILmr", "Dr", "D1mr", "DLmr", "Dw", "D1mw", "DLmw"].filter((e) => e in out.totals);
  if (!sawAny) out.problems.push("no cachegrind summary lines found");
  return out;
}

const CACHE_BOUNDS: Array<[keyof CacheEvents, keyof CacheEvents]> = [
  ["I1mr", "Ir"],
  ["ILmr", "I1mr"],
  ["D1mr", "Dr"],
  ["DLmr", "D1mr"],
  ["D1mw", "Dw"],
  ["DLmw", "D1mw"],
];

/** The nine cache events of a parse, or null when one is missing (no cache simulation). */
export function cacheEventsOf(parsed: ParsedCachegrind): CacheEvents | null {
  const t = parsed.totals;
  const names = ["Ir", "I1mr", "ILmr", "Dr", "D1mr", "DLmr", "Dw", "D1mw", "DLmw"] as const;
  if (!names.every((n) => typeof t[n] === "number" && Number.isFinite(t[n]))) return null;
  const out = {} as CacheEvents;
  for (const n of names) out[n] = t[n];
  // Misses never outnumber the accesses (nor last-level misses the first-level ones): such counts are
  // damaged, and a rate made of them (200% misses) would be a made-up figure.
  for (const [part, whole] of CACHE_BOUNDS) {
    if (out[part] > out[whole]) {
      if (!parsed.problems.some((p) => p.startsWith("inconsistent counts"))) parsed.problems.push(`inconsistent counts: ${part} ${out[part]} > ${whole} ${out[whole]}`);
      return null;
    }
  }
  return out;
}
