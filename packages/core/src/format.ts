/** Small formatting helpers shared by the text renderers. Pure functions. */

export const MiB = 1024 * 1024;

export function bytesToMiB(bytes: number): number {
  return bytes / MiB;
}

/**
 * Should output be colored? On a terminal, unless NO_COLOR is set (https://no-color.org/);
 * FORCE_COLOR forces it on.
 */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

/** Format seconds as a short human duration: 12.3 ms, 1.234 s. */
export function formatSeconds(seconds: number): string {
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(1)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(1)} ms`;
  return `${seconds.toFixed(3)} s`;
}

/** Group digits with commas like perf does: 1234567 -> "1,234,567". */
export function groupDigits(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}
