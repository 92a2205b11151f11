// `tsprof mem`'s own cost around the program (issue 12): the profiled process writes what it
// measured raw (its per-slot tables, V8's sampled allocations unmapped, the source maps for them),
// and tsprof's parent builds the tables and the allocation table; so the program's end waits for
// no source-map library and no mapping, and the result is the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { MemProfileResult } from "@tsprof/core";
import { programDir, readJson, tsprof } from "../helpers/cli";

// Registered by the program after tsprof's own exit handler: runs once the collector has finished.
const REPORT_LOADED_AT_EXIT = `
process.on("exit", () => {
  const loaded = Object.keys(require.cache).filter((k) => /[\\\\/]mem[\\\\/]dist[\\\\/](allocation-sites|profile)\\.js$|[\\\\/]runner[\\\\/]dist[\\\\/](source-map|map-profile|source-lines|original-positions)\\.js$|[\\\\/]@jridgewell[\\\\/]/.test(k));
  require("node:fs").writeSync(1, "loaded at exit: " + (loaded.length ? loaded.map((k) => k.split(/[\\\\/]/).slice(-2).join("/")).join(",") : "none") + "\\n");
});
`;

const PROGRAM = `${REPORT_LOADED_AT_EXIT}
/** @profile */
function build(n: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    rows.push(new Array(64).fill(i));
  }
  return rows;
}
console.log(build(2000).length);
`;

test("mem: the profiled process ends without the source-map library or the allocation builder; the parent builds both tables", () => {
  const dir = programDir({ "main.ts": PROGRAM });
  const json = join(dir, "mem.json");
  const r = tsprof(["mem", "--json", json, join(dir, "main.ts")], { cwd: dir, env: { TSPROF_CACHE_DIR: join(dir, "cache") } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /loaded at exit: none/, r.stdout);
  const result = readJson<MemProfileResult>(json);
  // The per-line table: the loop's push line ran 2000 times.
  const fn = result.functions.find((f) => f.name === "build");
  assert.ok(fn, JSON.stringify(result.functions.map((f) => f.name)));
  assert.equal(fn.lines.find((l) => l.source.includes("rows.push"))?.occurrences, 2000);
  // The allocation table, mapped to the program's own file: 2000 arrays of 64 numbers are about
  // 1 MiB, some 30 samples at one per 32 KiB, so build's lines (9 to 15) always hold some.
  const own = result.allocations.filter((a) => a.file === join(dir, "main.ts") && a.line >= 9 && a.line <= 15);
  assert.ok(own.length > 0, JSON.stringify(result.allocations.slice(0, 8)));
  assert.ok(result.allocationProfile, "the sampled call tree in original positions");
});
