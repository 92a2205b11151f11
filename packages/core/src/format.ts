/** Small formatting helpers shared by the text renderers. Pure functions. */

export const MiB = 1024 * 1024;

export function bytesToMiB(bytes: number): number {
  return bytes / MiB;
}

/**
 * Should output be colored? FORCE_COLOR (other than "0"/"false") forces it on, as chalk and Node's
 * own tools read it; otherwise off when NO_COLOR is set (https://no-color.org/) or TERM=dumb (a
 * terminal that cannot interpret escapes, e.g. Emacs' shell), else on a terminal only.
 */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "0" && force !== "false") return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  if (force === "0" || force === "false") return false;
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

/** Tab stops of the terminal, as `expand` and most terminals set them. */
const TAB_WIDTH = 8;

/**
 * A source line as a table shows it: without the file's byte-order mark, tabs expanded to the
 * terminal's stops (so the columns before it stay aligned), control characters removed (a file must
 * not drive the terminal), and cut to `maxChars` with an ellipsis. Saved results keep the raw text.
 */
export function displaySourceLine(text: string, maxChars = Infinity): string {
  let out = "";
  for (const ch of text.replace(/^\uFEFF/, "")) {
    if (ch === "\t") out += " ".repeat(TAB_WIDTH - (out.length % TAB_WIDTH));
    else if (!/[\u0000-\u001f\u007f-\u009f]/.test(ch)) out += ch;
  }
  if (out.length <= maxChars) return out;
  return maxChars <= 1 ? "…".slice(0, Math.max(0, maxChars)) : out.slice(0, maxChars - 1) + "…";
}

/**
 * How wide a table may be: the terminal's width on a terminal (COLUMNS when set), otherwise none;
 * piped output is not cut except for lines longer than `pipedLimit` (a minified bundle's 5,000
 * characters help nobody in a file either).
 */
export function outputWidth(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv = process.env, pipedLimit = 1000): number {
  if (stream.isTTY && stream.columns && stream.columns > 0) return stream.columns;
  const columns = Number(env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  return pipedLimit;
}
