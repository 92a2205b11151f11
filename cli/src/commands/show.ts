import type { Command } from "commander";
import { outputWidth, readResultFile, useColor, ResultFileError, type LineProfileResult } from "@tsprof/core";
import { renderLineProfile } from "@tsprof/line";
import type { CommandContext } from "../main";
import { parsePositiveNumber } from "./options";

/** Renderers of saved results by kind; each capability adds its own. */
type Renderer = (result: any, options: { color: boolean; skipZero: boolean; unit?: number; width?: number }) => string;

/** Each kind's renderer, loaded only when a result of that kind is shown. */
function renderers(): Record<string, Renderer> {
  const counters: Renderer = (r) => (require("@tsprof/perf") as typeof import("@tsprof/perf")).renderCounters(r);
  const mem = () => require("@tsprof/mem") as typeof import("@tsprof/mem");
  return {
    line: (r: LineProfileResult, o) => renderLineProfile(r, o),
    mem: (r, o) => mem().renderMemProfile(r, { color: o.color, skipZero: o.skipZero, cwd: process.cwd(), width: o.width }),
    "mem-recording": (r) => mem().renderMemRecording(r),
    counters,
    "counters-compare": counters,
  };
}

export function registerShowCommand(program: Command, context: CommandContext): void {
  program
    .command("show")
    .description("print a saved result again (--json output of line, mem, perf, dashboard)")
    .argument("<file>", "a JSON file written by tsprof")
    .option("-u, --unit <seconds>", "timer unit for line results")
    .option("-z, --skip-zero", "hide functions that were never called")
    .action((file: string, flags: { unit?: string; skipZero?: boolean }) => {
      // Memory recordings are JSON lines written as they go; everything else is one JSON document.
      const result = file.endsWith(".jsonl")
        ? ((require("@tsprof/mem") as typeof import("@tsprof/mem")).readRecording(file) as unknown as ReturnType<typeof readResultFile>)
        : readResultFile(file);
      const render = renderers()[result.kind];
      if (!render) throw new ResultFileError(`${file}: tsprof show cannot render '${result.kind}' results yet`);
      const unit = flags.unit ? parsePositiveNumber(flags.unit, "--unit") : undefined;
      process.stdout.write(render(result, { color: useColor(process.stdout), skipZero: !!flags.skipZero, unit, width: outputWidth(process.stdout) }));
      context.exitCode = 0;
    });
}
