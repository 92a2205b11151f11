/**
 * `tsprof perf` end to end: the built CLI with real perf (software counters count everywhere;
 * hardware counters only where there is a PMU) and real valgrind for the simulated path.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resultFromJSON, ToolError, type CountersCompareResult, type CountersResult } from "@tsprof/core";
import {
  commandWorkload,
  DEFAULT_GEOMETRY,
  measureWorkload,
  PERF_MISSING_MESSAGE,
  probeHardwareCounters,
  scriptWorkload,
  VALGRIND_MISSING_MESSAGE,
  withTempDir,
  type MeasureOptions,
} from "@tsprof/perf";
import { BIN, fixture, ROOT, tempDir as makeTempDir, tsprof } from "../helpers/cli";

const script = (name: string) => fixture("perf", "scripts", name);
const has = (program: string) => {
  try {
    execFileSync(program, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const PERF = has("perf");
const VALGRIND = has("valgrind");
const NO_PERF = PERF ? false : "perf is not installed (apt-get install linux-perf)";
const NO_VALGRIND = VALGRIND ? false : "valgrind is not installed (apt-get install valgrind)";

const made: string[] = [];
/** A private temp dir, removed when the tests end. */
function tempDir(): string {
  const dir = makeTempDir();
  made.push(dir);
  return dir;
}
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function json<T = CountersResult>(stdout: string): T {
  return resultFromJSON(stdout, "stdout") as unknown as T;
}

/** One line on stderr, exit 2, no stack trace. */
function assertUsageError(args: string[], pattern: RegExp): void {
  const r = tsprof(args);
  assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line expected:\n${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

test("usage errors: one line, exit 2", () => {
  assertUsageError(["perf"], /^tsprof: no script given/);
  assertUsageError(["perf", "no-such-script.ts"], /cannot open script 'no-such-script\.ts'/);
  assertUsageError(["perf", "-r", "0", script("tiny-loop.js")], /--repeat expects a positive whole number/);
  assertUsageError(["perf", "--compare", script("grid-rows.ts")], /--compare needs at least two scripts/);
  assertUsageError(["perf", "--per", "lots", script("tiny-loop.js")], /--per: expected a positive number/);
  assertUsageError(["perf", "--ll", "1000,3,64", script("tiny-loop.js")], /--ll expects size,assoc,line_size/);
  assertUsageError(["perf", "--", "tsprof-no-such-command", "x"], /command not found: tsprof-no-such-command/);
  assertUsageError(["perf", "parse", "/nonexistent/perf.txt"], /cannot read \/nonexistent\/perf\.txt: ENOENT/);
  assertUsageError(["perf", "parse", fixture("perf", "collected", "error_local_perf6.1_bad_event.txt")], /no perf stat or cachegrind counters found/);
  assertUsageError(["perf", "--bogus-flag", script("tiny-loop.js")], /unknown option '--bogus-flag'/);
});

test("an unknown event is a usage error naming it, without perf's usage text", { skip: NO_PERF }, () => {
  assertUsageError(["perf", "-e", "task-clock,bogus_event", "--no-simulate", script("tiny-loop.js")], /perf does not know the event 'bogus_event'/);
});

test("perf parse: the table, --json keyed by event with named metrics, -o for tsprof show", () => {
  const file = fixture("perf", "book-example-6-15-human.txt");
  const text = tsprof(["perf", "parse", file]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /cycles\s+7,864,072,570\s+3\.330 GHz/);
  assert.match(text.stdout, /1\.69 insn per cycle/);

  const machine = tsprof(["perf", "parse", "--json", file]);
  assert.equal(machine.code, 0, machine.stderr);
  const r = json(machine.stdout);
  assert.equal(r.kind, "counters");
  assert.equal(r.counters["cache-misses"].value, 2886525);
  assert.equal(r.format, "human");
  assert.ok(Math.abs((r.derived.ipc ?? 0) - 13257488848 / 7864072570) < 1e-12);
  for (const name of ["ipc", "cacheMissPct", "branchMissPct", "stalledPerInsn", "frontendIdlePct", "backendIdlePct", "cpusUtilized"]) {
    assert.equal(typeof (r.derived as unknown as Record<string, unknown>)[name], "number", name);
  }

  const out = join(tempDir(), "saved.json");
  const saved = tsprof(["perf", "parse", fixture("perf", "vm-no-pmu-json.txt"), "-o", out]);
  assert.equal(saved.code, 0, saved.stderr);
  assert.equal(json(readFileSync(out, "utf8")).counters["task-clock"].value, 81.262714);
});

test("perf parse reads cachegrind output as simulated caches", () => {
  const r = tsprof(["perf", "parse", fixture("perf", "collected", "cachegrind_out_local_valgrind319.txt")]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /SIMULATED/);
  assert.match(r.stdout, /D1 misses\s+132,795\s+11\.51%/);
  assert.match(r.stdout, /LL 256 MiB direct-mapped 64 B lines/);
});

test("software counters of a script, repeated, with the work items it declares", { skip: NO_PERF }, () => {
  const r = tsprof(["perf", "--no-simulate", "-r", "2", "--json", script("tiny-loop.js"), "--", "5000"]);
  assert.equal(r.code, 0, r.stderr);
  // --json keeps stdout for the result: the script's own output went to stderr.
  assert.match(r.stderr, /sum 6248750/);
  const result = json(r.stdout);
  assert.equal(result.runs, 2);
  assert.equal(result.counters["task-clock"].status, "counted");
  assert.ok((result.counters["task-clock"].value ?? 0) > 1, "node runs for more than 1 ms");
  assert.ok((result.counters.faults.value ?? 0) > 100, "node start-up faults in pages");
  assert.equal(typeof result.counters["task-clock"].variancePct, "number");
  assert.ok((result.elapsed.seconds ?? 0) > 0);
  assert.deepEqual(result.workItems, { count: 5000, label: "element" });
  assert.equal(result.derived.perItem?.faults, (result.counters.faults.value ?? 0) / 5000);
  assert.equal(result.simulated, null);
  assert.equal(result.exitCode, 0);
});

test("a TypeScript script runs through tsprof's loader", { skip: NO_PERF }, () => {
  const r = tsprof(["perf", "--no-simulate", "-r", "1", script("grid-rows.ts"), "--", "32"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rows sum 3067/);
  assert.match(r.stdout, /Performance counter stats for '.*grid-rows\.ts'/);
  assert.match(r.stdout, /task-clock\s+[\d.,]+\s+msec/);
});

test("the workload's failure: its exit code comes back, the counters are still printed", { skip: NO_PERF }, () => {
  const r = tsprof(["perf", "--no-simulate", "-r", "3", script("exit-code.js"), "--", "5"]);
  assert.equal(r.code, 5);
  assert.match(r.stdout, /task-clock/);
  assert.match(r.stderr, /tsprof: .*exit-code\.js exited with code 5/);
  assert.match(r.stdout, /the workload failed in run 1: not repeated/);
  const cmd = tsprof(["perf", "--no-simulate", "-r", "1", "--", process.execPath, "-e", "process.exit(4)"]);
  assert.equal(cmd.code, 4);
});

test("arguments are text, never shell: spaces, ';' and $() arrive unchanged", { skip: NO_PERF }, () => {
  const dir = tempDir();
  const tricky = ["a b", "x; touch pwned", "$(touch pwned2)", "`id`", "--not-an-option"];
  const out1 = join(dir, "script args.json");
  const r1 = tsprof(["perf", "--no-simulate", "-r", "1", script("echo-args.js"), "--", out1, ...tricky], { cwd: dir });
  assert.equal(r1.code, 0, r1.stderr);
  assert.deepEqual(JSON.parse(readFileSync(out1, "utf8")), tricky);
  const out2 = join(dir, "command args.json");
  const r2 = tsprof(["perf", "--no-simulate", "-r", "1", "--", process.execPath, script("echo-args.js"), out2, ...tricky], { cwd: dir });
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(JSON.parse(readFileSync(out2, "utf8")), tricky);
  assert.throws(() => readFileSync(join(dir, "pwned")), /ENOENT/);
  assert.throws(() => readFileSync(join(dir, "pwned2")), /ENOENT/);
});

test("--compare: one side-by-side table with ratios to the first", { skip: NO_PERF }, () => {
  const r = tsprof(["perf", "--compare", "--no-simulate", "-r", "1", "--json", script("grid-rows.ts"), script("grid-cols.ts"), "--", "64"]);
  assert.equal(r.code, 0, r.stderr);
  const result = json<CountersCompareResult>(r.stdout);
  assert.equal(result.kind, "counters-compare");
  assert.deepEqual(result.variants.map((v) => v.label.split("/").pop()), ["grid-rows.ts", "grid-cols.ts"]);
  assert.equal(result.ratios[0].counters["task-clock"], 1);
  const t0 = result.variants[0].counters["task-clock"].value!;
  const t1 = result.variants[1].counters["task-clock"].value!;
  assert.equal(result.ratios[1].counters["task-clock"], t1 / t0);

  const text = tsprof(["perf", "--compare", "--no-simulate", "-r", "1", script("grid-rows.ts"), script("grid-cols.ts"), "--", "16"]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Comparing 2 variants/);
  assert.match(text.stdout, /task-clock\s+[\d.,]+\s+[\d.,]+\s+[\d.]+x/);
});

test("Ctrl-C: the runs measured so far are printed, the workload's signal reported", { skip: NO_PERF }, async () => {
  const dir = tempDir();
  const waiter = join(dir, "wait.js");
  writeFileSync(waiter, "console.log('ready'); setTimeout(() => {}, 60000);\n");
  // Its own process group, like a shell job, so the test can Ctrl-C the group.
  const child = spawn(process.execPath, [BIN, "perf", "--no-simulate", "-r", "3", waiter], { cwd: ROOT, detached: true, env: { ...process.env, NO_COLOR: "1" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (stdout.includes("ready")) {
        clearInterval(poll);
        setTimeout(resolve, 300);
      }
    }, 50);
  });
  // A terminal's Ctrl-C goes to the whole foreground process group.
  process.kill(-child.pid!, "SIGINT");
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  assert.equal(code, 130, stderr);
  assert.match(stdout, /task-clock\s+[\d.,]+\s+msec/);
  assert.match(stdout, /interrupted \(Ctrl-C\): 1 of 3 runs measured/);
  assert.match(stderr, /killed by SIGINT/);
});

test("hardware counters where the machine has a PMU", async (t) => {
  const probe = PERF ? await probeHardwareCounters() : { available: false, reason: "perf is not installed" };
  if (!probe.available) {
    t.skip(`no hardware counters here: ${probe.reason}`);
    return;
  }
  const r = tsprof(["perf", "--no-simulate", "-r", "2", "--json", script("tiny-loop.js"), "--", "200000"]);
  assert.equal(r.code, 0, r.stderr);
  const result = json(r.stdout);
  assert.equal(result.hardware.state, "available");
  assert.ok((result.counters.instructions.value ?? 0) > 200000 * 2, "at least a couple of instructions per element");
  assert.ok((result.derived.ipc ?? 0) > 0 && (result.derived.ipc ?? 0) < 10, `IPC ${result.derived.ipc}`);
});

test("on this machine without a PMU, the reason is one line with the fix", { skip: NO_PERF }, async (t) => {
  const probe = await probeHardwareCounters();
  if (probe.available) {
    t.skip("this machine has hardware counters");
    return;
  }
  const r = tsprof(["perf", "--no-simulate", "-r", "1", "--json", script("tiny-loop.js"), "--", "100"]);
  assert.equal(r.code, 0, r.stderr);
  const result = json(r.stdout);
  assert.equal(result.hardware.state, "not-supported");
  assert.match(result.hardware.message ?? "", /Fix: /);
  assert.equal(result.counters.instructions.status, "not-supported");
  assert.equal(result.counters["task-clock"].status, "counted");
});

const measureOptions = (over: Partial<MeasureOptions>): MeasureOptions => ({
  events: ["task-clock"],
  repeats: 1,
  simulate: "auto",
  workItems: null,
  command: ["perf"],
  stdout: "stderr",
  ...over,
});

test("perf missing and valgrind missing: a clear message naming what to install", async () => {
  await withTempDir(async (dir) => {
    const workload = commandWorkload([process.execPath, "-e", "0"]);
    await assert.rejects(
      measureWorkload(workload, measureOptions({ perf: "tsprof-no-such-perf", valgrind: "tsprof-no-such-valgrind" }), dir),
      (err: unknown) => err instanceof ToolError && err.message.includes(PERF_MISSING_MESSAGE) && err.message.includes(VALGRIND_MISSING_MESSAGE),
    );
    await assert.rejects(
      measureWorkload(workload, measureOptions({ perf: "tsprof-no-such-perf", simulate: "never" }), dir),
      (err: unknown) => err instanceof ToolError && err.message === PERF_MISSING_MESSAGE,
    );
  });
});

test("valgrind missing while perf works: the software counters are kept, the note says why", { skip: NO_PERF }, async () => {
  await withTempDir(async (dir) => {
    const workload = scriptWorkload(script("tiny-loop.js"), ["100"], dir);
    const r = await measureWorkload(workload, measureOptions({ simulate: "always", valgrind: "tsprof-no-such-valgrind" }), dir);
    assert.equal(r.counters["task-clock"].status, "counted");
    assert.equal(r.simulated, null);
    assert.ok(r.notes.includes(VALGRIND_MISSING_MESSAGE), r.notes.join("\n"));
  });
});

test("simulated caches under real valgrind: explicit geometry, node start-up subtracted", { skip: NO_VALGRIND || NO_PERF }, () => {
  const n = 20000;
  const r = tsprof(["perf", "--simulate", "-r", "1", "--json", "-e", "task-clock", "--per", `${n}:element`, script("tiny-loop.js"), "--", String(n)], {
    timeoutMs: 600_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /simulating caches with valgrind cachegrind/);
  const result = json(r.stdout);
  const sim = result.simulated;
  assert.ok(sim, "simulated section present");
  assert.deepEqual(sim.geometry, DEFAULT_GEOMETRY, "the geometry asked for is the geometry simulated");
  assert.ok(sim.baseline && sim.net, "baseline and net");
  assert.ok(sim.baseline.instructions > 1e8, `node start-up is hundreds of millions of instructions (${sim.baseline.instructions})`);
  assert.equal(sim.net.instructions, sim.workload.instructions - sim.baseline.instructions);
  assert.equal(sim.net.d1Misses, sim.workload.d1Misses - sim.baseline.d1Misses);
  // Two loops over n doubles: at least a few instructions each, and far less than start-up.
  assert.ok(sim.net.instructions > 2 * n, `net instructions ${sim.net.instructions}`);
  assert.ok(sim.net.instructions < sim.baseline.instructions, `net ${sim.net.instructions} vs start-up ${sim.baseline.instructions}`);
  assert.equal(sim.perItem?.instructions, sim.net.instructions / n);
  assert.equal(sim.exitCode, 0);
  assert.ok(sim.command.includes("--cache-sim=yes") && sim.command.includes("--D1=32768,8,64"));
  assert.ok(sim.command.includes("--predictable"), "node runs deterministic under cachegrind");
});
