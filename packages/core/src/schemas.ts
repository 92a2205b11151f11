/**
 * One schema per kind of saved result (zod), checked against the model types at compile time:
 * if a field is added to, removed from or changed in an interface of this package and not here
 * (or the other way round), `tsc` fails on the assertions at the bottom. Loaded lazily by
 * validate.ts, so that commands which never read a result do not load zod.
 */
import { z } from "zod";
import type { ResultByKind } from "./render-contract";
import type { JitTier, StudyCellStatus } from "./study";

const num = z.number();
const int = z.number().int();
const nullableNum = z.number().nullable();
const str = z.string();

const header = {
  schemaVersion: int,
  command: z.array(str),
  startedAt: str,
};

const programExit = {
  exitCode: int.nullable(),
  signal: str.nullable(),
  error: str.optional(),
};

// ---- sampled profiles (in line and mem results) --------------------------------------------------

const callFrame = z.object({ functionName: str, url: str, lineNumber: int, columnNumber: int });
const sampledCpuNode = z.object({
  id: int,
  callFrame,
  hitCount: int,
  children: z.array(int).optional(),
  positionTicks: z.array(z.object({ line: int, ticks: int })).optional(),
});
const sampledCpuProfile = z.object({
  thread: str,
  nodes: z.array(sampledCpuNode),
  startTime: num,
  endTime: num,
  samples: z.array(int),
  timeDeltas: z.array(num),
});
const sampledAllocationNode = z.object({
  id: int,
  callFrame,
  selfSize: num,
  sampleCount: int,
  get children(): z.ZodArray<typeof sampledAllocationNode> {
    return z.array(sampledAllocationNode);
  },
});
const sampledAllocationProfile = z.object({ thread: str, samplingIntervalBytes: num, head: sampledAllocationNode });

// ---- line -------------------------------------------------------------------------------------

const JIT_TIERS = ["turbofan", "maglev", "sparkplug", "interpreter"] as const satisfies readonly JitTier[];
const functionJit = z.object({
  topTier: z.enum(JIT_TIERS),
  finalTier: z.enum(JIT_TIERS),
  optimizations: int,
  deopts: z.array(z.object({ count: int, kind: str, reason: str, file: str, line: int, column: int })),
});
const lineRecord = z.object({ line: int, hits: int.nullable(), samples: int.optional(), timeNs: nullableNum, source: str });
const functionLineProfile = z.object({
  name: str,
  file: str,
  line: int,
  calls: int.nullable(),
  totalNs: num,
  lines: z.array(lineRecord),
  thread: str.optional(),
  jit: functionJit.nullable().optional(),
});
const summaryRow = z.object({ name: str, file: str, line: int, ncalls: int.nullable(), tottimeNs: num, cumtimeNs: num, thread: str.optional() });

export const lineResultSchema = z.object({
  kind: z.literal("line"),
  ...header,
  ...programExit,
  mode: z.enum(["hybrid", "trace", "sample"]),
  timerUnit: num.positive(),
  sampler: z.enum(["v8-profiler-next", "inspector", "none"]),
  samplingIntervalUs: nullableNum,
  measuredIntervalUs: nullableNum.optional(),
  stackSampling: z.object({ requestedUs: num.positive(), measuredUs: nullableNum }).optional(),
  durationNs: num,
  functions: z.array(functionLineProfile),
  summary: z.array(summaryRow),
  notes: z.array(str),
  profiles: z.array(sampledCpuProfile).optional(),
  jit: z.boolean().optional(),
});

// ---- mem --------------------------------------------------------------------------------------

const memLineRecord = z.object({
  line: int,
  occurrences: int,
  rssMiB: nullableNum,
  rssIncrementMiB: num,
  heapMiB: nullableNum,
  heapIncrementMiB: num,
  source: str,
});
const functionMemProfile = z.object({ name: str, file: str, line: int, calls: int, lines: z.array(memLineRecord) });
const allocationSite = z.object({ functionName: str, file: str, line: int, bytes: num, samples: int, lineLevel: z.boolean() });

export const memResultSchema = z.object({
  kind: z.literal("mem"),
  ...header,
  ...programExit,
  gc: z.boolean(),
  heapDefinition: str,
  functions: z.array(functionMemProfile),
  allocations: z.array(allocationSite),
  notes: z.array(str),
  toolShare: z.object({ startRssMiB: num, plainNodeRssMiB: nullableNum, toolMiB: nullableNum }).optional(),
  allocationProfile: sampledAllocationProfile.optional(),
});

const memSample = z.object({
  tMs: num,
  rssMiB: nullableNum,
  heapUsedMiB: nullableNum,
  heapTotalMiB: nullableNum,
  externalMiB: nullableNum,
  arrayBuffersMiB: nullableNum,
});
const bracket = z.object({ name: str, startMs: num, endMs: num, open: z.boolean().optional() });

export const memRecordingSchema = z.object({
  kind: z.literal("mem-recording"),
  ...header,
  ...programExit,
  script: str.optional(),
  intervalMs: num.positive(),
  includeChildren: z.boolean(),
  samples: z.array(memSample),
  brackets: z.array(bracket),
  complete: z.boolean(),
  skippedLines: int.optional(),
  toolShare: z.object({ startRssMiB: num, plainNodeRssMiB: nullableNum, toolMiB: nullableNum }).optional(),
});

// ---- counters ---------------------------------------------------------------------------------

const perfMetric = z.object({ value: nullableNum, unit: str });
const counter = z.object({
  event: str,
  value: nullableNum,
  unit: str,
  variancePct: nullableNum,
  runningPct: nullableNum,
  status: z.enum(["counted", "not-supported", "not-counted"]),
  perfMetrics: z.array(perfMetric),
});
const numberRecord = z.record(str, num);
const derived = z.object({
  ipc: nullableNum,
  cacheMissPct: nullableNum,
  branchMissPct: nullableNum,
  stalledPerInsn: nullableNum,
  frontendIdlePct: nullableNum,
  backendIdlePct: nullableNum,
  cpusUtilized: nullableNum,
  ghz: nullableNum,
  perSecond: numberRecord,
  perItem: numberRecord.nullable(),
});
const counterGroup = z.object({
  interval: nullableNum,
  location: str.nullable(),
  cpus: nullableNum,
  cgroup: str.nullable(),
  counters: z.record(str, counter),
  derived,
});
const elapsed = z.object({
  seconds: nullableNum,
  variancePct: nullableNum,
  userSeconds: nullableNum,
  sysSeconds: nullableNum,
  runSeconds: z.array(num),
});
const hardware = z.object({
  state: z.enum(["available", "not-supported", "blocked", "perf-missing", "not-measured", "unknown"]),
  message: str.nullable(),
});
const geometry = z.object({ sizeBytes: num, assoc: num, lineBytes: num });
const cacheTotals = z.object({
  Ir: num,
  I1mr: num,
  ILmr: num,
  Dr: num,
  D1mr: num,
  DLmr: num,
  Dw: num,
  D1mw: num,
  DLmw: num,
  instructions: num,
  dataRefs: num,
  d1Misses: num,
  lldMisses: num,
  llRefs: num,
  llMisses: num,
  i1MissPct: nullableNum,
  lliMissPct: nullableNum,
  d1MissPct: nullableNum,
  lldMissPct: nullableNum,
  llMissPct: nullableNum,
  llLocalMissPct: nullableNum,
});
const simulated = z.object({
  tool: z.literal("cachegrind"),
  geometry: z.object({ I1: geometry.nullable(), D1: geometry.nullable(), LL: geometry.nullable() }),
  command: z.array(str),
  workload: cacheTotals,
  baseline: cacheTotals.nullable(),
  net: cacheTotals.nullable(),
  perItem: numberRecord.nullable(),
  exitCode: int.nullable(),
  signal: str.nullable(),
});

export const countersResultSchema = z.object({
  kind: z.literal("counters"),
  ...header,
  ...programExit,
  label: str,
  source: z.enum(["perf-stat", "parsed", "cachegrind"]),
  format: z.enum(["human", "csv", "json"]).nullable(),
  runs: int.nullable(),
  counters: z.record(str, counter),
  derived,
  groups: z.array(counterGroup),
  groupedBy: z.array(z.enum(["interval", "location", "cgroup"])),
  elapsed,
  workItems: z.object({ count: num, label: str }).nullable(),
  hardware,
  simulated: simulated.nullable(),
  perfMetricsOnly: z.array(z.object({ interval: nullableNum, values: numberRecord })),
  notes: z.array(str),
  problems: z.array(str),
});

const ratioRecord = z.record(str, nullableNum);
export const countersCompareSchema = z.object({
  kind: z.literal("counters-compare"),
  ...header,
  variants: z.array(countersResultSchema),
  ratios: z.array(z.object({ counters: ratioRecord, derived: ratioRecord, simulated: ratioRecord })),
  explanations: z
    .array(
      z.object({
        variant: str,
        against: str,
        timeRatio: num,
        summary: str,
        causes: z.array(z.object({ metric: str, before: num, after: num, ratio: num, share: num, simulated: z.boolean().optional() })),
        missing: z.array(str),
      }),
    )
    .optional(),
});

// ---- study ------------------------------------------------------------------------------------

const STUDY_CELL_STATUSES = ["ok", "failed", "unavailable", "timed-out"] as const satisfies readonly StudyCellStatus[];
const studyCell = z.object({
  variant: str,
  size: int,
  iterations: int,
  measuredIterations: int,
  scaled: z.boolean(),
  status: z.enum(STUDY_CELL_STATUSES),
  seconds: nullableNum,
  speedup: nullableNum,
  peakRssMiB: nullableNum,
  peakHeapMiB: nullableNum,
  gcCount: int.nullable(),
  checksum: nullableNum,
  checksumNote: str.optional(),
  error: str.optional(),
  cpuSeconds: nullableNum.optional(),
  coresUsed: nullableNum.optional(),
  coresIdle: nullableNum.optional(),
  allocatedBytes: nullableNum.optional(),
  gcSeconds: nullableNum.optional(),
  minorFaults: nullableNum.optional(),
  majorFaults: nullableNum.optional(),
});
const variantInfo = z.object({
  name: str,
  description: str,
  unavailable: str.optional(),
  runsAs: z.literal("program").optional(),
  against: str.optional(),
});
const studyCounters = z.object({
  variant: str,
  size: int,
  simulated: z.boolean(),
  tool: z.enum(["perf", "callgrind", "cachegrind"]).optional(),
  ipc: nullableNum,
  cacheMissPct: nullableNum,
  instructions: nullableNum,
  note: str.optional(),
  steps: int.optional(),
  warmupSteps: int.optional(),
  perStep: z.object({ instructions: num, d1Misses: nullableNum, llMisses: nullableNum, branchMispredicts: nullableNum, cacheMisses: nullableNum.optional() }).optional(),
});
const studyJit = z.object({
  variant: str,
  size: int,
  iterations: int,
  functions: z.array(z.object({ name: str, file: str, line: int, tier: z.enum(JIT_TIERS), optimizations: int })),
  deopts: z.array(z.object({ function: str, kind: str, reason: str, file: str, line: int, column: int })),
  note: str.optional(),
});
const studyExplanation = z.object({
  variant: str,
  against: str,
  size: int,
  timeRatio: num,
  summary: str,
  causes: z.array(z.object({ metric: str, before: num, after: num, ratio: num, share: num, simulated: z.boolean().optional() })),
  missing: z.array(str),
});
const machine = z.object({
  cpuModel: str,
  cores: int,
  l1dBytes: nullableNum,
  l2Bytes: nullableNum,
  l3Bytes: nullableNum,
  memoryBytes: num,
  node: str,
  os: str,
});

export const studyResultSchema = z.object({
  kind: z.literal("study"),
  ...header,
  workload: z.enum(["diffusion", "poly", "custom"]),
  baseline: str,
  variants: z.array(variantInfo),
  sizes: z.array(int),
  iterations: int,
  results: z.array(studyCell),
  counters: z.array(studyCounters),
  machine: machine.nullable(),
  aborted: z.boolean().optional(),
  jit: z.array(studyJit).optional(),
  explanations: z.array(studyExplanation).optional(),
});

/** The schema of each kind. */
export const RESULT_SCHEMAS = {
  line: lineResultSchema,
  mem: memResultSchema,
  "mem-recording": memRecordingSchema,
  counters: countersResultSchema,
  "counters-compare": countersCompareSchema,
  study: studyResultSchema,
} as const;

// ---- compile-time check: each schema describes exactly its model type --------------------------

/** The type spelled out field by field (interfaces and intersections become plain object types). */
type Plain<T> = T extends ReadonlyArray<infer U> ? Plain<U>[] : T extends object ? { [K in keyof T]: Plain<T[K]> } : T;
/** true when A and B are identical field by field: a field missing, extra, optional or of another type on either side fails. */
type Same<A, B> = (<T>() => T extends Plain<A> ? 1 : 2) extends <T>() => T extends Plain<B> ? 1 : 2 ? true : false;
type Check<T extends true> = T;
type SchemaOf<K extends keyof typeof RESULT_SCHEMAS> = z.infer<(typeof RESULT_SCHEMAS)[K]>;

export type SchemasMatchModels = [
  Check<Same<SchemaOf<"line">, ResultByKind["line"]>>,
  Check<Same<SchemaOf<"mem">, ResultByKind["mem"]>>,
  Check<Same<SchemaOf<"mem-recording">, ResultByKind["mem-recording"]>>,
  Check<Same<SchemaOf<"counters">, ResultByKind["counters"]>>,
  Check<Same<SchemaOf<"counters-compare">, ResultByKind["counters-compare"]>>,
  Check<Same<SchemaOf<"study">, ResultByKind["study"]>>,
];
