import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
    this.dir = dir;
    this.config = path.join(dir, "tmux.conf");
    writeFileSync(this.config, "set -g remain-on-exit on\nset -g status off\n");
    // The command runs under a small sh that writes its exit status to a file: tmux itself was
    // seen leaving an exited pane process unreaped (a zombie) for many seconds, with no status.
    this.statusFile = path.join(dir, "exit-status");
    const wrapper = 'status_file=$1; shift; "$@"; echo $? > "$status_file"';
    // A tag in the environment of the command and everything it starts, to find leftovers.
    this.tag = `${this.socket}-tag`;
    this.tmux([
      "new-session", "-d", "-s", "dash", "-x", String(width), "-y", String(height), "-c", cwd,
      "-e", `TSPROF_TEST_TAG=${this.tag}`,
      "sh", "-c", wrapper, "sh", this.statusFile, ...argv,
    ]);
  }

  private readonly statusFile: string;
  private readonly tag: string;
  private readonly dir: string;

  tmux(args: string[]): string {
    return execFileSync("tmux", ["-L", this.socket, "-f", this.config, ...args], {
      encoding: "utf8",
      env: { ...process.env, LANG: "C.UTF-8", TMUX: "" },
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

  /** The command's exit status (128 + n for a signal, as sh reports it), once it has ended. */
  async waitForExit(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const text = existsSync(this.statusFile) ? readFileSync(this.statusFile, "utf8").trim() : "";
      if (/^\d+$/.test(text)) return Number(text);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the dashboard did not exit; last pane:\n${this.capture()}`);
  }

  /** Processes still running that the command started (found by the tag in their environment). */
  survivors(): string[] {
    const found: string[] = [];
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        if (readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(`TSPROF_TEST_TAG=${this.tag}`)) {
          found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" ").slice(0, 200)}`);
        }
      } catch {
        // gone, or not ours to read
      }
    }
    return found;
  }

  kill(): void {
    try {
      this.tmux(["kill-server"]);
    } catch {
      // already gone
    }
    // kill-server can leave the socket file behind; it is ours (unique -L name), where tmux puts it.
    const uid = process.getuid?.() ?? 0;
    rmSync(path.join(process.env.TMUX_TMPDIR ?? "/tmp", `tmux-${uid}`, this.socket), { force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
