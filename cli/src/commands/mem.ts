import type { Command } from "commander";
import type { CommandContext } from "../main";

// Placeholder until the mem capability lands; replaced by its owner.
export function registerMemCommand(program: Command, context: CommandContext): void {
  program
    .command("mem")
    .description("(mem: in progress)")
    .allowUnknownOption()
    .action(() => {
      process.stderr.write("tsprof: 'mem' is not available yet\n");
      context.exitCode = 2;
    });
}
