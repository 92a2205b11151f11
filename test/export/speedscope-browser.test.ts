/**
 * The exports opened in speedscope itself: its release build (the `speedscope` npm package) in
 * headless Chromium, loaded the way its own command line loads a file (`#localProfilePath=` and
 * `speedscope.loadFileFromBase64`). speedscope names the page after the profile only once its
 * importer has read it; a file it cannot read leaves the landing page's title. This runs
 * speedscope's own importers: its file format, Chrome's .cpuprofile and pprof.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { writeFileSync } from "node:fs";
import { toCpuprofile, toPprof, toSpeedscope } from "@tsprof/export";
import { runLine, runMem, JULIA } from "./real-results";
import { tempDir, fixture } from "../helpers/cli";

const browser = ["chromium", "chromium-browser", "google-chrome"].find((b) => spawnSync(b, ["--version"], { encoding: "utf8" }).status === 0);
const noBrowser = browser ? false : "no Chromium (Debian: apt-get install chromium): speedscope not opened headless";
if (noBrowser) console.log(`# skipped: ${noBrowser}`);

/** The page title once speedscope has tried to import `data` under the file name `name`. */
function speedscopeTitle(name: string, data: string | Uint8Array): string {
  const dir = tempDir();
  const loader = join(dir, `${name}.js`);
  writeFileSync(loader, `speedscope.loadFileFromBase64(${JSON.stringify(name)}, ${JSON.stringify(Buffer.from(data).toString("base64"))})`);
  const index = join(dirname(require.resolve("speedscope/package.json")), "dist", "release", "index.html");
  const r = spawnSync(
    browser!,
    ["--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files", `--user-data-dir=${join(dir, "profile")}`, "--virtual-time-budget=15000", "--dump-dom", `file://${index}#localProfilePath=${loader}`],
    { encoding: "utf8", timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr.slice(-500));
  return /<title>([^<]*)<\/title>/.exec(r.stdout)?.[1] ?? "";
}

test("speedscope opens the speedscope, .cpuprofile and pprof exports of a real line result", { skip: noBrowser }, () => {
  const { result } = runLine(JULIA, ["100", "50"], "hybrid");
  const doc = toSpeedscope(result);
  assert.equal(speedscopeTitle("julia.speedscope.json", JSON.stringify(doc)), `${doc.name} - speedscope`);
  assert.equal(speedscopeTitle("julia.cpuprofile", toCpuprofile(result)), "julia.cpuprofile - speedscope");
  assert.equal(speedscopeTitle("julia.pb.gz", toPprof(result)), "julia.pb.gz - speedscope");
  // The control: what speedscope cannot read does not get a profile's title.
  assert.notEqual(speedscopeTitle("broken.json", '{"$schema":"https://www.speedscope.app/file-format-schema.json"}'), "broken.json - speedscope");
});

test("speedscope opens the speedscope and pprof exports of a real mem result", { skip: noBrowser }, () => {
  const { result } = runMem(fixture("mem", "garbage.ts"));
  const doc = toSpeedscope(result);
  assert.equal(speedscopeTitle("garbage.speedscope.json", JSON.stringify(doc)), `${doc.name} - speedscope`);
  assert.equal(speedscopeTitle("garbage.pb.gz", toPprof(result)), "garbage.pb.gz - speedscope");
});
