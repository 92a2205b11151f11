import blessed from "blessed";
import type { MachineInfo, StudyResult, VariantInfo } from "@tsprof/core";
import { writeResultFile } from "@tsprof/core";
import { nonFiniteChecksums } from "./headless";
import { cyclePane, PANE_ORDER } from "./layout";
import {
  applyStudyEvent,
  createState,
  finishWith,
  focusPane,
  moveSelection,
  partialResult,
  resetForRerun,
  selectedVariant,
  setAction,
  setMachine,
  setMessage,
  stopStudy,
  type ActionState,
  type DashboardState,
} from "./model";
import { writeStudyPng } from "./png";
import type { StudyOptions, StudyRunner } from "./study-runner";
import { DashboardView } from "./tui-view";


/**
 * The terminal UI's controller: it keeps one DashboardState, folds StudyEvents and keys into it
 * with the model's functions, and asks the view (tui-view.ts) to draw it. The study itself
 * measures the counters and JIT state (its slow causes), so nothing is measured here after it.
 */

export interface DashboardActions {
  /** `p`: line-profile a variant. */
  lineProfile(variant: string, state: DashboardState, signal: AbortSignal): Promise<ActionState>;
  /** `m`: draw a variant's memory plot. */
  memPlot(variant: string, state: DashboardState, signal: AbortSignal): Promise<ActionState>;
  /** Called once on quit: remove temporary files (plots the user was shown stay). */
  dispose?(): void;
}

export interface TuiOptions {
  runner: StudyRunner;
  study: StudyOptions;
  variants: VariantInfo[];
  machine: Promise<MachineInfo | null>;
  actions: DashboardActions;
  /** Where to save the StudyResult (when the study ends, or when quitting mid-way). */
  jsonPath?: string;
  /** Where to draw Figure 6-4 and the runtime bars when the study ends. */
  pngPath?: string;
}

class DashboardController {
  state: DashboardState;
  private studyController: AbortController | null = null;
  private studyDone: Promise<void> = Promise.resolve();
  private actionController: AbortController | null = null;
  private quitting = false;
  private renderTimer: NodeJS.Timeout | null = null;
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly options: TuiOptions,
    private readonly view: DashboardView,
    private readonly onQuit: (code: number) => void,
  ) {
    const { study } = options;
    this.state = createState({ workload: study.workload, variants: options.variants, sizes: study.sizes, iterations: study.iterations }, Date.now());
    // Elapsed times tick between progress events.
    this.ticker = setInterval(() => {
      if (this.state.phase === "running" || this.state.phase === "starting") this.draw();
    }, 500);
  }

  draw(): void {
    if (!this.quitting) this.view.draw(this.state, Date.now());
  }

  /** Rendering is coalesced: events can arrive faster than a terminal wants to be redrawn. */
  scheduleRender(): void {
    if (this.renderTimer || this.quitting) return;
    this.renderTimer = setTimeout(() => {
      this.renderTimer = null;
      this.draw();
    }, 50);
  }

  update(change: (state: DashboardState) => DashboardState, now = false): void {
    this.state = change(this.state);
    if (now) this.draw();
    else this.scheduleRender();
  }

  private saveJson(result: StudyResult): void {
    if (!this.options.jsonPath) return;
    try {
      writeResultFile(this.options.jsonPath, result);
      const warning = nonFiniteChecksums(result);
      this.state = setMessage(this.state, warning ? `saved ${this.options.jsonPath}; ${warning}` : `saved ${this.options.jsonPath}`);
    } catch (err) {
      this.state = setMessage(this.state, `cannot write ${this.options.jsonPath}: ${(err as Error).message}`);
    }
  }

  startStudy(): void {
    const controller = new AbortController();
    this.studyController = controller;
    const isCurrent = (): boolean => this.studyController === controller;
    this.studyDone = this.options.runner
      .runStudy({ ...this.options.study, signal: controller.signal }, (event) => {
        if (isCurrent()) this.update((s) => applyStudyEvent(s, event, Date.now()));
      })
      .then(async (result) => {
        if (!isCurrent()) return;
        // The saved result carries the machine as the dashboard read it (fuller CPU name, the
        // distribution); the runner's own reading is the fallback.
        const machine = (await this.options.machine.catch(() => null)) ?? result.machine;
        this.state = finishWith(this.state, { ...result, machine }, Date.now());
        if (this.state.result) this.saveJson(this.state.result);
        if (this.state.result && this.options.pngPath) {
          const written = await writeStudyPng(this.options.runner, this.state.result, this.options.pngPath);
          this.state = setMessage(this.state, written.split("\n")[0]);
        }
        this.scheduleRender();
      })
      .catch((err: unknown) => {
        if (!isCurrent()) return;
        const aborted = controller.signal.aborted;
        const message = aborted ? null : `study failed: ${(err as Error).message.split("\n")[0]}`;
        this.update((s) => stopStudy(s, aborted ? "aborted" : "failed", message, Date.now()));
      });
  }

  rerun(): void {
    this.studyController?.abort();
    this.state = resetForRerun(this.state, Date.now());
    this.startStudy();
    this.draw();
  }

  runAction(kind: "line" | "mem"): void {
    const variant = selectedVariant(this.state);
    if (!variant) return;
    this.actionController?.abort();
    const controller = new AbortController();
    this.actionController = controller;
    this.update((s) => setAction(s, { kind, variant: variant.name, status: "running", lines: [] }));
    const run = kind === "line" ? this.options.actions.lineProfile : this.options.actions.memPlot;
    run(variant.name, this.state, controller.signal)
      .then((action) => {
        if (this.actionController !== controller) return;
        this.update((s) => (action.path ? setMessage(setAction(s, action), `memory plot: ${action.path}`) : setAction(s, action)));
      })
      .catch((err: unknown) => {
        if (this.actionController !== controller) return;
        this.update((s) => setAction(s, { kind, variant: variant.name, status: "failed", lines: [(err as Error).message] }));
      });
  }

  /** Stop everything, keep what was measured (partial JSON), restore the terminal. */
  async quit(code: number): Promise<void> {
    if (this.quitting) return;
    this.studyController?.abort();
    this.actionController?.abort();
    // Let the runner stop its child and settle, so nothing measured so far is lost.
    await Promise.race([this.studyDone, new Promise((r) => setTimeout(r, 5000).unref())]);
    if (this.state.phase !== "done" && this.state.cells.length > 0 && this.options.jsonPath) {
      this.saveJson(partialResult(this.state, this.options.study.command ?? ["dashboard"]));
    }
    this.quitting = true;
    clearInterval(this.ticker);
    if (this.renderTimer) clearTimeout(this.renderTimer);
    this.options.actions.dispose?.();
    this.onQuit(code);
  }

  watchMachine(): void {
    this.options.machine
      .then((machine) => this.update((s) => (machine ? setMachine(s, machine) : s)))
      .catch((err: Error) => this.update((s) => setMessage(s, `system information unavailable: ${err.message}`)));
  }
}

/** The keys, bound once: selection, panes (numbers, Tab, ←/→, Esc), actions, rerun, quit. */
function bindKeys(screen: blessed.Widgets.Screen, c: DashboardController, view: DashboardView): void {
  screen.key(["q"], () => void c.quit(0));
  // In raw mode Ctrl-C arrives as a key, not as SIGINT.
  screen.key(["C-c"], () => void c.quit(130));
  screen.key(["up", "k"], () => c.update((s) => moveSelection(s, -1), true));
  screen.key(["down", "j"], () => c.update((s) => moveSelection(s, 1), true));
  screen.key(["p"], () => c.runAction("line"));
  screen.key(["m"], () => c.runAction("mem"));
  screen.key(["r"], () => c.rerun());
  PANE_ORDER.forEach((pane, i) => screen.key([String(i + 1)], () => c.update((s) => focusPane(s, pane), true)));
  // Esc / 0: back to the grid (where the terminal is big enough; otherwise the runtime table).
  screen.key(["escape", "0"], () => c.update((s) => focusPane(s, null), true));
  const cycle = (delta: number) => () =>
    c.update((s) => {
      const layout = view.layout(s);
      const current = layout.kind === "single" ? layout.pane : PANE_ORDER[PANE_ORDER.length - 1];
      return focusPane(s, cyclePane(current, layout.kind === "single" ? delta : delta > 0 ? 1 : 0));
    }, true);
  screen.key(["tab", "right", "l"], cycle(1));
  screen.key(["S-tab", "left", "h"], cycle(-1));
  screen.on("resize", () => c.draw());
}

/** Run the dashboard until the user quits. Resolves to the exit code. */
export function runDashboardTui(options: TuiOptions): Promise<number> {
  return new Promise<number>((resolveExit) => {
    // Draw borders and the chart with UTF-8 line characters rather than the terminal's alternate
    // character set: every UTF-8 terminal shows them, and a captured pane (tmux capture-pane)
    // then holds the same characters the user sees. NCURSES_NO_UTF8_ACS is the ncurses
    // convention blessed follows; a user's own setting wins.
    if (process.env.NCURSES_NO_UTF8_ACS === undefined && isUtf8Locale(process.env)) process.env.NCURSES_NO_UTF8_ACS = "1";
    const screen = blessed.screen({ smartCSR: true, fullUnicode: true, autoPadding: true, warnings: false, title: "tsprof dashboard" });
    const view = new DashboardView(screen);
    const onSigterm = (): void => void controller.quit(143);
    const controller = new DashboardController(options, view, (code) => {
      process.removeListener("SIGTERM", onSigterm);
      screen.destroy();
      resolveExit(code);
    });
    process.on("SIGTERM", onSigterm);
    bindKeys(screen, controller, view);
    controller.watchMachine();
    controller.draw();
    controller.startStudy();
  });
}

/** The same test blessed uses to decide whether the terminal takes UTF-8. */
export function isUtf8Locale(env: NodeJS.ProcessEnv): boolean {
  return /utf-?8/i.test([env.LANG, env.LANGUAGE, env.LC_ALL, env.LC_CTYPE].join(":"));
}
