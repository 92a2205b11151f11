/**
 * Process-tree helpers for `--include-children` (Linux /proc; elsewhere only the child itself).
 */
import { readFileSync, readdirSync } from "node:fs";

/** Direct children of `pid`, from /proc/<pid>/task/<tid>/children (every thread's children). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8");
    } catch {
      continue;
    }
    for (const part of text.trim().split(/\s+/)) {
      const n = Number(part);
      if (part !== "" && Number.isInteger(n)) out.push(n);
    }
  }
  return out;
}

/** Every descendant of `pid` (not `pid` itself), breadth first. */
export function descendantsOf(pid: number): number[] {
  const seen = new Set<number>();
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    for (const c of childrenOf(next)) {
      if (!seen.has(c) && c !== pid) {
        seen.add(c);
        queue.push(c);
      }
    }
  }
  return [...seen];
}
