/** tsprof mem says how much of the memory at the script's start is tsprof's own. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readJson, tempDir, tsprof, ROOT } from "../helpers/cli";

test("mem: tsprof's own share is in the result and is one header line", () => {
  const json = join(tempDir(), "mem.json");
  const r = tsprof(["mem", "--json", json, join(ROOT, "bench", "fixtures", "first-line.ts")]);
  assert.equal(r.code, 0, r.stderr);
  const result = readJson(json);
  const share = result.toolShare;
  assert.ok(share, "no toolShare in the result");
  assert.ok(share.plainNodeRssMiB > 10 && share.startRssMiB >= share.plainNodeRssMiB, JSON.stringify(share));
  assert.equal(share.toolMiB, Math.max(0, share.startRssMiB - share.plainNodeRssMiB));
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("tsprof's own share:"));
  assert.equal(lines.length, 1, r.stdout);
  assert.match(lines[0], new RegExp(`^tsprof's own share: ${share.toolMiB.toFixed(1)} MiB of the ${share.startRssMiB.toFixed(1)} MiB RSS`));
});

test("mem --plot: what the script imports is not counted as tsprof's own share", () => {
  const dir = tempDir();
  // The entry's one import holds 96 MiB from the moment it loads (pages touched, so in the RSS).
  writeFileSync(join(dir, "heavy.ts"), "export const held = Buffer.alloc(96 * 1024 * 1024, 1);\n");
  writeFileSync(
    join(dir, "main.ts"),
    `import { held } from "./heavy";\n/** @profile */\nfunction sum(step: number): number {\n  let total = 0;\n  for (let i = 0; i < held.length; i += step) total += held[i];\n  return total;\n}\nconsole.log(sum(4096));\n`,
  );
  const json = join(dir, "plot.json");
  const r = tsprof(["mem", "--plot", "--json", json, "--output", join(dir, "plot.png"), "main.ts"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const share = readJson(json).toolShare;
  assert.ok(share, "no toolShare in the recording");
  // Taken before the entry loads its imports: tsprof's loader and sampler are far below 96 MiB.
  assert.ok(share.toolMiB < 96, `tsprof's own share ${share.toolMiB} MiB includes the script's import: ${JSON.stringify(share)}`);
});
