/** tsprof mem says how much of the memory at the script's start is tsprof's own. */
import { test } from "node:test";
import assert from "node:assert/strict";
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
