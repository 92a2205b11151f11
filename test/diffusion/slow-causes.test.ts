// The study's counters: simulated ones counted over a window of steps (callgrind, instrumentation
// switched through vgdb at the points the cell child marks), and the same window for perf stat
// (its control FIFO), tried for real with software events since this VM has no hardware ones.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { explainStudy, readResultFile, type StudyCounters, type StudyResult } from "@tsprof/core";
import { countWindow, makeWindowFifos, measureSimulated, serveCallgrindWindow, slowRunTarget } from "@tsprof/diffusion";
import { parseCallgrindDump, runPerfStat } from "@tsprof/perf";

const fixture = (name: string) => path.join(__dirname, "..", "..", "fixtures", "diffusion", name);

function has(program: string, args: string[]): boolean {
  try {
    execFileSync(program, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const NO_VALGRIND = has("valgrind", ["--version"]) && has("vgdb", ["--help"]) ? false : "valgrind (with vgdb) is not installed";
const NO_PERF = has("perf", ["stat", "-e", "task-clock", "true"]) ? false : "perf cannot count here";

const target = (variant: string, size: number) => slowRunTarget({ workload: "diffusion", sizes: [size], iterations: 100 }, { name: variant, description: variant }, size);

test("a callgrind dump: totals from the cost lines, not the summary line that zeroing through vgdb leaves wrapped below 0", () => {
  // Real: `cat` under callgrind --instr-atstart=no, then vgdb: instrumentation on, zero, instrumentation off.
  const dump = parseCallgrindDump(fs.readFileSync(fixture("callgrind.out.window"), "utf8"));
  assert.deepEqual(dump.events, ["Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw", "Bc", "Bcm", "Bi", "Bim"]);
  assert.equal(dump.totals.Ir, 224);
  assert.equal(dump.totals.Bcm, 10);
  assert.equal(dump.trigger, "Program termination");
  assert.ok(dump.functions.size > 0);
  assert.deepEqual(parseCallgrindDump("not callgrind").totals, {});
});

// Bound: 1 % of the instructions. Measured here (V8 --predictable, same window): three runs of
// this cell counted 542,826 instructions each; fused at 256² 21,607,191 and 21,607,101.
test("simulated counters: two runs of the same small cell agree within 1 %, and count the steps only", { skip: NO_VALGRIND }, async () => {
  const runs = await Promise.all([measureSimulated(target("fused", 16), 3, 2), measureSimulated(target("fused", 16), 3, 2)]);
  for (const run of runs) {
    assert.ok(run.perStep, run.note);
    assert.equal(run.tool, "callgrind");
    assert.equal(run.simulated, true);
    assert.equal(run.steps, 3);
    // Node's start-up alone is over 100 M instructions under valgrind: the window holds 3 steps of a 16² grid.
    assert.ok(run.instructions! > 0 && run.instructions! < 20e6, `${run.instructions} instructions in the window`);
  }
  const [a, b] = runs.map((r) => r.instructions!);
  assert.ok(Math.abs(a - b) <= 0.01 * Math.max(a, b), `two runs: ${a} and ${b} instructions`);
});

test("the callgrind window's server answers every command, even when vgdb cannot reach the process, and says why", { skip: NO_VALGRIND }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsprof-test-"));
  try {
    const fifos = await makeWindowFifos(dir);
    assert.ok(typeof fifos !== "string", String(fifos));
    // This process is not under valgrind: there is no vgdb FIFO for it under the prefix.
    const server = serveCallgrindWindow(fifos, path.join(dir, "vgdb"), () => process.pid);
    const control = fs.openSync(fifos.controlFifo, "w");
    // Not blocking: the server answers from this same process's event loop.
    const ack = fs.openSync(fifos.ackFifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const answer = async () => {
      const buffer = Buffer.alloc(16);
      for (let waited = 0; waited < 20_000; waited += 20) {
        try {
          const n = fs.readSync(ack, buffer, 0, buffer.length, null);
          if (n > 0) return buffer.toString("utf8", 0, n);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      return "";
    };
    for (const command of ["instrument", "enable", "disable"]) {
      fs.writeSync(control, `${command}\n`);
      assert.equal(await answer(), "ack\n", command);
    }
    assert.deepEqual(server.done, []);
    assert.match(server.failure() ?? "", /^vgdb instrumentation on exited 1: /);
    server.close();
    fs.closeSync(control);
    fs.closeSync(ack);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("perf stat window: the child enables the events around its steps through the control FIFO", { skip: NO_PERF }, async () => {
  const events = ["task-clock", "page-faults"];
  const windowed = await countWindow(target("fused", 16), 3, 2, events);
  assert.ok(typeof windowed !== "string", String(windowed));
  for (const event of events) assert.equal(windowed.get(event)?.status, "counted", `${event} counted in the window`);
  // The whole run (Node's start-up, module loading, setup) faults thousands of pages; 3 steps of a 16² grid a handful.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsprof-test-"));
  try {
    const argv = target("fused", 16).argv(5, []);
    const whole = await runPerfStat({ kind: "command", label: "fused", argv, simulationArgv: argv, simulationBaselineArgv: null }, { events, repeats: 1, tempDir: dir, env: process.env, stdout: "stderr", quiet: {} });
    const wholeFaults = whole.parsed?.rows.find((r) => r.event.startsWith("page-faults"))?.value;
    assert.ok(typeof wholeFaults === "number" && wholeFaults > 1000, `whole run: ${wholeFaults} page faults`);
    assert.ok(windowed.get("page-faults")!.value! < wholeFaults / 4, `window ${windowed.get("page-faults")!.value} vs whole ${wholeFaults}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** The recorded study with its counters replaced: `perf` counted at each size, or mixed sources. */
function withCounters(counters: (variant: string, size: number) => StudyCounters | null): StudyResult {
  const study = readResultFile(fixture("study-causes-256-512.json"), "study");
  const all: StudyCounters[] = [];
  for (const size of study.sizes) for (const v of study.variants) {
    const c = counters(v.name, size);
    if (c) all.push(c);
  }
  return { ...study, counters: all };
}

const counted = (variant: string, size: number, instructions: number): StudyCounters => ({
  variant,
  size,
  simulated: false,
  tool: "perf",
  ipc: 1,
  cacheMissPct: null,
  instructions: instructions * 10,
  steps: 10,
  perStep: { instructions, d1Misses: null, llMisses: null, branchMispredicts: null, cacheMisses: instructions / 100 },
});

test("explanations say where a count came from: counted by the CPU at the cell's own size; never CPU against simulation", () => {
  // typed-roll-add -> fused: 4x fewer instructions per step at each size (figures made up for the wording).
  const perStep: Record<string, number> = { "typed-roll-add": 40e6, fused: 10e6 };
  const hardware = withCounters((v, size) => (perStep[v] ? counted(v, size, perStep[v] * (size / 256) ** 2) : null));
  const fused512 = explainStudy(hardware).find((e) => e.variant === "fused" && e.size === 512)!;
  assert.match(fused512.summary, /4\.0× fewer instructions \(\d.* → .*, counted by the CPU at 512²\)/);
  const cause = fused512.causes.find((c) => c.metric === "instructions")!;
  assert.equal(cause.simulated, undefined, "counted, not simulated");
  assert.ok(fused512.causes.some((c) => c.metric === "cacheMisses"), "the CPU's cache-misses event at the same size");
  // One side counted by the CPU, the other simulated: not compared, and said so.
  const mixed = withCounters((v, size) => (v === "fused" ? counted(v, size, 10e6) : v === "typed-roll-add" && size === 256 ? { ...counted(v, 256, 40e6), simulated: true, tool: "callgrind" } : null));
  const pair = explainStudy(mixed).find((e) => e.variant === "fused" && e.size === 256)!;
  assert.ok(!pair.causes.some((c) => c.metric === "instructions"), pair.summary);
  assert.ok(pair.missing.includes("instructions: counted by the CPU at 256² against simulated by callgrind at 256²"), pair.missing.join(" | "));
});

test("older files: counters without a tool read as cachegrind's simulation", () => {
  // Counters as files wrote them before `tool` (the recorded study's own, or stripped of it once re-recorded).
  const study = readResultFile(fixture("study-causes-256-512.json"), "study");
  const old = { ...study, counters: study.counters.map(({ tool: _tool, ...c }) => ({ ...c, simulated: true })) };
  const fused = explainStudy(old).find((e) => e.variant === "fused" && e.size === 256)!;
  assert.match(fused.summary, /simulated by cachegrind at 256²/);
});
