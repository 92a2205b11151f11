import type { Command } from "commander";
import type { CommandContext } from "../main";

// Placeholder until the perf capability lands; replaced by its owner.
export function registerPerfCommand(program: Command, context: CommandContext): void {
  program
    .command("perf")
    .description("(perf: in progress)")
    .allowUnknownOption()
    .action(() => {
      process.stderr.write("tsprof: 'perf' is not available yet\n");
      context.exitCode = 2;
    });
}
