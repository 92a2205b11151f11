import type { Command } from "commander";
import type { CommandContext } from "../main";

// Placeholder until the line capability lands; replaced by its owner.
export function registerLineCommand(program: Command, context: CommandContext): void {
  program
    .command("line")
    .description("(line: in progress)")
    .allowUnknownOption()
    .action(() => {
      process.stderr.write("tsprof: 'line' is not available yet\n");
      context.exitCode = 2;
    });
}
