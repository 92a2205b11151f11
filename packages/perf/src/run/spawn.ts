import { spawn, type StdioOptions } from "node:child_process";

export interface SpawnOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The end of the child's stderr (also passed through to ours as it came). */
  stderrTail: string;
  /** spawn error code (ENOENT when the program is missing), else null. */
  spawnError: string | null;
  /** A SIGINT (Ctrl-C) reached this process while the program ran. */
  interrupted: boolean;
}

/**
 * Run a program (argument array, no shell). Its stderr is passed through and its last 64 KiB
 * kept for diagnosis. While it runs, Ctrl-C reaches it from the terminal and this process
 * ignores SIGINT so it survives to print what was measured.
 */
export function runTool(
  program: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdout: "inherit" | "stderr" | "ignore"; cwd?: string },
): Promise<SpawnOutcome> {
  return new Promise((resolve) => {
    const stdout = options.stdout === "stderr" ? 2 : options.stdout;
    const stdio: StdioOptions = ["inherit", stdout, "pipe"];
    let tail = "";
    let interrupted = false;
    const ignoreSigint = () => {
      interrupted = true;
    };
    process.on("SIGINT", ignoreSigint);
    let settled = false;
    const finish = (outcome: Omit<SpawnOutcome, "interrupted">) => {
      if (settled) return;
      settled = true;
      process.removeListener("SIGINT", ignoreSigint);
      resolve({ ...outcome, interrupted });
    };
    let child;
    try {
      child = spawn(program, args, { stdio, env: options.env ?? process.env, cwd: options.cwd });
    } catch (err) {
      finish({ exitCode: null, signal: null, stderrTail: "", spawnError: (err as NodeJS.ErrnoException).code ?? "EINVAL" });
      return;
    }
    child.stderr?.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString("utf8")).slice(-65536);
    });
    child.on("error", (err: NodeJS.ErrnoException) => {
      finish({ exitCode: null, signal: null, stderrTail: tail, spawnError: err.code ?? "ERROR" });
    });
    child.on("close", (code, signal) => finish({ exitCode: code, signal, stderrTail: tail, spawnError: null }));
  });
}
