import type { MachineInfo, StudyResult, VariantInfo } from "@tsprof/core";
import { writeResultFile } from "@tsprof/core";
import { applyStudyEvent, createState, partialResult, type DashboardState } from "./model";
import { formatCellSeconds, sizeLabel } from "./render";
import { writeStudyPng } from "./png";
import type { StudyOptions, StudyRunner } from "./study-runner";

/**
 * `--headless` (and any non-terminal stdout): the same runs, printed once as the diffusion
 * package's plain tables (Markdown with --markdown), the explanations after the tables. Progress
 * goes to stderr, one line per cell, so stdout stays the report. Ctrl-C stops the study and still
 * prints what was measured.
 */
export interface HeadlessOptions {
  runner: StudyRunner;
  study: StudyOptions;
  variants: VariantInfo[];
  machine: Promise<MachineInfo | null>;
  jsonPath?: string;
  /** Figure 6-4 and the runtime bars as a PNG (a terminal chart on stderr where canvas is missing). */
  pngPath?: string;
  /** Print Markdown instead of plain text. */
  markdown?: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Stops the study (the CLI wires SIGINT to it). */
  signal?: AbortSignal;
}

export interface HeadlessOutcome {
  result: StudyResult;
  /** False when the study was interrupted and `result` holds the cells measured until then. */
  complete: boolean;
}

/** One stderr line for a finished cell: "[3/8] fused 512×512  0.12s". */
export function cellDoneLine(
  workload: StudyOptions["workload"],
  index: number,
  total: number,
  variant: string,
  size: number,
  seconds: number | null,
  error?: string,
): string {
  const what = seconds === null ? `failed: ${error ?? "no time"}` : formatCellSeconds(seconds);
  return `[${index + 1}/${total}] ${variant} ${sizeLabel(size, workload)}  ${what}`;
}

export async function runDashboardHeadless(options: HeadlessOptions): Promise<HeadlessOutcome> {
  const out = options.stdout ?? process.stdout;
  const err = options.stderr ?? process.stderr;
  let state: DashboardState = createState(
    { workload: options.study.workload, variants: options.variants, sizes: options.study.sizes, iterations: options.study.iterations },
    Date.now(),
  );
  let result: StudyResult;
  let complete = true;
  try {
    result = await options.runner.runStudy({ ...options.study, signal: options.signal }, (event) => {
      state = applyStudyEvent(state, event, Date.now());
      if (event.type === "cell-done") {
        const c = event.cell;
        err.write(cellDoneLine(options.study.workload, event.index, event.total, c.variant, c.size, c.seconds, c.error) + "\n");
      }
    });
  } catch (error) {
    if (!options.signal?.aborted) throw error;
    complete = false;
    result = partialResult(state, options.study.command ?? ["dashboard"]);
    err.write(`interrupted: printing the ${state.cells.length} cells measured so far\n`);
  }
  if (options.signal?.aborted && complete) {
    complete = false;
    err.write(`interrupted: printing the ${result.results.length} cells measured so far\n`);
  }
  // The machine as the dashboard read it (see tui.ts); the runner's reading is the fallback.
  const machine = (await options.machine.catch(() => null)) ?? result.machine;
  result = { ...result, machine };
  const render = options.markdown ? options.runner.renderStudyMarkdown : options.runner.renderStudyText;
  out.write(render(result).trimEnd() + "\n");
  if (options.jsonPath) {
    writeResultFile(options.jsonPath, result);
    const warning = nonFiniteChecksums(result);
    if (warning) err.write(`tsprof: ${warning}\n`);
    err.write(`saved ${options.jsonPath}\n`);
  }
  if (options.pngPath) err.write((await writeStudyPng(options.runner, result, options.pngPath)) + "\n");
  return { result, complete };
}

/**
 * JSON has no NaN or Infinity: a checksum that is one is saved as null. Say so in one line (a NaN
 * checksum usually means the variant computed garbage), or null when every checksum is a number.
 */
export function nonFiniteChecksums(result: StudyResult): string | null {
  const bad = result.results.filter((c) => c.checksumNote !== undefined || (typeof c.checksum === "number" && !Number.isFinite(c.checksum)));
  if (bad.length === 0) return null;
  const which = bad.slice(0, 3).map((c) => `${c.variant} @ ${c.size}: ${c.checksumNote ?? c.checksum}`).join(", ");
  return `${bad.length} checksum${bad.length === 1 ? " is" : "s are"} not a finite number (${which}${bad.length > 3 ? ", ..." : ""}): saved as null in the JSON`;
}
