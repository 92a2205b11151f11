import { performance } from "node:perf_hooks";
import * as os from "node:os";
import type { MachineInfo } from "@tsprof/core";

/**
 * The machine a study ran on (what the dashboard's system pane shows and a saved study records),
 * read with systeminformation (local files and commands only: /proc/cpuinfo, lscpu,
 * /etc/os-release; no network).
 */
export async function collectMachineInfo(): Promise<MachineInfo> {
  // Loaded lazily: it is only needed when a study runs, and it is large.
  const si = (await import("systeminformation")).default;
  const [cpu, cache, mem, osInfo] = await Promise.all([si.cpu(), si.cpuCache(), si.mem(), si.osInfo()]);
  return machineInfoFrom({
    manufacturer: cpu.manufacturer,
    brand: cpu.brand,
    osModel: os.cpus()[0]?.model ?? "",
    cores: cpu.cores || os.cpus().length,
    l1d: cache.l1d ?? cpu.cache?.l1d,
    l2: cache.l2 ?? cpu.cache?.l2,
    l3: cache.l3 ?? cpu.cache?.l3,
    memoryBytes: mem.total || os.totalmem(),
    node: process.version,
    os: [osInfo.distro, osInfo.release, `(kernel ${osInfo.kernel})`].filter(Boolean).join(" "),
  });
}

/** The raw readings gatherMachineInfo combines; separate so the combination is testable. */
export interface MachineReadings {
  manufacturer: string;
  brand: string;
  /** os.cpus()[0].model, e.g. "AMD EPYC 7B13 64-Core Processor" (sometimes shorter than brand). */
  osModel: string;
  cores: number;
  l1d: number | undefined | null;
  l2: number | undefined | null;
  l3: number | undefined | null;
  memoryBytes: number;
  node: string;
  os: string;
}

export function machineInfoFrom(r: MachineReadings): MachineInfo {
  const fromSi = [r.manufacturer, r.brand].filter((s) => s && s.trim() !== "").join(" ").trim();
  // Prefer the longer name: systeminformation trims the model, the kernel's string may be fuller.
  const cpuModel = r.osModel.trim().length > fromSi.length ? r.osModel.trim() : fromSi || "unknown CPU";
  const bytes = (value: number | undefined | null): number | null =>
    typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;
  return {
    cpuModel,
    cores: r.cores,
    l1dBytes: bytes(r.l1d),
    l2Bytes: bytes(r.l2),
    l3Bytes: bytes(r.l3),
    memoryBytes: r.memoryBytes,
    node: r.node,
    os: r.os,
  };
}

/** Milliseconds every CPU of the machine has spent idle so far (os.cpus(): /proc/stat on Linux). */
function idleMs(): number {
  return os.cpus().reduce((sum, cpu) => sum + cpu.times.idle, 0);
}

/**
 * Watches how many cores the machine leaves idle while a cell runs: idle CPU time / wall time.
 * With the cell's own cores busy it says how many cores the cell could have had: a worker variant
 * on a machine whose other load leaves it one core cannot show what a second core does.
 */
export function watchIdleCores(): { stop(): number | null } {
  const idleStart = idleMs();
  const start = performance.now();
  return {
    stop() {
      const wallMs = performance.now() - start;
      // os.cpus() times tick in 10 ms units: a cell shorter than a few ticks says nothing.
      if (wallMs < 100) return null;
      return Math.max(0, idleMs() - idleStart) / wallMs;
    },
  };
}
