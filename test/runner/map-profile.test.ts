/**
 * runner's map-profile on small hand-made V8 CPU profiles: where tsprof's own samples go.
 * Pure (the urls name no loaded script, so no source map is read).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "../helpers/cli";

const { mapCpuProfile } = require(
  join(ROOT, "packages", "runner", "dist", "map-profile.js"),
) as typeof import("../../packages/runner/src/map-profile");

const OWN = join(ROOT, "packages") + "/";
const ownUrl = pathToFileURL(join(ROOT, "packages", "line", "dist", "collector.js")).href;
const userUrl = pathToFileURL(join("/", "nowhere", "project", "main.js")).href;
const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: "0" });

type RawNode = { id: number; callFrame: ReturnType<typeof frame>; hitCount: number; children: number[] };

/** A profile of six 1 ms samples on `samples` (node ids) mapped as the main thread's, with its nodes by name. */
function mapSixSamples(nodes: RawNode[], samples: number[]) {
  const profile = { nodes, startTime: 0, endTime: 6000, samples, timeDeltas: samples.map(() => 1000) };
  const mapped = mapCpuProfile(profile as never, { ownDirs: [OWN], thread: "main" });
  return { mapped, byName: new Map(mapped.nodes.map((n) => [n.callFrame.functionName, n])) };
}

test("tsprof's own work under Node's internals only is one (tsprof) pseudo-frame; under the program's code it stays the caller's", () => {
  const { mapped, byName } = mapSixSamples(
    [
      { id: 1, callFrame: frame("(root)", "", -1), hitCount: 0, children: [2, 5] },
      { id: 2, callFrame: frame("processTicksAndRejections", "node:internal/process/task_queues", 66), hitCount: 0, children: [3] },
      { id: 3, callFrame: frame("emit", "node:events", 470), hitCount: 0, children: [4] },
      // tsprof's "worker" listener waiting for its sampler thread: no program code above it.
      { id: 4, callFrame: frame("waitForWorker", ownUrl, 70), hitCount: 3, children: [] },
      { id: 5, callFrame: frame("main", userUrl, 3), hitCount: 1, children: [6] },
      // tsprof's code called by the program (a profile() wrapper): the program's time.
      { id: 6, callFrame: frame("profiled", ownUrl, 90), hitCount: 2, children: [] },
    ],
    [4, 4, 4, 6, 6, 5],
  );
  assert.ok(!mapped.nodes.some((n) => n.callFrame.url === ownUrl), "no frame of tsprof's own code");
  assert.equal(byName.get("(tsprof)")?.hitCount, 3, "the listener's samples");
  assert.equal(byName.get("(tsprof)")?.callFrame.url, "");
  assert.ok(byName.get("(root)")!.children!.includes(byName.get("(tsprof)")!.id), "under the root");
  assert.equal(byName.get("emit")?.hitCount ?? 0, 0, "Node's emit is not charged with tsprof's wait");
  assert.equal(byName.get("main")?.hitCount, 3, "the wrapper's samples stay the program's");
  assert.equal(mapped.samples.length, 6, "every sample still counts");
});

test("a package the program requires through tsprof's CommonJS hook keeps its frames; one tsprof requires stays tsprof's", () => {
  const hookUrl = pathToFileURL(join(ROOT, "packages", "runner", "dist", "register.js")).href;
  const compileUrl = pathToFileURL(join(ROOT, "packages", "runner", "dist", "compile.js")).href;
  const loader = "node:internal/modules/cjs/loader";
  const pkgUrl = pathToFileURL(join("/", "nowhere", "project", "node_modules", "pkg", "index.js")).href;
  const tsUrl = pathToFileURL(join("/", "nowhere", "project", "node_modules", "typescript", "lib", "typescript.js")).href;
  const { mapped } = mapSixSamples(
    [
      { id: 1, callFrame: frame("(root)", "", -1), hitCount: 0, children: [2] },
      { id: 2, callFrame: frame("", userUrl), hitCount: 0, children: [3, 8] },
      // The program's require("pkg"): Module.load -> tsprof's .js hook -> Node's .js loader -> pkg.
      { id: 3, callFrame: frame("Module.load", loader, 1256), hitCount: 0, children: [4] },
      { id: 4, callFrame: frame("", hookUrl, 60), hitCount: 0, children: [5] },
      { id: 5, callFrame: frame("Module._extensions..js", loader, 1603), hitCount: 0, children: [6] },
      { id: 6, callFrame: frame("Module._compile", loader, 1482), hitCount: 0, children: [7] },
      { id: 7, callFrame: frame("", pkgUrl), hitCount: 4, children: [] },
      // tsprof compiling in the process: its require of typescript through the same hook is its own.
      { id: 8, callFrame: frame("compileFile", compileUrl, 10), hitCount: 0, children: [9] },
      { id: 9, callFrame: frame("Module.load", loader, 1256), hitCount: 0, children: [10] },
      { id: 10, callFrame: frame("", hookUrl, 60), hitCount: 0, children: [11] },
      { id: 11, callFrame: frame("Module._extensions..js", loader, 1603), hitCount: 0, children: [12] },
      { id: 12, callFrame: frame("", tsUrl), hitCount: 2, children: [] },
    ],
    [7, 7, 7, 7, 12, 12],
  );
  const pkg = mapped.nodes.find((n) => n.callFrame.url === pkgUrl);
  assert.equal(pkg?.hitCount, 4, "pkg's top level keeps its samples");
  assert.ok(
    mapped.nodes.some((n) => n.callFrame.functionName === "Module._compile"),
    "Node's loader frames between stay",
  );
  assert.ok(
    !mapped.nodes.some((n) => n.callFrame.url === tsUrl || n.callFrame.url === hookUrl || n.callFrame.url === compileUrl),
    "tsprof's require of typescript is not shown",
  );
  const main = mapped.nodes.find((n) => n.callFrame.url === userUrl);
  assert.equal(main?.hitCount, 2, "tsprof's compile, called from the program's module, is folded into it");
});

test("a collector's registerFile, called by a module's first line, is tsprof's set-up: (tsprof), not the module's top level", () => {
  const waitUrl = pathToFileURL(join(ROOT, "packages", "line", "dist", "collector.js")).href;
  const { mapped, byName } = mapSixSamples(
    [
      { id: 1, callFrame: frame("(root)", "", -1), hitCount: 0, children: [2] },
      { id: 2, callFrame: frame("", userUrl), hitCount: 1, children: [3] },
      { id: 3, callFrame: frame("registerFile", waitUrl, 100), hitCount: 0, children: [4] },
      // waiting for the sampler thread (Atomics.wait is native: its samples are this frame's)
      { id: 4, callFrame: frame("waitForWorker", waitUrl, 77), hitCount: 5, children: [] },
    ],
    [4, 4, 4, 4, 4, 2],
  );
  assert.equal(byName.get("(tsprof)")?.hitCount, 5, "the wait is tsprof's");
  assert.equal(mapped.nodes.find((n) => n.callFrame.url === userUrl)?.hitCount, 1, "the module keeps only its own sample");
});
