/**
 * TypeScript's parser is large (~200 ms to load): loaded on the first file that needs parsing, so
 * that importing the runner (and running scripts with nothing to instrument) stays fast.
 */
import type * as TS from "typescript";

let loaded: typeof TS | undefined;

export function typescript(): typeof TS {
  return (loaded ??= require("typescript") as typeof TS);
}
