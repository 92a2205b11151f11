/**
 * Explanations: which measured quantities account for the time ratio of two runs (a variant
 * against the one before it, a compared program against the first). Pure: readings in, an
 * explanation out, every word of its sentence built from the numbers it was given.
 *
 * How a quantity "accounts for" a time ratio T = before / after seconds: its own ratio r (better /
 * worse, so r > 1 means it improved) moved the same way as the time, and covers
 * min(|ln r|, |ln T|) / |ln T| of it. A quantity 2.9x lower under a 2.5x speed-up covers all of
 * it (share 1); one 1.2x lower covers a fifth. Quantities that moved against the time are named
 * in the sentence ("although ...") but are not causes.
 *
 * Wall time is CPU time / cores busy, exactly. So where both sides' cores busy are known, the time
 * ratio splits into a cores ratio and a CPU-time ratio: cores busy covers its part, and every other
 * quantity (instructions, GC, deopts: they act on CPU time) covers at most the CPU-time part. Two
 * cores running the same work in half the wall time is then explained by the second core, and not
 * by a quantity that changed while the CPU time did not.
 */
import type { ExplanationCause } from "./study";

/** How one quantity is named, compared and formatted. */
export interface MetricSpec {
  key: string;
  /** Plural noun for the sentence: "instructions", "bytes allocated", "GCs". */
  label: string;
  /** False for quantities where more is better (cores busy). */
  lowerIsBetter: boolean;
  /** The words for less and more of it: "fewer"/"more" for counts, "less"/"more" for time and bytes. */
  words?: [string, string];
  /**
   * Values below this are noise or nothing (a few stray page faults, a millisecond of GC): both
   * sides are raised to it before the ratio, so 3 -> 0 GCs is no cause while 139 -> 0 is.
   */
  floor: number;
  format(value: number): string;
}

/**
 * One side's reading of a quantity: a value (`simulated` / `counted`: where the count came from,
 * "simulated by callgrind at 256²", "counted by the CPU at 512²"), or why there is none. `belowResolution`: measured,
 * but too small to tell from noise; the pair is then skipped without being reported missing.
 */
export type MetricReading = { value: number; simulated?: string; counted?: string } | { value: null; missing: string; belowResolution?: boolean };

export type MetricReadings = Record<string, MetricReading | undefined>;

export interface PairExplanation {
  timeRatio: number;
  summary: string;
  causes: ExplanationCause[];
  missing: string[];
}

/** Counts the way the chapter quotes them: 412 M, 6.5 k, 139. */
export function formatQuantity(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${Number(trim(value / 1e9))} G`;
  if (abs >= 1e6) return `${Number(trim(value / 1e6))} M`;
  if (abs >= 1e4) return `${Number(trim(value / 1e3))} k`;
  if (Number.isInteger(value) || abs >= 100) return String(Math.round(value));
  return value.toPrecision(3);
}

function trim(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** Bytes in binary units: 512 B, 1.5 MiB, 3.2 GiB. */
export function formatByteCount(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${Number(trim(value))} ${units[unit]}`;
}

function formatDuration(seconds: number): string {
  if (seconds === 0) return "0 s";
  if (seconds < 1e-3) return `${(seconds * 1e6).toPrecision(3)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toPrecision(3)} ms`;
  return `${seconds.toPrecision(3)} s`;
}

/** The quantities a study cell or a counters run can be explained by, in a stable order. */
export const METRICS: MetricSpec[] = [
  { key: "instructions", label: "instructions", lowerIsBetter: true, floor: 1e6, format: formatQuantity },
  { key: "d1Misses", label: "D1 misses", lowerIsBetter: true, floor: 1e4, format: formatQuantity },
  { key: "llMisses", label: "LL misses", lowerIsBetter: true, floor: 1e4, format: formatQuantity },
  { key: "branchMispredicts", label: "branch mispredicts", lowerIsBetter: true, floor: 1e4, format: formatQuantity },
  { key: "cacheMisses", label: "cache misses", lowerIsBetter: true, floor: 1e4, format: formatQuantity },
  { key: "allocatedBytes", label: "bytes allocated", lowerIsBetter: true, floor: 4 * 1024 * 1024, format: formatByteCount },
  { key: "gcCount", label: "GCs", lowerIsBetter: true, floor: 3, format: formatQuantity },
  { key: "gcSeconds", label: "GC time", lowerIsBetter: true, floor: 2e-3, format: formatDuration, words: ["less", "more"] },
  { key: "minorFaults", label: "minor page faults", lowerIsBetter: true, floor: 1000, format: formatQuantity },
  { key: "majorFaults", label: "major page faults", lowerIsBetter: true, floor: 10, format: formatQuantity },
    // A few deopts are the JIT's warm-up (insufficient type feedback), not a cause.
  { key: "deopts", label: "deoptimizations", lowerIsBetter: true, floor: 3, format: formatQuantity },
  // CPU seconds / wall seconds. Floor 1: one thread that shares its core with other processes
  // reads below 1, which is load, not a cause; only more than one busy core counts.
  { key: "coresUsed", label: "cores busy", lowerIsBetter: false, floor: 1, format: (v) => v.toFixed(2) },
  { key: "peakRssBytes", label: "peak RSS", lowerIsBetter: true, floor: 16 * 1024 * 1024, format: formatByteCount, words: ["lower", "higher"] },
];

/** A ratio worth naming: at least 10% either way. */
const MIN_CAUSE_RATIO = 1.1;
/** Below this, two times are "about the same". */
const SAME_TIME_RATIO = 1.05;
/** At most this many causes in the sentence (all are in `causes`). */
const SENTENCE_CAUSES = 4;

function formatRatio(ratio: number): string {
  return ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1);
}

/** "2.9× fewer instructions (412 M → 142 M)", or "GCs 139 → 0" when one side is next to nothing. */
export function describeChange(spec: MetricSpec, cause: ExplanationCause, simulated?: string): string {
  const figures = `${spec.format(cause.before)} → ${spec.format(cause.after)}`;
  const where = simulated ? `, ${simulated}` : "";
  if (Math.min(cause.before, cause.after) < spec.floor) return `${spec.label} ${figures}${where ? ` (${where.slice(2)})` : ""}`;
  const [less, more] = spec.words ?? ["fewer", "more"];
  const factor = formatRatio(Math.max(cause.ratio, 1 / cause.ratio));
  return `${factor}× ${cause.after < cause.before ? less : more} ${spec.label} (${figures}${where})`;
}

/** "2.9× faster than", "1.5× slower than", "about as fast (0.97×) as". */
function speedPhrase(timeRatio: number): string {
  if (timeRatio >= SAME_TIME_RATIO) return `${formatRatio(timeRatio)}× faster than`;
  if (timeRatio <= 1 / SAME_TIME_RATIO) return `${formatRatio(1 / timeRatio)}× slower than`;
  return `about as fast (${timeRatio.toFixed(2)}×) as`;
}

/** better / worse ratio of one quantity, both sides raised to the floor. */
function improvement(spec: MetricSpec, before: number, after: number): number {
  const b = Math.max(before, spec.floor);
  const a = Math.max(after, spec.floor);
  return spec.lowerIsBetter ? b / a : a / b;
}

const CORES = "coresUsed";

/**
 * ln(CPU-time ratio) = ln(time ratio) - ln(cores ratio), both cores raised to the cores floor (a
 * thread sharing its core reads below 1: load, not a cause); the time ratio itself where cores
 * busy is not known on both sides.
 */
function cpuTimeLog(logTime: number, specs: MetricSpec[], before: MetricReadings, after: MetricReadings): number {
  const spec = specs.find((s) => s.key === CORES);
  const b = before[CORES];
  const a = after[CORES];
  if (!spec || !b || !a || b.value === null || a.value === null) return logTime;
  return logTime - Math.log(improvement(spec, b.value, a.value));
}

/** How much of the time ratio a quantity that moved with it covers (see the file's comment). */
function shareOf(spec: MetricSpec, magnitude: number, logTime: number, logCpu: number): number {
  // The CPU-time part, where it went the time's way; nothing where the CPU time went the other way.
  const coverable = spec.key === CORES ? Math.abs(logTime) : Math.sign(logCpu) === Math.sign(logTime) ? Math.abs(logCpu) : 0;
  return Math.min(1, Math.min(magnitude, coverable) / Math.abs(logTime));
}

/**
 * Explain one pair. `subject` and `reference` name the two sides for the sentence ("fused",
 * "typed-roll-add"); `where` follows the speed ("at 512 × 512").
 */
export function explainPair(
  subject: string,
  reference: string,
  where: string,
  seconds: { before: number; after: number },
  before: MetricReadings,
  after: MetricReadings,
  specs: MetricSpec[] = METRICS,
): PairExplanation {
  const timeRatio = seconds.before / seconds.after;
  const logTime = Math.log(timeRatio);
  const same = Math.abs(logTime) < Math.log(SAME_TIME_RATIO);
  const logCpu = cpuTimeLog(logTime, specs, before, after);
  const causes: Array<ExplanationCause & { spec: MetricSpec; note?: string; magnitude: number }> = [];
  const opposed: typeof causes = [];
  const missing: string[] = [];
  for (const spec of specs) {
    const b = before[spec.key];
    const a = after[spec.key];
    if (!b && !a) continue;
    const quiet = (r: MetricReading | undefined) => r !== undefined && r.value === null && r.belowResolution === true;
    if (quiet(b) || quiet(a)) continue;
    if (!b || !a || b.value === null || a.value === null) {
      const why = [b, a].map((r) => (r && r.value === null ? r.missing : null)).find((m) => m) ?? "measured on one side only";
      missing.push(`${spec.label}: ${why}`);
      continue;
    }
    const better = improvement(spec, b.value, a.value);
    const magnitude = Math.abs(Math.log(better));
    if (magnitude < Math.log(MIN_CAUSE_RATIO)) continue;
    // Counts from the CPU and from a simulation are not the same quantity: not compared.
    if (Boolean(b.simulated) !== Boolean(a.simulated) && (b.counted || a.counted)) {
      missing.push(`${spec.label}: ${a.simulated ?? a.counted} against ${b.simulated ?? b.counted}`);
      continue;
    }
    const ratio = b.value === 0 && a.value === 0 ? 1 : Math.max(b.value, spec.floor) / Math.max(a.value, spec.floor);
    const note = b.simulated ?? a.simulated ?? b.counted ?? a.counted;
    const simulated = Boolean(b.simulated ?? a.simulated);
    const entry = {
      metric: spec.key,
      before: b.value,
      after: a.value,
      ratio,
      share: same ? 0 : shareOf(spec, magnitude, logTime, logCpu),
      ...(simulated ? { simulated: true } : {}),
      spec,
      note,
      magnitude,
    };
    if (same || Math.sign(Math.log(better)) === Math.sign(logTime)) causes.push(entry);
    else opposed.push(entry);
  }
  // Largest share first; among equal shares (several cover the whole ratio), the largest change.
  const byWeight = (x: (typeof causes)[number], y: (typeof causes)[number]) => y.share - x.share || y.magnitude - x.magnitude;
  causes.sort(byWeight);
  opposed.sort((x, y) => y.magnitude - x.magnitude);
  const phrases = causes.slice(0, SENTENCE_CAUSES).map((c) => describeChange(c.spec, c, c.note));
  let summary = `${subject} is ${speedPhrase(timeRatio)} ${reference}${where ? ` ${where}` : ""}: `;
  summary += phrases.length > 0 ? phrases.join("; ") : "no measured quantity moved with the time";
  if (opposed.length > 0) summary += `; although ${opposed.slice(0, 2).map((c) => describeChange(c.spec, c, c.note)).join(" and ")}`;
  if (missing.length > 0) summary += `. Not compared: ${missing.join("; ")}`;
  return {
    timeRatio,
    summary,
    causes: causes.map(({ spec: _spec, note: _note, magnitude: _m, ...cause }) => cause),
    missing,
  };
}
