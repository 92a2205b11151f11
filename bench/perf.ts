/**
 * Benchmark section for issue 4 (`tsprof perf`): what the simulated path measures on the
 * chapter's question "why is one layout faster": a row-major vs a column-major walk of an n x n
 * Float64Array grid (fixtures/perf/scripts/grid-rows.ts / grid-cols.ts), run by `tsprof perf
 * --compare --simulate`. Cachegrind counts simulated events, not time: one run per cell is exact
 * for a given binary and input (repeat runs differ only by Node's start-up noise, shown by the
 * baseline). Task-clock comes from perf stat (median of 5 runs through perf's -r statistics).
 */
import * as os from "node:os";
import { join, resolve } from "node:path";
import type { CountersCompareResult } from "@tsprof/core";
import { compareWorkloads, DEFAULT_GEOMETRY, scriptWorkload, withTempDir } from "@tsprof/perf";

const ROOT = resolve(__dirname, "..");
const QUICK = process.env.BENCH_QUICK === "1";
const SIZES = QUICK ? [512] : [512, 1024];
const SCRIPTS = ["grid-rows.ts", "grid-cols.ts"];

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * Every size's rows and cols in one compare (variants in the order size by size, rows then cols):
 * they share one empty-script baseline under cachegrind (Node's start-up, the slowest run of all).
 * Per-cell figures divide by each variant's own n x n below.
 */
async function measure(): Promise<CountersCompareResult> {
  return withTempDir(async (dir) => {
    const workloads = SIZES.flatMap((n) => SCRIPTS.map((s) => scriptWorkload(join(ROOT, "fixtures", "perf", "scripts", s), [String(n)], dir)));
    return compareWorkloads(
      workloads,
      {
        events: ["task-clock"],
        repeats: 5,
        simulate: "always",
        geometry: DEFAULT_GEOMETRY,
        // Per cell is computed below from each variant's own n (one count would not fit both sizes).
        workItems: null,
        command: ["bench", "perf"],
        stdout: "stderr",
      },
      dir,
    );
  });
}

export async function run(): Promise<string> {
  const lines: string[] = [];
  lines.push("## tsprof perf: simulated caches, row-major vs column-major grid walk");
  lines.push("");
  const g = DEFAULT_GEOMETRY;
  lines.push(
    `valgrind cachegrind with explicit geometry: I1 ${g.I1.sizeBytes / 1024} KiB ${g.I1.assoc}-way, D1 ${g.D1.sizeBytes / 1024} KiB ${g.D1.assoc}-way, ` +
      `LL ${g.LL.sizeBytes / 1024 / 1024} MiB ${g.LL.assoc}-way, ${g.D1.lineBytes} B lines. Figures are net of Node's start-up ` +
      "(an empty script through the same loader, measured once and subtracted); per cell = net / (n x n), so they include " +
      "the grid's initialisation loop, which is the same row-major pass in both scripts. Node runs with V8's --predictable " +
      "under cachegrind (single-threaded, deterministic), so repeated counts agree within ~0.1 %. A column walk should " +
      "miss D1 on every cell instead of every 8th: 7/8 = 0.875 extra misses per cell.",
  );
  lines.push("");
  lines.push(
    "| n | grid | variant | sim. instructions/cell | sim. D refs/cell | sim. D1 misses/cell | extra D1 misses/cell vs rows | sim. LLd misses/cell | D1 misses cols/rows | task-clock ms (perf; whole process, mean of 5) |",
  );
  lines.push("|---|---|---|---|---|---|---|---|---|---|");
  let hardware = "";
  const result = await measure();
  SIZES.forEach((n, k) => {
    const cells = n * n;
    const [rows, cols] = [result.variants[2 * k], result.variants[2 * k + 1]];
    const rowsNet = rows.simulated?.net;
    [rows, cols].forEach((v, i) => {
      const net = v.simulated?.net;
      const ratio = i === 1 && net && rowsNet && rowsNet.d1Misses > 0 ? net.d1Misses / rowsNet.d1Misses : null;
      // A column walk touches a new 64 B line for every 8 B cell once the grid outgrows D1: 7/8 extra per cell expected.
      const extra = i === 1 && net && rowsNet ? fmt((net.d1Misses - rowsNet.d1Misses) / cells, 3) : "";
      lines.push(
        `| ${n} | ${fmt((cells * 8) / 1024 / 1024, 1)} MiB | ${v.label.split("/").pop()} | ${net ? fmt(net.instructions / cells, 1) : "n/a"} | ` +
          `${net ? fmt(net.dataRefs / cells, 2) : "n/a"} | ${net ? fmt(net.d1Misses / cells, 3) : "n/a"} | ${extra} | ${net ? fmt(net.lldMisses / cells, 3) : "n/a"} | ` +
          `${ratio !== null ? `${fmt(ratio, 2)}x` : ""} | ${v.counters["task-clock"]?.value != null ? fmt(v.counters["task-clock"].value, 1) : "n/a"} |`,
      );
      if (v.hardware.message) hardware = v.hardware.message;
    });
  });
  lines.push("");
  lines.push(`Machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, Node ${process.version}.`);
  if (hardware) lines.push(`Hardware counters: ${hardware}`);
  return lines.join("\n") + "\n";
}

if (require.main === module) {
  run().then((text) => process.stdout.write(text));
}
