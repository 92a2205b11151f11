import { test } from "node:test";
import assert from "node:assert/strict";
import { sampleDurationsUs } from "@tsprof/core";

test("sample durations: each sample lasts until the next, the last until the profile's end", () => {
  assert.deepEqual(sampleDurationsUs({ startTime: 1000, endTime: 1700, timeDeltas: [100, 200, 300] }), [200, 300, 100]);
  // The profile stopped before its last sample's stamp: the last sample lasts 0, not a negative time.
  assert.deepEqual(sampleDurationsUs({ startTime: 0, endTime: 250, timeDeltas: [100, 200] }), [200, 0]);
});

test("sample durations: a sample stamped before the one before it (V8 does this now and then) lasts 0", () => {
  // Times 100, 400, 350, 600: the sample at 400 lasts until 350, which is 0, never negative.
  const d = sampleDurationsUs({ startTime: 0, endTime: 600, timeDeltas: [100, 300, -50, 250] });
  assert.deepEqual(d, [300, 0, 250, 0]);
  // So the durations sum to the span plus the time that ran backwards (50).
  assert.equal(d.reduce((a, x) => a + x, 0), 600 - 100 + 50);
});
