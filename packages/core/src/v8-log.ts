/**
 * Parser of V8's code log (`node --log-code --log-deopt --logfile=F --no-logfile-per-isolate`):
 * which tier each function's code reached and every deoptimization, in the positions of the
 * JavaScript V8 ran (map them through source maps afterwards). Pure: text in, model out.
 *
 * Reference: V8's src/logging/log.cc (Logger::CodeCreateEvent, Logger::CodeDeoptEvent) and the
 * tick processor's tier markers in tools/profile.mjs: "~" interpreted (Ignition), "^" baseline
 * (Sparkplug), "+" Maglev, "*" optimized (TurboFan); V8 12+ adds "'" for on-stack replacement.
 *
 *   code-creation,JS,<type>,<time>,<address>,<size>,<name> <file>:<line>:<column>,<sfi>,<marker>
 *   code-move,<from>,<to>
 *   code-deopt,<time>,<size>,<address>,<inlining id>,<offset>,<kind>,<<file>:<line>:<column>>,<reason>
 */
import type { JitTier } from "./study";

export interface LoggedFunction {
  name: string;
  file: string;
  /** 1-based line and column of the function in the JavaScript V8 ran. */
  line: number;
  column: number;
  tier: JitTier;
  /**
   * Its tier at the end of the log: the highest tier among its code objects that no
   * deoptimization threw away (V8 logs no event when it drops code for other reasons).
   */
  finalTier: JitTier;
  /** Optimized (TurboFan) code objects created for it, on-stack replacement included. */
  optimizations: number;
}

export interface LoggedDeopt {
  /** The function whose optimized code was thrown away ("" when the code was not logged). */
  function: string;
  /** Where that function is, to tell two functions of one name apart. */
  functionFile: string;
  functionLine: number;
  functionColumn: number;
  kind: string;
  reason: string;
  /** The failed check's position (it may be inside an inlined callee). */
  file: string;
  line: number;
  column: number;
}

export interface V8CodeLog {
  functions: LoggedFunction[];
  deopts: LoggedDeopt[];
}

const TIER_OF_MARKER: Record<string, JitTier> = { "~": "interpreter", "^": "sparkplug", "+": "maglev", "*": "turbofan" };
const TIER_RANK: Record<JitTier, number> = { interpreter: 0, sparkplug: 1, maglev: 2, turbofan: 3 };

export function tierRank(tier: JitTier): number {
  return TIER_RANK[tier];
}

/** "name /a/b.js:6:11" → name, file, line, column; null for code without a script position. */
export function parseCodeName(text: string): { name: string; file: string; line: number; column: number } | null {
  const match = /^(.*?) ?((?:file:\/\/)?\/[^\s]*|[A-Za-z]:\\[^\s]*|node:[^\s]*):(\d+):(\d+)$/.exec(text.trim());
  if (!match) return null;
  return { name: match[1].trim(), file: match[2], line: Number(match[3]), column: Number(match[4]) };
}

/** Split one log line; V8 escapes commas inside fields, but a name may still hold them, so the caller joins the middle back. */
function fields(line: string): string[] {
  return line.split(",");
}

/** One code object of a function, while the log is read: its tier, until a deoptimization drops it. */
interface LiveCode {
  fn: LoggedFunction;
  tier: JitTier;
}

export function parseV8CodeLog(text: string): V8CodeLog {
  const byKey = new Map<string, LoggedFunction>();
  const byAddress = new Map<string, LiveCode>();
  const deopts: LoggedDeopt[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("code-creation,JS,")) {
      const f = fields(line);
      if (f.length < 9) continue;
      // Newer V8 marks on-stack-replacement code with a trailing "'" ("*'", "+'").
      const marker = f[f.length - 1].trim().replace(/'$/, "");
      const tier = TIER_OF_MARKER[marker];
      const position = parseCodeName(f.slice(6, f.length - 2).join(","));
      if (!tier || !position || position.file.startsWith("node:")) continue;
      const key = `${position.file}:${position.line}:${position.column}`;
      let fn = byKey.get(key);
      if (!fn) {
        fn = { ...position, tier, finalTier: tier, optimizations: 0 };
        byKey.set(key, fn);
      } else {
        if (position.name && !fn.name) fn.name = position.name;
        if (TIER_RANK[tier] > TIER_RANK[fn.tier]) fn.tier = tier;
      }
      if (tier === "turbofan") fn.optimizations++;
      byAddress.set(f[4], { fn, tier });
    } else if (line.startsWith("code-move,")) {
      const [, from, to] = fields(line);
      const code = byAddress.get(from);
      if (code && to) {
        byAddress.delete(from);
        byAddress.set(to, code);
      }
    } else if (line.startsWith("code-deopt,")) {
      const deopt = parseDeopt(line, byAddress);
      if (deopt) deopts.push(deopt);
      // The deoptimized code is thrown away: it no longer counts for the function's final tier.
      byAddress.delete(fields(line)[3]);
    }
  }
  const finalRank = new Map<LoggedFunction, number>();
  for (const { fn, tier } of byAddress.values()) finalRank.set(fn, Math.max(finalRank.get(fn) ?? 0, TIER_RANK[tier]));
  const functions = [...byKey.values()];
  for (const fn of functions) fn.finalTier = TIER_OF_RANK[finalRank.get(fn) ?? 0];
  return { functions, deopts };
}

const TIER_OF_RANK: JitTier[] = ["interpreter", "sparkplug", "maglev", "turbofan"];

function parseDeopt(line: string, byAddress: Map<string, LiveCode>): LoggedDeopt | null {
  const f = fields(line);
  if (f.length < 9) return null;
  // The location is "<file:line:col>"; the reason is everything after it (it may hold commas).
  const rest = f.slice(7).join(",");
  const close = rest.indexOf(">,");
  if (!rest.startsWith("<") || close < 0) return null;
  const position = parseCodeName(rest.slice(1, close));
  if (!position) return null;
  const owner = byAddress.get(f[3])?.fn;
  return {
    function: owner?.name ?? "",
    functionFile: owner?.file ?? "",
    functionLine: owner?.line ?? 0,
    functionColumn: owner?.column ?? 0,
    kind: f[6],
    reason: rest.slice(close + 2).trim(),
    file: position.file,
    line: position.line,
    column: position.column,
  };
}
