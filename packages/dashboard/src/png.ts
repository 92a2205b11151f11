import { writeFileAtomic, type StudyResult } from "@tsprof/core";
import { renderSpeedupChart } from "./chart";
import { createState, finishWith } from "./model";
import type { StudyRunner } from "./study-runner";

/**
 * `--png <file>`: Figure 6-4 and the runtime bars as a PNG through @tsprof/diffusion. Where canvas
 * cannot load, the terminal chart is returned instead of a file, with the reason. Returns the
 * one line (or the chart) to show the user.
 */
export async function writeStudyPng(runner: StudyRunner, result: StudyResult, file: string): Promise<string> {
  let problem: string;
  try {
    if (!runner.renderStudyPng) throw new Error("@tsprof/diffusion cannot draw PNGs");
    writeFileAtomic(file, await runner.renderStudyPng(result));
    return `wrote ${file}`;
  } catch (err) {
    problem = (err as Error).message.split("\n")[0];
  }
  const state = finishWith(createState(result, Date.now()), result, Date.now());
  return [`no PNG (${problem}); the chart in text:`, ...renderSpeedupChart(state, 78, 20)].join("\n");
}
