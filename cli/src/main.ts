import { Command, CommanderError } from "commander";
import { ToolError, UsageError, ResultFileError, describeFsError, printable } from "@tsprof/core";
import { normaliseJsonFlag } from "./commands/json-flag";

export { normaliseJsonFlag };

type Register = (program: Command, context: CommandContext) => void;

/**
 * The commands, each loaded on demand: a command module pulls in its package (canvas, blessed,
 * the profilers), and start-up time is a measured goal. Only the command being run is loaded;
 * all of them for help or an unknown command.
 */
const COMMANDS: Record<string, () => Register> = {
  line: () => require("./commands/line").registerLineCommand,
  mem: () => require("./commands/mem").registerMemCommand,
  perf: () => require("./commands/perf").registerPerfCommand,
  dashboard: () => require("./commands/dashboard").registerDashboardCommand,
  show: () => require("./commands/show").registerShowCommand,
};

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { version } = require("../package.json") as { version: string };

/** Each command's action sets this; main() returns it as the process exit code. */
export interface CommandContext {
  exitCode: number;
  /** The words after `tsprof` as the user typed them (main sets it), recorded in saved results. */
  commandLine?: string[];
}

/** Where commander writes help and errors (tests capture them). */
export interface ProgramOutput {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

/**
 * Build the commander program. Exported so tests can parse argv in-process: pass the argv (only
 * its command is loaded) and, to capture help and errors, `output`. Parse with
 * `program.parseAsync(normaliseJsonFlag(program, argv))`, as main() does.
 */
export function buildProgram(context: CommandContext, argv: string[] = [], output?: ProgramOutput): Command {
  const program = new Command("tsprof")
    .description("Line, memory and hardware-counter profiling for TypeScript and Node.js")
    .version(version, "-V, --version", "print the version")
    .showSuggestionAfterError(true)
    // Options after a script belong to the script, as with node and kernprof.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      ...(output ?? {}),
      // Usage errors: one line, no help dump.
      outputError: (text, write) =>
        write(text.replace(/^error: /, "tsprof: ").replace(/\n\(Did you mean (.*)\?\)/, " (did you mean $1?)")),
    });
  const requested = argv[2];
  const names = requested && requested in COMMANDS ? [requested] : Object.keys(COMMANDS);
  for (const name of names) COMMANDS[name]()(program, context);
  return program;
}

/** Run the CLI; resolves to the exit code. Never throws for a user mistake. */
export async function main(argv: string[]): Promise<number> {
  const context: CommandContext = { exitCode: 0, commandLine: argv.slice(2) };
  // `tsprof help nosuch`: commander would print the whole help and exit 0; a typo is one line, exit 2.
  if (argv[2] === "help" && argv[3] !== undefined && !(argv[3] in COMMANDS)) {
    return reportError(new UsageError(`unknown command '${argv[3]}' (commands: ${Object.keys(COMMANDS).join(", ")})`));
  }
  const program = buildProgram(context, argv);
  try {
    await program.parseAsync(normaliseJsonFlag(program, argv));
    return context.exitCode;
  } catch (err) {
    return reportError(err);
  }
}

/** Turn any error into one line on stderr and an exit code. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version also come through here with exit code 0.
    if (err.exitCode === 0) return 0;
    return 2;
  }
  // Messages may quote a file or a child's output: one printable line, never an escape sequence.
  if (err instanceof UsageError || err instanceof ResultFileError) {
    process.stderr.write(`tsprof: ${printable(err.message)}\n`);
    return 2;
  }
  if (err instanceof ToolError) {
    process.stderr.write(`tsprof: ${printable(err.message)}\n`);
    return err.exitCode;
  }
  // The machine, not tsprof: a full disk, a missing or read-only folder, no permission. One line, exit 1.
  const sys = err as NodeJS.ErrnoException;
  if (sys && typeof sys.code === "string" && typeof sys.syscall === "string") {
    const where = sys.path ? ` ${sys.path}` : "";
    const hint = sys.syscall === "mkdtemp" ? "; set TMPDIR to a writable directory" : "";
    process.stderr.write(`tsprof: cannot ${sys.syscall}${printable(where)}: ${describeFsError(sys)}${hint}\n`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`tsprof: internal error: ${message}\n`);
  if (process.env.TSPROF_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ""}\n`);
  return 70;
}
