import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyStudyEvent,
  createState,
  finishWith,
  moveSelection,
  partialResult,
  resetForRerun,
  stopStudy,
  type DashboardState,
} from "@tsprof/dashboard";
import type { StudyResult } from "@tsprof/core";
import { cell, studyEvents, TWO_VARIANTS } from "./helpers";

const setup = { workload: "diffusion" as const, variants: TWO_VARIANTS, sizes: [32, 64], iterations: 5 };

function fold(events = studyEvents(), upTo = events.length): DashboardState {
  let state = createState(setup, 1000);
  events.slice(0, upTo).forEach((e, i) => (state = applyStudyEvent(state, e, 1000 + i * 10)));
  return state;
}

test("a new state has every cell pending and the first variant as baseline", () => {
  const state = createState(setup, 0);
  assert.equal(state.baseline, "nested");
  assert.equal(state.total, 4);
  assert.equal(state.completed, 0);
  assert.equal(state.phase, "starting");
});

test("cell-start and cell-progress set the running cell; cell-done records it and clears it", () => {
  const events = studyEvents();
  let state = fold(events, 1);
  assert.deepEqual([state.current?.variant, state.current?.size, state.current?.index], ["nested", 32, 0]);
  assert.equal(state.phase, "running");
  state = fold(events, 2);
  assert.equal(state.current?.done, 2);
  assert.equal(state.current?.of, 5);
  state = fold(events, 3);
  assert.equal(state.current, null);
  assert.equal(state.completed, 1);
  assert.equal(state.cells[0].seconds, 0.02);
});

test("all events: every cell recorded once, in the runner's numbers", () => {
  const state = fold();
  assert.equal(state.completed, 4);
  assert.deepEqual(
    state.cells.map((c) => [c.variant, c.size, c.speedup]),
    [["nested", 32, 1], ["nested", 64, 1], ["fused", 32, 5], ["fused", 64, 8]],
  );
});

test("a cell reported twice replaces the earlier report", () => {
  let state = fold();
  state = applyStudyEvent(state, { type: "cell-done", cell: cell("fused", 64, 0.02, 4), index: 3, total: 4 }, 5000);
  assert.equal(state.cells.length, 4);
  assert.equal(state.cells.find((c) => c.variant === "fused" && c.size === 64)?.seconds, 0.02);
});

test("counters events keep one entry per variant and size", () => {
  let state = fold();
  const c = { variant: "fused", size: 32, simulated: true, ipc: 1.5, cacheMissPct: 2, instructions: 1e6 };
  state = applyStudyEvent(state, { type: "counters", counters: c }, 0);
  state = applyStudyEvent(state, { type: "counters", counters: { ...c, ipc: 1.7 } }, 0);
  assert.equal(state.counters.length, 1);
  assert.equal(state.counters[0].ipc, 1.7);
});

test("done takes the runner's result and keeps the machine read here when the result has none", () => {
  let state = fold();
  const machine = { cpuModel: "X", cores: 2, l1dBytes: null, l2Bytes: null, l3Bytes: 1 << 25, memoryBytes: 1, node: "v20", os: "linux" };
  state = { ...state, machine };
  const result: StudyResult = { ...partialResult(state, ["dashboard"]), machine: null };
  state = finishWith(state, result, 9000);
  assert.equal(state.phase, "done");
  assert.equal(state.result?.machine?.cpuModel, "X");
  assert.equal(state.finishedAtMs, 9000);
});

test("variants of a user module appear as the runner reports them; the first is the baseline", () => {
  let state = createState({ workload: "custom", variants: [], sizes: [16], iterations: 3 }, 0);
  state = applyStudyEvent(state, { type: "cell-start", variant: "mine-slow", size: 16, index: 0, total: 2 }, 0);
  state = applyStudyEvent(state, { type: "cell-done", cell: cell("mine-fast", 16, 0.1, 2), index: 1, total: 2 }, 0);
  assert.deepEqual(state.variants.map((v) => v.name), ["mine-slow", "mine-fast"]);
  assert.equal(state.baseline, "mine-slow");
});

test("selection moves and stays inside the variant list", () => {
  let state = fold();
  state = moveSelection(state, -1);
  assert.equal(state.selected, 0);
  state = moveSelection(state, 1);
  assert.equal(state.selected, 1);
  state = moveSelection(state, 5);
  assert.equal(state.selected, 1);
});

test("rerun clears the cells but keeps selection and machine; stop keeps what was measured", () => {
  let state = fold(studyEvents(), 6);
  state = moveSelection(state, 1);
  const stopped = stopStudy(state, "aborted", null, 2000);
  assert.equal(stopped.phase, "aborted");
  assert.equal(stopped.cells.length, 2);
  const again = resetForRerun(stopped, 3000);
  assert.equal(again.cells.length, 0);
  assert.equal(again.selected, 1);
  assert.equal(again.phase, "starting");
  assert.equal(again.startedAtMs, 3000);
});

test("partialResult is a study result with only the measured cells", () => {
  const state = fold(studyEvents(), 6);
  const result = partialResult(state, ["dashboard", "--sizes", "32,64"]);
  assert.equal(result.kind, "study");
  assert.equal(result.results.length, 2);
  assert.equal(result.baseline, "nested");
  assert.deepEqual(result.command, ["dashboard", "--sizes", "32,64"]);
});
