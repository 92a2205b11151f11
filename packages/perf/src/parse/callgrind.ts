// Reference: Valgrind user manual, "Callgrind Format Specification" (valgrind 3.19): a header of
// `desc:`/`cmd:`/`part:`/`events:` lines, `fn=(id) name` lines that name a function the first time
// its compressed id appears, cost lines, and the `summary:`/`totals:` lines of the whole part.
// One dump (--dump-before, callgrind_control -d) is one file, `<out-file>.<n>`.

/** What a callgrind dump says about itself and its totals. */
export interface ParsedCallgrindDump {
  /** Event names in the file's order (Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw Bc Bcm Bi Bim). */
  events: string[];
  /** The part's totals by event name (the `totals:` line, else `summary:`). */
  totals: Record<string, number>;
  /** What made callgrind write this dump: "--dump-before=f", "Program termination", ... */
  trigger: string | null;
  /** Names of the functions that have costs or calls in this dump. */
  functions: Set<string>;
}

/** `fn=(12) name` (defines id 12), `fn=(12)` (uses it), or `fn=name` (--compress-strings=no). */
const NAMED_FUNCTION = /^c?fn=(?:\((\d+)\))? ?(.*)$/;

/** Parse one callgrind dump (its header, function names and totals). Never throws. */
export function parseCallgrindDump(text: string): ParsedCallgrindDump {
  const out: ParsedCallgrindDump = { events: [], totals: {}, trigger: null, functions: new Set() };
  const names = new Map<string, string>();
  let summary: number[] | null = null;
  let totals: number[] | null = null;
  for (const line of text.split("\n")) {
    if (line.startsWith("events:")) out.events = line.slice(7).trim().split(/\s+/);
    else if (line.startsWith("desc: Trigger:")) out.trigger = line.slice(14).trim();
    else if (line.startsWith("summary:")) summary = numbers(line.slice(8));
    else if (line.startsWith("totals:")) totals = numbers(line.slice(7));
    else if (line.startsWith("fn=") || line.startsWith("cfn=")) {
      const m = NAMED_FUNCTION.exec(line);
      if (!m) continue;
      if (m[1] === undefined) out.functions.add(m[2]);
      else {
        if (m[2] !== "") names.set(m[1], m[2]);
        const name = names.get(m[1]);
        if (name !== undefined) out.functions.add(name);
      }
    }
  }
  const values = totals ?? summary ?? [];
  out.events.forEach((event, i) => {
    if (Number.isFinite(values[i])) out.totals[event] = values[i];
  });
  return out;
}

function numbers(text: string): number[] {
  return text.trim().split(/\s+/).map(Number);
}
