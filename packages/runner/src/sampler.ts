/**
 * V8's CPU sampler, normalised to the Chrome DevTools `.cpuprofile` format (0-based callFrame
 * positions, `positionTicks` with 1-based lines), which DevTools and VS Code load directly.
 *
 * Uses the v8-profiler-next addon (an optional dependency, built from source per Node ABI); where
 * it cannot load (not installed, or built for another Node), falls back to node:inspector's
 * Profiler domain, which produces the same format.
 */
import type { Session } from "node:inspector";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import Module from "node:module";
import { postSync } from "./child-helpers";

/**
 * Load v8-profiler-next without its binary locator: the addon finds its compiled binding through
 * node-pre-gyp, npmlog and semver, which costs ~130 ms on every start of a profiled program. The
 * binding sits where node-pre-gyp's `module_path` template in the addon's package.json puts it;
 * when it is there we hand it to the addon's loader directly, otherwise the addon loads as usual.
 */
function loadAddon(): V8ProfilerNext {
  const root = dirname(require.resolve("v8-profiler-next/package.json"));
  const bindingModule = join(root, "lib", "binding.js");
  const candidates = [
    join(root, "build", "binding", "Release", `node-v${process.versions.modules}-${process.platform}-${process.arch}`, "profiler.node"),
    join(root, "build", "Release", "profiler.node"),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (found && !require.cache[bindingModule]) {
    const stub = new Module(bindingModule);
    stub.filename = bindingModule;
    stub.loaded = true;
    stub.exports = require(found);
    require.cache[bindingModule] = stub;
  }
  return require("v8-profiler-next") as V8ProfilerNext;
}

/**
 * Why the addon did not load, as one whole line with what to do: it is an optional dependency
 * (not installed with --omit=optional, or its native build failed), or it was built for another Node.
 */
export function addonFailureReason(err: NodeJS.ErrnoException): string {
  const message = err.message.split("\nRequire stack:")[0].replace(/\s*\n\s*/g, " ").trim();
  if (err.code === "MODULE_NOT_FOUND" && /'v8-profiler-next(\/package\.json)?'/.test(message)) {
    return "v8-profiler-next is not installed (optional; for the in-process sampler: npm install v8-profiler-next, which builds with python3, make and a C++ compiler)";
  }
  const abi = /NODE_MODULE_VERSION (\d+)\..*NODE_MODULE_VERSION (\d+)/.exec(message);
  if (abi) {
    return `v8-profiler-next was built for another Node (module version ${abi[1]}, this Node ${process.versions.node} needs ${abi[2]}): run npm rebuild v8-profiler-next`;
  }
  return `v8-profiler-next did not load: ${message}`;
}

// Reference: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile
export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number };
  hitCount: number;
  children?: number[];
  positionTicks?: Array<{ line: number; ticks: number }>;
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface V8ProfilerNext {
  setGenerateType(type: number): void;
  setSamplingInterval(us: number): void;
  startProfiling(title: string, recordSamples: boolean): void;
  stopProfiling(title: string): RawProfile;
}
interface RawProfile {
  nodes: Array<{
    id: number;
    hitCount: number;
    children?: number[];
    callFrame: {
      functionName: string;
      scriptId: number | string;
      url: string;
      lineNumber: number;
      columnNumber: number;
      lineTicks?: Array<{ line: number; hitCount: number }> | null;
    };
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
  delete?: () => void;
}

const TITLE = "tsprof";

export class CpuSampler {
  readonly kind: "v8-profiler-next" | "inspector";
  /** Why the native addon was not used (one line), or null. */
  readonly fallbackReason: string | null;
  private addon: V8ProfilerNext | null = null;
  private session: Session | null = null;
  private running = false;

  /**
   * @param inspectorOnly use node:inspector even where the addon loads: in the program's worker
   *   threads, as the addon's profiler crashes the process when a worker that it samples is terminated.
   */
  constructor(
    readonly intervalUs: number,
    inspectorOnly = false,
  ) {
    let reason: string | null = null;
    if (inspectorOnly) reason = "a worker thread";
    else if (process.env.TSPROF_SAMPLER === "inspector") reason = "TSPROF_SAMPLER=inspector";
    else {
      try {
        this.addon = loadAddon();
      } catch (err) {
        reason = addonFailureReason(err as NodeJS.ErrnoException);
      }
    }
    this.kind = this.addon ? "v8-profiler-next" : "inspector";
    this.fallbackReason = reason;
  }

  start(): void {
    if (this.addon) {
      this.addon.setGenerateType(1);
      this.addon.setSamplingInterval(this.intervalUs);
      this.addon.startProfiling(TITLE, true);
    } else {
      // node:inspector loads only for this fallback.
      const { Session: InspectorSession } = require("node:inspector") as typeof import("node:inspector");
      this.session = new InspectorSession();
      this.session.connect();
      this.post("Profiler.enable");
      this.post("Profiler.setSamplingInterval", { interval: this.intervalUs });
      this.post("Profiler.start");
    }
    this.running = true;
  }

  /** Stop and return the profile. Synchronous, so it can run in a process 'exit' handler. */
  stop(): CpuProfile | null {
    if (!this.running) return null;
    this.running = false;
    if (this.addon) {
      const raw = this.addon.stopProfiling(TITLE);
      const profile = normaliseAddonProfile(raw);
      raw.delete?.();
      return profile;
    }
    const result = this.post("Profiler.stop") as { profile?: CpuProfile } | undefined;
    this.session?.disconnect();
    return result?.profile ?? null;
  }

  /** Session.post on the main thread answers synchronously; we rely on that in exit handlers. */
  private post(method: string, params?: object): unknown {
    return postSync(this.session!, method, params);
  }
}

/** v8-profiler-next gives 1-based positions and `lineTicks` inside callFrame: make it DevTools' format. */
export function normaliseAddonProfile(raw: RawProfile): CpuProfile {
  return {
    nodes: raw.nodes.map((n) => {
      const node: CpuProfileNode = {
        id: n.id,
        callFrame: {
          functionName: n.callFrame.functionName,
          scriptId: String(n.callFrame.scriptId),
          url: n.callFrame.url,
          lineNumber: n.callFrame.lineNumber - 1,
          columnNumber: n.callFrame.columnNumber - 1,
        },
        hitCount: n.hitCount,
        children: n.children ?? [],
      };
      if (n.callFrame.lineTicks && n.callFrame.lineTicks.length > 0) {
        node.positionTicks = n.callFrame.lineTicks.map((t) => ({ line: t.line, ticks: t.hitCount }));
      }
      return node;
    }),
    startTime: raw.startTime,
    endTime: raw.endTime,
    samples: raw.samples,
    timeDeltas: raw.timeDeltas,
  };
}
