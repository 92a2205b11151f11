/**
 * `npm run bench [-- section...]`: runs the benchmark sections (bench/<name>.ts, each exporting
 * run(): Promise<string>) and writes BENCHMARKS.md with the machine and the date. Figures are
 * measured in this run; ratios compare configurations measured in the same run.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { ROOT } from "./util";

const SECTIONS = ["startup", "line", "line-accuracy", "mem", "perf", "diffusion"];

async function main(): Promise<void> {
  // --quick: fewer runs and smaller sizes (a few minutes), for a check rather than the record.
  const quick = process.argv.includes("--quick");
  if (quick) process.env.BENCH_QUICK = "1";
  const wanted = process.argv.slice(2).filter((a) => a !== "--" && a !== "--quick");
  const names = wanted.length ? wanted : SECTIONS;
  const file = join(ROOT, "BENCHMARKS.md");
  const previous = existsSync(file) ? readFileSync(file, "utf8") : "";
  const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
  const date = new Date().toISOString().slice(0, 10);
  const parts: Record<string, string> = {};
  for (const name of names) {
    const path = join(__dirname, `${name}.ts`);
    if (!existsSync(path)) {
      console.error(`bench: no section ${name}`);
      continue;
    }
    console.error(`bench: ${name} ...`);
    const started = Date.now();
    // The machine's load says how far wall times can be trusted (2 cores shared with other work).
    const loadBefore = loadavg()[0].toFixed(1);
    const mod = require(path) as { run(): Promise<string> };
    const body = await mod.run();
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    const load = `1-minute load average ${loadBefore} at the start, ${loadavg()[0].toFixed(1)} at the end, on ${cpus().length} cores`;
    parts[name] = `## ${name}\n\nMeasured ${date} on ${machine} (${seconds} s for this section; ${load}).\n\n${body}\n`;
    console.error(parts[name]);
  }
  // Keep sections not re-run this time, so one section can be refreshed alone. A section runs from
  // its "## <name>" heading to the next section's (sections may hold "##" headings of their own).
  const sectionStart = new RegExp(`^(?=## (?:${SECTIONS.join("|")})\\s*$)`, "m");
  const keptByName: Record<string, string> = {};
  for (const chunk of previous.split(sectionStart)) {
    const name = /^## (\S+)\s*$/m.exec(chunk.split("\n")[0])?.[1];
    if (name && SECTIONS.includes(name) && !(name in parts)) keptByName[name] = chunk.trimEnd() + "\n";
  }
  // "## summary" (written by hand: each target, met or the measured figure and what bounds it) is kept as it is.
  const summary = new RegExp(`^## summary\\s*$[\\s\\S]*?(?=^## (?:${SECTIONS.join("|")})\\s*$)`, "m").exec(previous)?.[0];
  const ordered = [summary, ...SECTIONS.map((n) => parts[n] ?? keptByName[n])].filter(Boolean);
  const text = `# Benchmarks\n\nWritten by \`npm run bench\` (bench/run.ts). Each section names the machine and the date it was measured; ratios compare runs made in the same session. This is a shared 2-core VM: expect a few percent of noise.\n\n${ordered.join("\n")}`;
  writeFileSync(file, text);
  console.error(`bench: wrote ${file}`);
}

main().catch((err) => {
  console.error(`bench: ${(err as Error).stack}`);
  process.exitCode = 1;
});
