/**
 * The hybrid mode's line sampler, run in a worker thread of the profiled program. Every interval it
 * reads the shadow stack the instrumented code keeps in shared memory (stack[0] = depth,
 * stack[d] = the slot frame d is on) and adds the elapsed wall time to every slot on the stack, once
 * each: so a line's time includes the functions it calls, as in line_profiler, at the cost of a
 * store per statement in the profiled program instead of a clock read.
 */
export const LINE_SAMPLER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { performance } = require("node:perf_hooks");
const stack = new Int32Array(workerData.stackBuffer);
const time = new Float64Array(workerData.timeBuffer);
const control = new Int32Array(workerData.controlBuffer);
const waitMs = workerData.intervalUs / 1000;
const seen = new Int32Array(4096);
let last = performance.now();
Atomics.store(control, 1, 1);
Atomics.notify(control, 1);
while (Atomics.load(control, 0) === 0) {
  Atomics.wait(control, 0, 0, waitMs);
  const now = performance.now();
  const dt = now - last;
  last = now;
  let depth = stack[0];
  if (depth <= 0) continue;
  if (depth >= stack.length) depth = stack.length - 1;
  let n = 0;
  outer: for (let d = 1; d <= depth; d++) {
    const slot = stack[d];
    for (let i = 0; i < n; i++) if (seen[i] === slot) continue outer;
    if (n < seen.length) seen[n++] = slot;
    time[slot] += dt;
  }
}
`;
