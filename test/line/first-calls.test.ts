/** The line worker's watch for first calls (it snapshots after each): pure, over plain arrays. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FirstCallWatch } from "../../packages/line/src/shared";

function watch(functions: number, perCheck: number) {
  const views = { hits: new Float64Array(functions * 2), calls: new Float64Array(functions) };
  const w = new FirstCallWatch(views, perCheck);
  // Function i's entry slot is 2i.
  for (let i = 0; i < functions; i++) w.add(2 * i, i);
  return { views, w };
}

test("nothing called: no first call, however often it looks, and every function stays watched", () => {
  const { w } = watch(1000, 256);
  for (let i = 0; i < 10; i++) assert.equal(w.check(), false);
  assert.equal(w.waiting, 1000);
});

test("a first call anywhere among many functions is seen within ceil(n / perCheck) looks, once", () => {
  for (const called of [0, 255, 256, 700, 999]) {
    const { views, w } = watch(1000, 256);
    // One look first, so the call lands behind the cursor for some of these positions.
    assert.equal(w.check(), false);
    views.hits[2 * called] = 1;
    let looks = 0;
    let seen = false;
    while (!seen && looks < 4) {
      seen = w.check();
      looks++;
    }
    assert.ok(seen, `function ${called} seen within 4 looks`);
    assert.equal(w.waiting, 999);
    for (let i = 0; i < 8; i++) assert.equal(w.check(), false, `function ${called} reported once`);
  }
});

test("trace mode's call counters count as calls too; several first calls in one look, none lost", () => {
  const { views, w } = watch(10, 256);
  views.calls[3] = 1;
  views.hits[2 * 9] = 5;
  views.hits[0] = 1;
  assert.equal(w.check(), true);
  assert.equal(w.waiting, 7);
  assert.equal(w.check(), false);
  for (let i = 0; i < 10; i++) views.hits[2 * i] = 1;
  assert.equal(w.check(), true);
  assert.equal(w.waiting, 0);
  assert.equal(w.check(), false);
});
