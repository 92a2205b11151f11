import { test } from "node:test";
import assert from "node:assert/strict";
import { largestGridFittingCache as l3GridEstimate } from "@tsprof/core";
import { gatherMachineInfo, machineInfoFrom } from "@tsprof/dashboard";

test("the chapter's L3 estimate: 20,480 KB gives two 1,131 x 1,131 grids", () => {
  assert.equal(l3GridEstimate(20_480_000), 1131);
  assert.equal(l3GridEstimate(32 * 1024 * 1024), 1448);
});

test("machineInfoFrom prefers the fuller CPU name and drops unknown cache sizes", () => {
  const info = machineInfoFrom({
    manufacturer: "AMD",
    brand: "EPYC",
    osModel: "AMD EPYC 7B13 64-Core Processor",
    cores: 2,
    l1d: 65536,
    l2: 0,
    l3: undefined,
    memoryBytes: 1024,
    node: "v20.0.0",
    os: "Debian",
  });
  assert.equal(info.cpuModel, "AMD EPYC 7B13 64-Core Processor");
  assert.equal(info.l1dBytes, 65536);
  assert.equal(info.l2Bytes, null);
  assert.equal(info.l3Bytes, null);
});

test("gatherMachineInfo reads this machine (systeminformation, local only)", async () => {
  const info = await gatherMachineInfo();
  assert.ok(info.cpuModel.length > 0);
  assert.ok(info.cores >= 1);
  assert.ok(info.memoryBytes > 0);
  assert.equal(info.node, process.version);
  // Where lscpu knows the L3 size, it must agree with what systeminformation gave.
  const { execFileSync } = await import("node:child_process");
  let lscpu = "";
  try {
    lscpu = execFileSync("lscpu", ["-B"], { encoding: "utf8" });
  } catch {
    return;
  }
  const m = /^L3 cache:\s+(\d+)/m.exec(lscpu);
  if (m) assert.equal(info.l3Bytes, Number(m[1]));
});
