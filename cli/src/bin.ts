#!/usr/bin/env node
/**
 * The `tsprof` command. Thin on purpose: parse argv with commander, hand the options to one
 * package call, render, exit. Each command lives in ./commands/<name>.ts.
 */
// First: V8's code cache for the modules that follow (Node 22.1+).
import "./code-cache";
import { main } from "./main";

// `tsprof line x.ts | head`: a closed pipe means the reader has what it wanted; end quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    // EIO: the terminal hung up (SIGHUP): the tables were saved with --json if asked; end quietly.
    if (err.code === "EPIPE" || err.code === "EIO") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  // main() reports every error itself; this is the last guard against a tsprof stack trace.
  (err: unknown) => {
    process.stderr.write(`tsprof: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 70;
  },
);
