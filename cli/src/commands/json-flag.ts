import type { Command, Option } from "commander";

/**
 * `--json [file]` has an optional value, and commander would take any next word as it: in
 * `tsprof perf --json script.ts` the script. So before parsing, a `--json` whose next word is a
 * script (a .ts/.js name), an option, or the only operand a command that needs one would get
 * (`tsprof perf parse --json perf-output.json`) stands alone: it is rewritten to `--json=-` (print
 * the JSON on stdout). Any other next word is its file, as `--json <file>` always was. Only the
 * words before a command's first operand are looked at: what follows the script is the script's.
 */
export function normaliseJsonFlag(program: Command, argv: string[]): string[] {
  const out = argv.slice();
  let command = program;
  for (let i = 2; i < out.length; i++) {
    const word = out[i];
    if (word === "--") break;
    if (!word.startsWith("-") || word === "-") {
      const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
      if (!sub) break; // the first operand
      command = sub;
      continue;
    }
    if (word === "--json" && findOption(command, word)?.optional) {
      if (!takesJsonFile(command, out, i)) out[i] = "--json=-";
      else i++;
      continue;
    }
    const option = findOption(command, word);
    if (option?.required && !word.includes("=") && !/^-[^-]./.test(word)) i++; // its value
  }
  return out;
}

function findOption(command: Command, word: string): Option | undefined {
  return command.options.find((o) => o.long === word || o.short === word);
}

const SCRIPT = /\.[cm]?[jt]sx?$/i;

/** Is the word after `--json` at `at` its file? */
function takesJsonFile(command: Command, argv: string[], at: number): boolean {
  const next = argv[at + 1];
  if (next === "-") return true;
  if (next === undefined || next.startsWith("-") || SCRIPT.test(next)) return false;
  const needsOperand = command.registeredArguments.some((a) => a.required);
  const operandsAfter = argv.slice(at + 2).some((w) => !w.startsWith("-"));
  return !needsOperand || operandsAfter;
}
