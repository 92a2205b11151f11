// The command line a saved result records: the same for every command, the words after `tsprof`
// as typed (a lone `--json` stays `--json`, not the parser's `--json=-`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { main } from "../../cli/src/main";
import { recordedCommandLine } from "../../cli/src/commands/options";

const ROOT = path.resolve(__dirname, "..", "..");
const HUMAN = path.join(ROOT, "fixtures", "perf", "book-example-6-08-human.txt");

test("perf parse records the whole command line, options included", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
  try {
    const out = path.join(dir, "counters.json");
    const words = ["perf", "parse", "--per", "500:steps", "-o", out, HUMAN];
    assert.equal(await main(["node", "tsprof", ...words]), 0);
    assert.deepEqual(JSON.parse(readFileSync(out, "utf8")).command, words);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the words main() was given win over commander's rewritten ones; without main, commander's raw words", async () => {
  const program = new Command("tsprof");
  let seen: string[] = [];
  program.command("line").option("--json [file]").argument("<script>").action((_s, _o, cmd: Command) => {
    seen = recordedCommandLine({ exitCode: 0 }, cmd);
  });
  await program.parseAsync(["node", "tsprof", "line", "--json=-", "x.ts"]);
  assert.deepEqual(seen, ["line", "--json=-", "x.ts"]);
  const typed = ["line", "--json", "x.ts"];
  program.commands[0].action((_s, _o, cmd: Command) => {
    seen = recordedCommandLine({ exitCode: 0, commandLine: typed }, cmd);
  });
  await program.parseAsync(["node", "tsprof", "line", "--json=-", "x.ts"]);
  assert.deepEqual(seen, typed);
});
