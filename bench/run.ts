/**
 * `npm run bench [-- section...]`: runs the benchmark sections (bench/<name>.ts, each exporting
 * run(): Promise<SectionResult | string>) and writes BENCHMARKS.md with the machine and the date.
 * Figures are measured in this run; ratios compare configurations measured in the same run. The
 * summary at the top lists issue 12's targets from the sections' own figures (each section keeps
 * its targets in a comment, so a section not re-run still feeds the summary with its own date).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { ROOT, cpuTicks, markdownTable, stealShare, type SectionResult, type TargetRow } from "./util";

const SECTIONS = ["startup", "line", "line-accuracy", "mem", "perf", "diffusion"];
const TARGETS_MARK = "<!-- bench-targets ";
// Sections written by hand, kept as they are: "notes" (what bounds a target that is not met, as far
// as measured) after the summary, "robustness" (the robustness suites' totals) at the end.
const HAND_BEFORE = ["notes"];
const HAND_AFTER = ["robustness"];

/** The targets as a Markdown comment ('>' escaped inside the JSON so the comment cannot end early). */
function targetsComment(rows: TargetRow[]): string {
  return `${TARGETS_MARK}${JSON.stringify(rows).replace(/>/g, "\\u003e")} -->`;
}

function targetsOf(sectionText: string): TargetRow[] | null {
  const m = /<!-- bench-targets (.*?) -->/.exec(sectionText);
  if (!m) return null;
  try {
    return JSON.parse(m[1]) as TargetRow[];
  } catch {
    return null;
  }
}

const dateOf = (sectionText: string) => /^Measured (\S+) on/m.exec(sectionText)?.[1] ?? "?";

/** Sections of the previous BENCHMARKS.md, by name: from a "## <name>" heading to the next section's (sections hold "##" headings of their own). */
function previousSections(previous: string): Record<string, string> {
  const sectionStart = new RegExp(`^(?=## (?:${["summary", ...HAND_BEFORE, ...SECTIONS, ...HAND_AFTER].join("|")})\\s*$)`, "m");
  const byName: Record<string, string> = {};
  for (const chunk of previous.split(sectionStart)) {
    const name = /^## (\S+)\s*$/m.exec(chunk.split("\n")[0])?.[1];
    if (name && [...HAND_BEFORE, ...SECTIONS, ...HAND_AFTER].includes(name)) byName[name] = chunk.trimEnd() + "\n";
  }
  return byName;
}

/** The summary: every section's targets (this run's, or a kept section's with its own date). */
function summary(sections: Record<string, string>, fresh: string[], header: string): string {
  const rows: string[][] = [];
  const missing: string[] = [];
  for (const name of SECTIONS) {
    const text = sections[name];
    if (!text) continue;
    const targets = targetsOf(text);
    if (targets === null) {
      missing.push(name);
      continue;
    }
    const when = fresh.includes(name) ? `${name} (this run)` : `${name} (${dateOf(text)}, kept)`;
    for (const t of targets) rows.push([t.target, t.measured, t.verdict, when]);
  }
  const lines = [
    "## summary",
    "",
    `Issue 12's targets, written by bench/run.ts from the figures of the sections below (no figure here is typed by hand). ${header}`,
    "",
    rows.length
      ? markdownTable(
          ["target", "measured", "verdict", "section"],
          rows.map((r) => r.map((c) => c.replace(/\|/g, "\\|"))),
        )
      : "(no section with targets yet)",
  ];
  if (missing.length)
    lines.push(
      "",
      `No targets from ${missing.join(", ")}: written before the summary was generated; rerun ${missing.length > 1 ? "them" : "it"}.`,
    );
  return lines.join("\n") + "\n";
}

interface RunInfo {
  file: string;
  previous: string;
  machine: string;
  date: string;
  quick: boolean;
  started: number;
  load: string;
}

/** Runs one section; its Markdown with the heading, date, machine, duration and load, and its targets in a comment. */
async function runSection(name: string, run: RunInfo): Promise<string> {
  const started = Date.now();
  // The machine's load says how far wall times can be trusted (2 cores, maybe shared with other work).
  const loadBefore = loadavg()[0].toFixed(1);
  const ticksBefore = cpuTicks();
  const mod = require(join(__dirname, `${name}.ts`)) as { run(): Promise<SectionResult | string> };
  const out = await mod.run();
  // A section may return its text alone: then it has no targets.
  const { body, targets } = typeof out === "string" ? { body: out, targets: [] } : out;
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const steal = stealShare(ticksBefore, cpuTicks());
  const load =
    `1-minute load average ${loadBefore} at the start, ${loadavg()[0].toFixed(1)} at the end, on ${cpus().length} cores` +
    (steal === null ? "" : `; the hypervisor took ${(steal * 100).toFixed(0)} % of the time this VM's cores wanted to run (steal: wall times stretch by it, CPU times do not)`);
  const mode = run.quick ? "`npm run bench -- --quick`" : "`npm run bench`";
  return `## ${name}\n\nMeasured ${run.date} on ${run.machine} by ${mode} (${seconds} s for this section; ${load}).\n\n${body}\n\n${targetsComment(targets)}\n`;
}

/**
 * Writes BENCHMARKS.md: the summary, then this run's sections and the previous file's others (so
 * one section can be refreshed alone). Called after every section, so a run stopped part-way still
 * leaves what it measured.
 */
function writeBenchmarks(run: RunInfo, parts: Record<string, string>, failed: string[]): void {
  const kept = previousSections(run.previous);
  const sections: Record<string, string> = {};
  for (const name of SECTIONS) {
    const text = parts[name] ?? kept[name];
    if (text) sections[name] = text;
  }
  const minutes = ((Date.now() - run.started) / 60_000).toFixed(1);
  const header =
    `This run: ${run.date}, ${run.machine}; ${run.quick ? "`npm run bench -- --quick`" : "`npm run bench`"} of ${Object.keys(parts).join(", ") || "no section"} in ${minutes} min` +
    (failed.length ? ` (failed, previous figures kept: ${failed.join("; ")})` : "") +
    `; 1-minute load average ${run.load} at the start and ${loadavg()[0].toFixed(1)} at the end (on ${cpus().length} cores, a load above ~0.5 besides the bench means other work shared the machine, and wall times include waiting for a core).`;
  const ordered = [
    summary(sections, Object.keys(parts), header),
    ...HAND_BEFORE.map((n) => kept[n]),
    ...SECTIONS.map((n) => sections[n]),
    ...HAND_AFTER.map((n) => kept[n]),
  ].filter(Boolean);
  const text = `# Benchmarks\n\nWritten by \`npm run bench\` (bench/run.ts). Each section names the machine and the date it was measured; ratios compare runs made in the same session. This may be a shared 2-core VM: each section gives its load average.\n\n${ordered.join("\n")}`;
  writeFileSync(run.file, text);
}

async function main(): Promise<void> {
  // --quick: fewer runs and smaller sizes (a few minutes), for a check rather than the record.
  const quick = process.argv.includes("--quick");
  if (quick) process.env.BENCH_QUICK = "1";
  const wanted = process.argv.slice(2).filter((a) => a !== "--" && a !== "--quick");
  const unknown = wanted.filter((n) => !SECTIONS.includes(n));
  if (unknown.length) {
    console.error(`bench: no section ${unknown.join(", ")} (sections: ${SECTIONS.join(", ")})`);
    process.exitCode = 2;
    return;
  }
  const file = join(ROOT, "BENCHMARKS.md");
  const run: RunInfo = {
    file,
    previous: existsSync(file) ? readFileSync(file, "utf8") : "",
    machine: `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`,
    date: new Date().toISOString().slice(0, 10),
    quick,
    started: Date.now(),
    load: loadavg()[0].toFixed(1),
  };
  const parts: Record<string, string> = {};
  const failed: string[] = [];
  for (const name of wanted.length ? wanted : SECTIONS) {
    console.error(`bench: ${name} ...`);
    try {
      parts[name] = await runSection(name, run);
      console.error(parts[name]);
    } catch (err) {
      // One section's failure must not cost the others' figures.
      failed.push(`${name}: ${String((err as Error).message ?? err).split("\n")[0]}`);
      console.error(`bench: ${name} failed: ${(err as Error).stack}`);
      process.exitCode = 1;
    }
    writeBenchmarks(run, parts, failed);
  }
  console.error(`bench: wrote ${file}`);
}

main().catch((err) => {
  console.error(`bench: ${(err as Error).stack}`);
  process.exitCode = 1;
});
