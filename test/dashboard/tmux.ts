import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A real terminal for the dashboard tests: a tmux server of our own (unique -L socket), one
 * session running one command, read back with capture-pane and driven with send-keys.
 */
export class TmuxSession {
  readonly socket = `tsprof-dash-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly config: string;

  constructor(
    argv: string[],
    readonly width: number,
    readonly height: number,
    cwd: string,
  ) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "tsprof-"));
    // remain-on-exit keeps the pane after the command ends, so its exit status can be read.
    this.config = path.join(dir, "tmux.conf");
    writeFileSync(this.config, "set -g remain-on-exit on\nset -g status off\n");
    this.tmux(["new-session", "-d", "-s", "dash", "-x", String(width), "-y", String(height), "-c", cwd, ...argv]);
  }

  tmux(args: string[]): string {
    return execFileSync("tmux", ["-L", this.socket, "-f", this.config, ...args], {
      encoding: "utf8",
      env: { ...process.env, LANG: "C.UTF-8", TMUX: "", TSPROF_DEBUG_HANDLES: "1" },
    });
  }

  capture(): string {
    return this.tmux(["capture-pane", "-p", "-t", "dash"]);
  }

  keys(...keys: string[]): void {
    this.tmux(["send-keys", "-t", "dash", ...keys]);
  }

  resize(width: number, height: number): void {
    this.tmux(["resize-window", "-t", "dash", "-x", String(width), "-y", String(height)]);
  }

  /** Whether the pane's command ended, and its exit status or the signal that killed it. */
  status(): { dead: boolean; exitCode: number | null; signal: string | null } {
    const [dead, code, signal] = this.tmux(["display-message", "-p", "-t", "dash", "#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}"])
      .trim()
      .split("|");
    return { dead: dead === "1", exitCode: code === undefined || code === "" ? null : Number(code), signal: signal || null };
  }

  /** Poll until `predicate` holds for the captured pane; bounded, returns the last capture. */
  async waitFor(predicate: (pane: string) => boolean, what: string, timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let pane = "";
    while (Date.now() < deadline) {
      pane = this.capture();
      if (predicate(pane)) return pane;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}; last pane:\n${pane}`);
  }

  async waitForExit(timeoutMs = 30_000): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const s = this.status();
      // tmux can mark the pane dead when the terminal closes, a moment before it reaps the
      // process and knows the status: keep polling until one of the two is known.
      if (s.dead && (s.exitCode !== null || s.signal !== null)) {
        if (s.exitCode === null) throw new Error(`the dashboard died of signal ${s.signal}; last pane:\n${this.capture()}`);
        return s.exitCode;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the dashboard did not exit; last pane:\n${this.capture()}`);
  }

  kill(): void {
    try {
      this.tmux(["kill-server"]);
    } catch {
      // already gone
    }
  }
}
