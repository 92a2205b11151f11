import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CacheEvents, CacheGeometry } from "@tsprof/core";
import { cacheEventsOf, parseCachegrindOut, parseCachegrindSummary, type CachegrindGeometry } from "../parse/cachegrind";
import { VALGRIND_MISSING_MESSAGE } from "./environment";
import { runTool } from "./spawn";

/**
 * The simulated caches, given explicitly so results compare across machines (cachegrind would
 * otherwise copy the host's, and in a VM often reads a nonsense LL: see the fixtures' warnings).
 * A typical current x86 core: 32 KiB 8-way L1s, 64 B lines; LL 8 MiB 16-way.
 */
export const DEFAULT_GEOMETRY: { I1: CacheGeometry; D1: CacheGeometry; LL: CacheGeometry } = {
  I1: { sizeBytes: 32 * 1024, assoc: 8, lineBytes: 64 },
  D1: { sizeBytes: 32 * 1024, assoc: 8, lineBytes: 64 },
  LL: { sizeBytes: 8 * 1024 * 1024, assoc: 16, lineBytes: 64 },
};

/** valgrind's --I1/--D1/--LL value: size,assoc,line_size. */
export function geometryFlag(g: CacheGeometry): string {
  return `${g.sizeBytes},${g.assoc},${g.lineBytes}`;
}

/** Parse "32768,8,64" or "32K,8,64" / "8M,16,64" into a geometry (null when malformed). */
/** The largest simulated cache tsprof accepts (4 GiB). */
export const MAX_CACHE_BYTES = 2 ** 32;

export function parseGeometry(text: string): CacheGeometry | null {
  const m = /^\s*(\d+)([kKmM]?)\s*,\s*(\d+)\s*,\s*(\d+)\s*$/.exec(text);
  if (!m) return null;
  const scale = m[2] === "" ? 1 : /k/i.test(m[2]) ? 1024 : 1024 * 1024;
  const g = { sizeBytes: Number(m[1]) * scale, assoc: Number(m[3]), lineBytes: Number(m[4]) };
  // Real caches, and cachegrind's simulator, stay far below these; beyond them the bit tests below break.
  if (g.sizeBytes > MAX_CACHE_BYTES || g.assoc > 1 << 16 || g.lineBytes > 1 << 16) return null;
  const pow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;
  // cachegrind's own rules: power-of-two line size and set count.
  if (!pow2(g.lineBytes) || g.assoc < 1 || g.sizeBytes % (g.assoc * g.lineBytes) !== 0) return null;
  if (!pow2(g.sizeBytes / (g.assoc * g.lineBytes))) return null;
  return g;
}

export interface CachegrindRun {
  events: CacheEvents | null;
  geometry: CachegrindGeometry;
  exitCode: number | null;
  signal: string | null;
  /** One line: why there are no events. */
  failure: string | null;
  missing: boolean;
  /** Ctrl-C reached us while it ran. */
  interrupted: boolean;
  argv: string[];
}

/** Run the argv under `valgrind --tool=cachegrind --cache-sim=yes` with the given cache geometry. */
export async function runCachegrind(
  argv: string[],
  options: {
    geometry: { I1: CacheGeometry; D1: CacheGeometry; LL: CacheGeometry };
    tempDir: string;
    tag: string;
    env: NodeJS.ProcessEnv;
    stdout: "inherit" | "stderr" | "ignore";
    valgrind?: string;
    cwd?: string;
  },
): Promise<CachegrindRun> {
  const outFile = join(options.tempDir, `cachegrind.out.${options.tag}`);
  const logFile = join(options.tempDir, `valgrind.${options.tag}.log`);
  const valgrind = options.valgrind ?? "valgrind";
  const args = [
    "--tool=cachegrind",
    "--cache-sim=yes",
    // No gdbserver: a killed run would otherwise leave vgdb-pipe-* FIFOs in /tmp.
    "--vgdb=no",
    `--I1=${geometryFlag(options.geometry.I1)}`,
    `--D1=${geometryFlag(options.geometry.D1)}`,
    `--LL=${geometryFlag(options.geometry.LL)}`,
    `--cachegrind-out-file=${outFile}`,
    `--log-file=${logFile}`,
    ...argv,
  ];
  // tsprof's compile cache would make Node's start-up differ between runs (a miss loads esbuild, a
  // hit does not), and the start-up baseline is subtracted: every simulated run compiles afresh.
  const env = { ...options.env, TSPROF_CACHE: "0" };
  const outcome = await runTool(valgrind, args, { env, stdout: options.stdout, cwd: options.cwd });
  const base: CachegrindRun = {
    events: null,
    geometry: { I1: null, D1: null, LL: null },
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    failure: null,
    missing: false,
    interrupted: outcome.interrupted,
    argv: [valgrind, ...args],
  };
  if (outcome.spawnError === "ENOENT") return { ...base, missing: true, failure: VALGRIND_MISSING_MESSAGE };
  if (outcome.spawnError) return { ...base, failure: `cannot start valgrind: ${outcome.spawnError}` };
  const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
  const terminated = /Process terminating with default action of signal \d+ \((SIG\w+)\)/.exec(log);
  // A SIGTERM/SIGHUP passed on ends the run as that signal, whatever valgrind itself exits with.
  const signal = outcome.forwardedSignal ?? outcome.signal ?? (terminated ? terminated[1] : null);
  if (existsSync(outFile)) {
    const parsed = parseCachegrindOut(readFileSync(outFile, "utf8"));
    const events = cacheEventsOf(parsed);
    if (events) return { ...base, events, geometry: parsed.geometry, signal };
  }
  // No output file (valgrind refused the options, or the client died early): try the log's summary.
  const summary = parseCachegrindSummary(log);
  const events = cacheEventsOf(summary);
  if (events) return { ...base, events, geometry: { ...options.geometry }, signal };
  const reason = log.split("\n").find((l) => /valgrind: |Bad option|error/i.test(l))?.replace(/^==\d+==\s*/, "");
  return { ...base, signal, failure: `cachegrind produced no counts${reason ? `: ${reason.trim()}` : ""}` };
}
