/**
 * Chrome DevTools' `.cpuprofile` from a saved line result. The model already keeps DevTools'
 * layout in original positions; what DevTools also needs is a scriptId per script.
 */
import type { LineProfileResult, SampledCpuProfile } from "@tsprof/core";
import { cpuProfilesOf, requireKind } from "./common";

// Reference: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile
export interface ChromeCpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number };
    hitCount: number;
    children?: number[];
    positionTicks?: Array<{ line: number; ticks: number }>;
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One sampled profile as a DevTools profile: scripts numbered in order of first appearance. */
export function chromeCpuProfile(profile: SampledCpuProfile): ChromeCpuProfile {
  const scriptIds = new Map<string, string>();
  const scriptId = (url: string) => {
    if (!url) return "0";
    let id = scriptIds.get(url);
    if (!id) scriptIds.set(url, (id = String(scriptIds.size + 1)));
    return id;
  };
  return {
    nodes: profile.nodes.map((n) => ({
      id: n.id,
      callFrame: { ...n.callFrame, scriptId: scriptId(n.callFrame.url) },
      hitCount: n.hitCount,
      children: n.children ?? [],
      ...(n.positionTicks ? { positionTicks: n.positionTicks } : {}),
    })),
    startTime: profile.startTime,
    endTime: profile.endTime,
    samples: profile.samples,
    timeDeltas: profile.timeDeltas,
  };
}

/**
 * A line result's CPU profile as `.cpuprofile` JSON text. A .cpuprofile holds one thread: the main
 * thread's, unless `thread` names another.
 */
export function toCpuprofile(result: LineProfileResult, thread = "main"): string {
  // A saved file of another kind can reach here through `show`: say what it is, not "this line result".
  requireKind(result, ["line"], "cpuprofile");
  const profiles = cpuProfilesOf(result, "cpuprofile");
  const chosen = profiles.find((p) => p.thread === thread) ?? profiles[0];
  return JSON.stringify(chromeCpuProfile(chosen));
}
