/** The machine a study ran on (CPU model, cores, caches from systeminformation, memory, Node, OS). */
import * as os from "node:os";
import type { MachineInfo } from "@tsprof/core";
import * as si from "systeminformation";

export async function collectMachineInfo(): Promise<MachineInfo> {
  let cpuModel = os.cpus()[0]?.model ?? "unknown CPU";
  let cores = os.cpus().length;
  let l1dBytes: number | null = null;
  let l2Bytes: number | null = null;
  let l3Bytes: number | null = null;
  try {
    const cpu = await si.cpu();
    cpuModel = [cpu.manufacturer, cpu.brand].filter(Boolean).join(" ") || cpuModel;
    cores = cpu.cores || cores;
    const positive = (v: unknown) => (typeof v === "number" && v > 0 ? v : null);
    l1dBytes = positive(cpu.cache?.l1d);
    l2Bytes = positive(cpu.cache?.l2);
    l3Bytes = positive(cpu.cache?.l3);
  } catch {
    // systeminformation could not read the CPU: keep the os module's view and unknown caches.
  }
  return {
    cpuModel,
    cores,
    l1dBytes,
    l2Bytes,
    l3Bytes,
    memoryBytes: os.totalmem(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/**
 * The chapter's estimate (Matrix and Vector Computation, after Example 6-20) of the largest N whose
 * two N x N float64 grids (input and output) fit in a cache of `cacheBytes`: sqrt(cacheBytes / 8 / 2).
 */
export function largestGridFittingCache(cacheBytes: number): number {
  return Math.floor(Math.sqrt(cacheBytes / 8 / 2));
}
