import type { Command } from "commander";
import type { CommandContext } from "../main";

// Placeholder until the dashboard capability lands; replaced by its owner.
export function registerDashboardCommand(program: Command, context: CommandContext): void {
  program
    .command("dashboard")
    .description("(dashboard: in progress)")
    .allowUnknownOption()
    .action(() => {
      process.stderr.write("tsprof: 'dashboard' is not available yet\n");
      context.exitCode = 2;
    });
}
