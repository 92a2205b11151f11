import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import type { HardwareStatus } from "@tsprof/core";

/** /proc/sys/kernel/perf_event_paranoid, or null where there is none (not Linux, no perf_events). */
export function readPerfEventParanoid(path = "/proc/sys/kernel/perf_event_paranoid"): number | null {
  try {
    const value = Number(readFileSync(path, "utf8").trim());
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

export const PERF_MISSING_MESSAGE =
  "perf not found: hardware counters need perf (Debian/Ubuntu: apt-get install linux-perf; Fedora: dnf install perf)";
export const VALGRIND_MISSING_MESSAGE =
  "valgrind not found: the cache simulation needs it (Debian/Ubuntu: apt-get install valgrind)";

/** How to read perf's own failure (its stderr and exit code) for the user, in one line. */
export function diagnosePerfStderr(stderr: string): { hardware?: HardwareStatus; usage?: string } {
  const paranoid = /perf_event_paranoid setting is (-?\d+)/.exec(stderr);
  if (/Access to performance monitoring and observability operations is limited|No permission to enable/.test(stderr)) {
    const level = paranoid ? paranoid[1] : String(readPerfEventParanoid() ?? "?");
    return {
      hardware: {
        state: "blocked",
        message:
          `perf is not allowed to count here (kernel.perf_event_paranoid=${level}): ` +
          "fix: sudo sysctl kernel.perf_event_paranoid=1 (or run with CAP_PERFMON)",
      },
    };
  }
  const badEvent = /event syntax error: '([^']*)'\n(\s*)\\/.exec(stderr);
  if (badEvent) {
    // perf points at the bad token of the list with "\___"; name that event only.
    const line = stderr.slice(stderr.lastIndexOf("\n", badEvent.index) + 1);
    const column = badEvent[2].length - (line.indexOf("'") + 1);
    let start = 0;
    const bad = badEvent[1].split(",").find((event) => {
      const hit = column >= start && column <= start + event.length;
      start += event.length + 1;
      return hit;
    });
    return { usage: `perf does not know the event '${bad ?? badEvent[1]}' (see 'perf list')` };
  }
  if (/event syntax error/.test(stderr)) return { usage: "perf rejected the event list (see 'perf list')" };
  return {};
}

/**
 * Check an event list and perf's availability without running the workload (perf stat -e ... true),
 * so a typo is one line of ours, not perf's usage text mixed into the workload's stderr.
 */
export function preflightPerf(perf: string, events: string[]): Promise<{ missing: boolean; usage?: string; hardware?: HardwareStatus }> {
  return new Promise((resolve) => {
    execFile(perf, ["stat", "-x", ",", "-e", events.join(","), "true"], { timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") resolve({ missing: true });
      else resolve({ missing: false, ...diagnosePerfStderr(stderr ?? "") });
    });
  });
}

/** Note for events perf limited to user space (":u" appended when paranoid >= 2 and not root). */
export function userOnlyNote(events: string[]): string | null {
  if (!events.some((e) => /:u$/.test(e))) return null;
  return (
    "perf counted user space only (events shown with :u; kernel.perf_event_paranoid >= 2): " +
    "fix: sudo sysctl kernel.perf_event_paranoid=1 to include the kernel"
  );
}

/**
 * Does this machine have hardware counters? `perf stat -e instructions true` tells: a count, or
 * `<not supported>`. Resolves to a reason string when it does not (perf missing, blocked, no PMU).
 */
export function probeHardwareCounters(perf = "perf"): Promise<{ available: boolean; reason: string }> {
  return new Promise((resolve) => {
    execFile(perf, ["stat", "-x", ",", "-e", "instructions", "true"], { timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
        resolve({ available: false, reason: PERF_MISSING_MESSAGE });
        return;
      }
      const line = stderr.split("\n").find((l) => /instructions/.test(l)) ?? "";
      if (/^\d/.test(line.trim())) resolve({ available: true, reason: "perf counts instructions" });
      else if (/not supported/.test(line)) resolve({ available: false, reason: "no hardware PMU: perf reports instructions <not supported>" });
      else resolve({ available: false, reason: diagnosePerfStderr(stderr).hardware?.message ?? `perf stat failed: ${stderr.trim().split("\n")[0] ?? ""}` });
    });
  });
}

/** strsignal() texts perf prints (via psignal) when the workload dies of a signal. */
const SIGNAL_TEXTS: Record<string, string> = {
  Killed: "SIGKILL",
  Terminated: "SIGTERM",
  Interrupt: "SIGINT",
  Aborted: "SIGABRT",
  "Segmentation fault": "SIGSEGV",
  "Bus error": "SIGBUS",
  "Floating point exception": "SIGFPE",
  "Illegal instruction": "SIGILL",
  Hangup: "SIGHUP",
  Quit: "SIGQUIT",
  "Broken pipe": "SIGPIPE",
  "Trace/breakpoint trap": "SIGTRAP",
  "User defined signal 1": "SIGUSR1",
  "User defined signal 2": "SIGUSR2",
};

/** The signal that killed the workload, from perf's "<argv0>: Killed" line; null if none. */
export function workloadSignalFromStderr(stderr: string, argv0: string): string | null {
  for (const line of stderr.split("\n").reverse()) {
    const prefix = `${argv0}: `;
    if (!line.startsWith(prefix)) continue;
    const text = line.slice(prefix.length).trim();
    if (SIGNAL_TEXTS[text]) return SIGNAL_TEXTS[text];
  }
  return null;
}
