// Preload for the benchmark: V8's precise block coverage (call counts + block detail), the
// alternative to rewriting the source for exact counts. Started before the script, taken at exit,
// so its whole cost is in the measured wall time.
const { Session } = require("node:inspector");
const session = new Session();
session.connect();
const post = (method, params) => {
  let out;
  session.post(method, params ?? {}, (err, res) => {
    if (err) throw err;
    out = res;
  });
  return out;
};
post("Profiler.enable");
post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
process.on("exit", () => {
  const { result } = post("Profiler.takePreciseCoverage");
  let blocks = 0;
  for (const script of result) for (const fn of script.functions) blocks += fn.ranges.length;
  process.stderr.write(`precise coverage: ${result.length} scripts, ${blocks} ranges\n`);
});
