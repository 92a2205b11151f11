import { test } from "node:test";
import assert from "node:assert/strict";
import { BracketTable } from "@tsprof/mem";

/** Drive the table the way plot-collector's enter/exit do, with a fake clock. */
function harness(gapMs: number) {
  const table = BracketTable.create(8);
  const slot = table.allocate();
  const events: string[] = [];
  const onClose = (id: number, end: number) => events.push(`close ${id} @${end}`);
  return {
    table,
    events,
    enter(now: number) {
      if (Atomics.add(table.depth, slot, 1) === 0) {
        const id = table.enter(slot, now, gapMs, onClose);
        if (id !== 0) events.push(`open ${id} @${now}`);
      }
    },
    exit(now: number) {
      if (Atomics.load(table.depth, slot) === 1) table.lastExit[slot] = now;
      Atomics.sub(table.depth, slot, 1);
    },
    tick(now: number) {
      table.closeIdle(now, gapMs, onClose);
    },
    finish(now: number) {
      table.closeAll(now, onClose);
    },
  };
}

test("calls closer together than the interval merge into one bracket", () => {
  const h = harness(10);
  for (let t = 0; t < 50; t += 2) {
    h.enter(t);
    h.exit(t + 1);
  }
  h.finish(100);
  assert.deepEqual(h.events, ["open 1 @0", "close 1 @49"]);
});

test("a gap of at least the interval starts a new bracket; the old one ends at its last exit", () => {
  const h = harness(10);
  h.enter(0);
  h.exit(5);
  h.enter(30);
  h.exit(31);
  h.finish(40);
  assert.deepEqual(h.events, ["open 1 @0", "close 1 @5", "open 2 @30", "close 2 @31"]);
});

test("recursion counts once: inner exits do not end the bracket", () => {
  const h = harness(10);
  h.enter(0);
  h.enter(1);
  h.exit(2);
  h.tick(50); // still inside the outer call
  assert.deepEqual(h.events, ["open 1 @0"]);
  h.exit(60);
  h.finish(61);
  assert.deepEqual(h.events, ["open 1 @0", "close 1 @60"]);
});

test("the sampler closes an idle bracket at its true end, exactly once", () => {
  const h = harness(10);
  h.enter(0);
  h.exit(3);
  h.tick(8); // not idle long enough
  h.tick(20);
  h.tick(30);
  h.enter(40); // new bracket, nothing left to close
  h.finish(41); // still inside: ends at finish time
  assert.deepEqual(h.events, ["open 1 @0", "close 1 @3", "open 2 @40", "close 2 @41"]);
});

test("a full table gives -1 (no brackets) instead of overwriting", () => {
  const table = BracketTable.create(2);
  assert.equal(table.allocate(), 0);
  assert.equal(table.allocate(), 1);
  assert.equal(table.allocate(), -1);
  const attached = BracketTable.attach(table.buffer);
  assert.equal(attached.capacity, 2);
});
