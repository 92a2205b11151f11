import type {
  MachineInfo,
  StudyCell,
  StudyCounters,
  StudyEvent,
  StudyJit,
  StudyResult,
  VariantInfo,
} from "@tsprof/core";
import { SCHEMA_VERSION, explainStudy, type StudyExplanation } from "@tsprof/core";
import type { PaneName } from "./layout";

/**
 * The dashboard's whole state, as plain data. StudyEvents and key presses produce a new state
 * through the pure functions below; the render functions turn a state into strings; blessed only
 * places those strings. Nothing here knows about terminals.
 */

/** The cell running now, from cell-start / cell-progress events. */
export interface CellProgress {
  variant: string;
  size: number;
  /** 0-based index of the cell in the study, and the number of cells. */
  index: number;
  total: number;
  /** Iterations done of `of` (0 of 0 until the first progress event). */
  done: number;
  of: number;
  /** Elapsed time of the cell as reported by the runner. */
  elapsedMs: number;
  /** Wall clock when the cell started, so the view can tick between progress events. */
  startedAtMs: number;
}

/** A line profile (`p`) or memory plot (`m`) of the selected variant, run on demand. */
export interface ActionState {
  kind: "line" | "mem";
  variant: string;
  status: "running" | "done" | "failed" | "unavailable";
  /** What the pane shows: the profile text, the plot path, or why it is unavailable. */
  lines: string[];
  /** PNG of the memory plot, when one was written. */
  path?: string;
}

export type StudyPhase = "starting" | "running" | "done" | "aborted" | "failed";

export interface DashboardState {
  workload: StudyResult["workload"];
  variants: VariantInfo[];
  /** Speedups are against this variant (the first one). */
  baseline: string;
  sizes: number[];
  iterations: number;
  /** Completed cells in completion order (one per variant and size at most). */
  cells: StudyCell[];
  current: CellProgress | null;
  completed: number;
  total: number;
  counters: StudyCounters[];
  /** JIT state per variant, as the study's slow measurements report it. */
  jit: StudyJit[];
  /** Each variant against the one before it, recomputed (by core) whenever a cell or cause arrives. */
  explanations: StudyExplanation[];
  /** The pane shown alone (number keys); null: the grid, where it fits. */
  focus: PaneName | null;
  /** Why counters are missing, when they are ("counters: n/a (reason)"). */
  countersNote: string | null;
  machine: MachineInfo | null;
  /** Index into `variants` of the selected variant. */
  selected: number;
  phase: StudyPhase;
  /** One line shown in the footer: a failure, a saved file, an action's outcome. */
  message: string | null;
  startedAtMs: number;
  finishedAtMs: number | null;
  /** The finished study, when it finished. */
  result: StudyResult | null;
  action: ActionState | null;
}

export interface StudySetup {
  workload: StudyResult["workload"];
  variants: VariantInfo[];
  sizes: number[];
  iterations: number;
}

export function createState(setup: StudySetup, nowMs: number): DashboardState {
  return {
    workload: setup.workload,
    variants: setup.variants,
    baseline: setup.variants[0]?.name ?? "",
    sizes: setup.sizes,
    iterations: setup.iterations,
    cells: [],
    current: null,
    completed: 0,
    total: setup.variants.length * setup.sizes.length,
    counters: [],
    jit: [],
    explanations: [],
    focus: null,
    countersNote: null,
    machine: null,
    selected: 0,
    phase: "starting",
    message: null,
    startedAtMs: nowMs,
    finishedAtMs: null,
    result: null,
    action: null,
  };
}

/** Fold one StudyEvent into the state; the explanations follow every new cell, counter or JIT state. */
export function applyStudyEvent(state: DashboardState, event: StudyEvent, nowMs: number): DashboardState {
  const next = foldEvent(state, event, nowMs);
  if (event.type === "cell-done" || event.type === "counters" || event.type === "jit") {
    return { ...next, explanations: explainStudy(partialResult(next, [])) };
  }
  return next;
}

function foldEvent(state: DashboardState, event: StudyEvent, nowMs: number): DashboardState {
  switch (event.type) {
    case "cell-start":
      return {
        ...withVariant(state, event.variant),
        phase: "running",
        total: event.total,
        current: {
          variant: event.variant,
          size: event.size,
          index: event.index,
          total: event.total,
          done: 0,
          of: 0,
          elapsedMs: 0,
          startedAtMs: nowMs,
        },
      };
    case "cell-progress": {
      const current = state.current;
      const same = current !== null && current.variant === event.variant && current.size === event.size;
      return {
        ...state,
        phase: "running",
        current: {
          variant: event.variant,
          size: event.size,
          index: same ? current.index : state.completed,
          total: same ? current.total : state.total,
          done: event.done,
          of: event.of,
          elapsedMs: event.elapsedMs,
          startedAtMs: same ? current.startedAtMs : nowMs - event.elapsedMs,
        },
      };
    }
    case "cell-done": {
      state = withVariant(state, event.cell.variant);
      const cells = state.cells.filter((c) => !(c.variant === event.cell.variant && c.size === event.cell.size));
      cells.push(event.cell);
      const current =
        state.current && state.current.variant === event.cell.variant && state.current.size === event.cell.size
          ? null
          : state.current;
      return { ...state, cells, current, completed: cells.length, total: event.total };
    }
    case "counters": {
      const counters = state.counters.filter(
        (c) => !(c.variant === event.counters.variant && c.size === event.counters.size),
      );
      counters.push(event.counters);
      return { ...state, counters, countersNote: null };
    }
    case "jit": {
      const jit = state.jit.filter((j) => j.variant !== event.jit.variant);
      jit.push(event.jit);
      return { ...state, jit };
    }
    case "done":
      return finishWith(state, event.result, nowMs);
  }
}

/**
 * A user module's variants are known only once the runner reports them: add a row for a variant
 * seen for the first time (the first one becomes the baseline).
 */
function withVariant(state: DashboardState, name: string): DashboardState {
  if (state.variants.some((v) => v.name === name)) return state;
  const variants = [...state.variants, { name, description: "" }];
  return { ...state, variants, baseline: state.baseline || name };
}

/**
 * The study finished: take its result as the truth (cells, counters, variants as the runner saw
 * them), keeping the machine info gathered here when the runner left it empty.
 */
export function finishWith(state: DashboardState, result: StudyResult, nowMs: number): DashboardState {
  const machine = result.machine ?? state.machine;
  return {
    ...state,
    variants: result.variants.length > 0 ? result.variants : state.variants,
    baseline: result.baseline || state.baseline,
    cells: result.results,
    counters: result.counters.length > 0 ? result.counters : state.counters,
    jit: result.jit ?? state.jit,
    completed: result.results.length,
    current: null,
    phase: "done",
    finishedAtMs: state.finishedAtMs ?? nowMs,
    result: { ...result, machine },
    machine,
    explanations: result.explanations ?? explainStudy(result),
  };
}

/** The study stopped early: by the user (aborted) or by an error (failed, with its message). */
export function stopStudy(state: DashboardState, phase: "aborted" | "failed", message: string | null, nowMs: number): DashboardState {
  return { ...state, phase, current: null, finishedAtMs: nowMs, message: message ?? state.message };
}

/** Start over for `r`: same setup, no cells, keep machine info, selection and counters note. */
export function resetForRerun(state: DashboardState, nowMs: number): DashboardState {
  return {
    ...createState(state, nowMs),
    variants: state.variants,
    baseline: state.baseline,
    machine: state.machine,
    selected: state.selected,
    focus: state.focus,
    countersNote: state.countersNote,
    message: "rerunning",
  };
}

export function setMachine(state: DashboardState, machine: MachineInfo): DashboardState {
  return { ...state, machine };
}

export function setCountersNote(state: DashboardState, note: string | null): DashboardState {
  return { ...state, countersNote: note };
}

export function setMessage(state: DashboardState, message: string | null): DashboardState {
  return { ...state, message };
}

export function setAction(state: DashboardState, action: ActionState | null): DashboardState {
  return { ...state, action };
}

/** Move the selection by `delta` rows, clamped to the variant list. */
export function moveSelection(state: DashboardState, delta: number): DashboardState {
  if (state.variants.length === 0) return state;
  const selected = Math.min(state.variants.length - 1, Math.max(0, state.selected + delta));
  return selected === state.selected ? state : { ...state, selected };
}

export function selectedVariant(state: DashboardState): VariantInfo | null {
  return state.variants[state.selected] ?? null;
}

export function findCell(state: DashboardState, variant: string, size: number): StudyCell | undefined {
  return state.cells.find((c) => c.variant === variant && c.size === size);
}

/**
 * The study as far as it got, for an interrupted run: the cells measured so far. Speedups are the
 * runner's (computed when each cell finished), never recomputed here.
 */
export function partialResult(state: DashboardState, command: string[]): StudyResult {
  return {
    kind: "study",
    schemaVersion: SCHEMA_VERSION,
    command,
    startedAt: new Date(state.startedAtMs).toISOString(),
    workload: state.workload,
    baseline: state.baseline,
    variants: state.variants,
    sizes: state.sizes,
    iterations: state.iterations,
    results: state.cells,
    counters: state.counters,
    jit: state.jit,
    explanations: state.explanations,
    machine: state.machine,
  };
}

/** Show `pane` alone (a number key), or the grid again (null). */
export function focusPane(state: DashboardState, pane: PaneName | null): DashboardState {
  return pane === state.focus ? state : { ...state, focus: pane };
}
