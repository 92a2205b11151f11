/**
 * Text that came from a file or a child process (event names, source lines, function names,
 * error messages) is printed to a terminal: an escape sequence in it could set the window title,
 * clear the screen or rewrite what the user sees. These helpers remove every control character
 * before printing. Pure functions; renderers call them on each field they did not write themselves.
 */

/** ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and two-byte escapes. */
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -~]?)/g;
/** C0 controls but tab and newline, DEL, and C1 controls (U+0080..U+009F, which some terminals obey). */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const LINE_BREAKS = /[\n\t]/g;

/** One line of untrusted text, safe to print: escape sequences and control characters removed, tabs and newlines as spaces. */
export function printable(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, "").replace(CONTROL, "").replace(LINE_BREAKS, " ");
}

/** Untrusted text of several lines, safe to print: as printable(), but newlines and tabs are kept. */
export function printableLines(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, "").replace(CONTROL, "");
}

/** True when the text holds nothing a terminal could act on. */
export function isPrintable(text: string): boolean {
  return printableLines(text) === text;
}

/**
 * A copy of a result with every string made printable (printableLines): renderers call this first,
 * so names, source lines and notes read from a file or a child (or a hand-edited result given to
 * `tsprof show`) never reach the terminal with an escape sequence in them. Keys are cleaned too (a
 * map keyed by event name is printed by its keys); numbers, booleans and null pass through.
 */
export function printableDeep<T>(value: T): T {
  if (typeof value === "string") return printableLines(value) as T;
  if (Array.isArray(value)) return value.map((v) => printableDeep(v)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[printableLines(k)] = printableDeep(v);
    return out as T;
  }
  return value;
}
