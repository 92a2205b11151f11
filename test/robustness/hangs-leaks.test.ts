/**
 * Hangs and leaks: a dashboard variant whose step(), setup() or module load never returns is cut at
 * its budget and the study goes on; stopping a measurement (dashboard quit, SIGTERM) leaves nothing
 * in $TMPDIR; valgrind runs leave no vgdb-pipe FIFOs even when killed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { listCustomVariants } from "@tsprof/diffusion";
import { BIN, readJson, tempDir, tsprof } from "../helpers/cli";
import { assertNoTrace } from "./helpers";

const HANGING = `
export const ok = { setup(n: number) { this.n = n; }, step() { this.n++; }, checksum() { return 1; }, n: 0 };
export const hangStep = { setup(n: number) {}, step() { for (;;) {} } };
export const hangSetup = { setup(n: number) { for (;;) {} }, step() {} };
`;

test("dashboard: a step() or setup() that never returns is cut at the cell budget, marked timed-out, the study goes on", () => {
  const dir = tempDir();
  try {
    const module = join(dir, "hanging.ts");
    writeFileSync(module, HANGING);
    const json = join(dir, "study.json");
    const r = tsprof(["dashboard", module, "--headless", "--causes", "none", "--sizes", "8", "--iterations", "3", "--cell-budget", "1", "--json", json], { timeoutMs: 90_000 });
    assert.equal(r.signal, null, "the dashboard hung");
    assert.equal(r.code, 0, r.stderr);
    assertNoTrace(r.stderr);
    const study = readJson(json);
    const status = Object.fromEntries(study.results.map((c: { variant: string; status: string }) => [c.variant, c.status]));
    assert.deepEqual(status, { ok: "ok", hangStep: "timed-out", hangSetup: "timed-out" });
    for (const c of study.results.filter((c: { status: string }) => c.status === "timed-out")) assert.match(c.error, /no result within/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a variants module whose load never returns is given up on, in one line (exit 2 in the CLI)", async () => {
  const dir = tempDir();
  try {
    const module = join(dir, "load-hangs.ts");
    writeFileSync(module, "for (;;) {}\nexport const x = { setup() {}, step() {} };\n");
    await assert.rejects(listCustomVariants(module, 3000), (err: Error) => /did not finish within 3 s/.test(err.message) && (err as { exitCode?: number }).exitCode === 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the dashboard saves a NaN checksum as null and says so in one line", () => {
  const dir = tempDir();
  try {
    const module = join(dir, "nan.ts");
    writeFileSync(module, "export const nanny = { setup(n: number) {}, step() {}, checksum() { return NaN; } };\n");
    const json = join(dir, "study.json");
    const r = tsprof(["dashboard", module, "--headless", "--causes", "none", "--sizes", "8", "--iterations", "2", "--json", json], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /tsprof: 1 checksum is not a finite number \(nanny @ 8: checksum\(\) returned NaN\): saved as null/);
    assert.equal(readJson(json).results[0].checksum, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Command lines of every live descendant of `pid` (Linux /proc). */
function descendants(pid: number): string[] {
  const found: string[] = [];
  let kids: string[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  } catch {
    return found; // gone meanwhile
  }
  for (const kid of kids) {
    try {
      found.push(readFileSync(`/proc/${kid}/cmdline`, "utf8").split("\0").join(" "));
    } catch {
      continue;
    }
    found.push(...descendants(Number(kid)));
  }
  return found;
}

/** Poll `condition` every 50 ms until it holds or `timeoutMs` passes; true when it held. */
async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (condition()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((res) => setTimeout(res, 50));
  }
}

/**
 * Start tsprof with a private TMPDIR; once the measured program runs under it (a descendant whose
 * command line has `running`) and `ms` more have passed, stop it with `signal`; resolve when it is
 * gone. Waiting for the program, not a fixed time from the start, so that a slow start (a loaded
 * machine) still gets the signal where the test means it: while the program is measured.
 */
function stopAfter(args: string[], tmp: string, signal: NodeJS.Signals, running: string, ms: number, group = false): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TMPDIR: tmp, NO_COLOR: "1" }, stdio: ["ignore", "ignore", "pipe"], detached: group });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    let closed = false;
    child.on("close", (code, sig) => {
      closed = true;
      resolve({ code, signal: sig, stderr });
    });
    void waitUntil(() => closed || descendants(child.pid!).some((cmd) => cmd.includes(running)), 60_000).then(() =>
      setTimeout(() => {
        if (!closed) group ? process.kill(-child.pid!, signal) : child.kill(signal);
      }, ms),
    );
  });
}

test("perf stopped by SIGTERM or SIGHUP mid-simulation removes its temp dir", async () => {
  for (const sig of ["SIGTERM", "SIGHUP"] as const) {
    const tmp = tempDir();
    try {
      const r = await stopAfter(["perf", "--simulate", "-r", "1", "--", "sleep", "3"], tmp, sig, "sleep 3", 300);
      assert.ok(r.signal === sig || r.code === (sig === "SIGTERM" ? 143 : 129), `${sig}: ${JSON.stringify(r)}`);
      assertNoTrace(r.stderr);
      // valgrind (signalled too, as the terminal or the dashboard would) may take a moment to go.
      await waitUntil(() => readdirSync(tmp).length === 0, 10_000);
      assert.deepEqual(readdirSync(tmp), [], `${sig} left ${readdirSync(tmp).join(", ")}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
});

test("valgrind killed mid-run (SIGKILL to the whole group) leaves no vgdb-pipe FIFOs", async () => {
  const tmp = tempDir();
  try {
    // Killed while valgrind runs the program (that is when its vgdb pipes exist).
    await stopAfter(["perf", "--simulate", "-r", "1", "--", "sleep", "3"], tmp, "SIGKILL", "valgrind", 300, true);
    const noPipes = () => readdirSync(tmp).filter((n) => n.startsWith("vgdb-pipe")).length === 0;
    await waitUntil(noPipes, 10_000);
    const pipes = readdirSync(tmp).filter((n) => n.startsWith("vgdb-pipe"));
    assert.deepEqual(pipes, []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("dashboard: stopping a line profile mid-way (quit) leaves nothing in $TMPDIR", async () => {
  const { lineProfileVariant } = await import("@tsprof/dashboard");
  const tmp = tempDir();
  const work = tempDir();
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    const script = join(work, "spin.ts");
    writeFileSync(script, "const end = Date.now() + 8000;\nwhile (Date.now() < end) {}\n");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 2000);
    const state = await lineProfileVariant(BIN, "spin", { script, modules: [], args: [] } as never, 50, controller.signal);
    assert.notEqual(state.status, "done");
    await waitUntil(() => readdirSync(tmp).length === 0, 10_000);
    assert.deepEqual(readdirSync(tmp), [], `left behind: ${readdirSync(tmp).join(", ")}`);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(tmp, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
