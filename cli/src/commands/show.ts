import type { Command } from "commander";
import type { CommandContext } from "../main";

// Placeholder until the show capability lands; replaced by its owner.
export function registerShowCommand(program: Command, context: CommandContext): void {
  program
    .command("show")
    .description("(show: in progress)")
    .allowUnknownOption()
    .action(() => {
      process.stderr.write("tsprof: 'show' is not available yet\n");
      context.exitCode = 2;
    });
}
