/** Shared checks of the robustness suite: the promise is one clear line, the right code, nothing lost. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BIN, ROOT, type CliRun } from "../helpers/cli";

/** A run that must end with exactly `code` and one `tsprof: ...` line on stderr (no stack frames). */
export function assertOneLine(run: CliRun, code: number, what: string, pattern?: RegExp): void {
  const detail = `${what}\n  exit ${run.code} signal ${run.signal}\n  stderr: ${JSON.stringify(run.stderr.slice(0, 600))}`;
  assert.equal(run.signal, null, `killed (hang?): ${detail}`);
  assert.equal(run.code, code, `wrong exit code: ${detail}`);
  assertNoTrace(run.stderr, detail);
  const lines = run.stderr.split("\n").filter((l) => l.trim() !== "");
  const ours = lines.filter((l) => l.startsWith("tsprof: "));
  assert.ok(ours.length >= 1, `no 'tsprof:' line: ${detail}`);
  assert.ok(!/internal error/.test(run.stderr), `internal error: ${detail}`);
  if (pattern) assert.match(ours[ours.length - 1], pattern, detail);
}

/** No JavaScript stack frame and no terminal escape in what tsprof printed. */
export function assertNoTrace(stderr: string, detail = ""): void {
  assert.ok(!/^\s+at .+(:\d+:\d+\)?|\(node:)/m.test(stderr), `stack trace on stderr: ${detail}`);
}

/**
 * Run the CLI under a file size limit (RLIMIT_FSIZE, in 1 KiB blocks), the cheap way to get a full
 * disk: writes past it fail with EFBIG exactly where ENOSPC would. The limit is set by the shell's
 * ulimit builtin, then node is exec'd with an argument array (no command string is built).
 */
export function tsprofWithFileLimit(blocks: number, args: string[], cwd = ROOT): CliRun {
  const r = spawnSync("sh", ["-c", `ulimit -f ${blocks} && exec "$0" "$@"`, process.execPath, BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** mulberry32: a small seeded PRNG, so a failing input replays. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Tally of a table-driven test, printed as one diagnostic line (the totals BENCHMARKS.md quotes). */
export class Tally {
  tried = 0;
  clean = 0;
  lost = 0;
  wrongCode = 0;
  hangs = 0;
  constructor(readonly name: string) {}
  toString(): string {
    return `${this.name}: ${this.tried} inputs, ${this.clean} clean, ${this.lost} lost, ${this.wrongCode} wrong code, ${this.hangs} hangs`;
  }
}
