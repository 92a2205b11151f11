import blessed from "blessed";
import type { MachineInfo, StudyCounters, StudyResult } from "@tsprof/core";
import { writeResultFile } from "@tsprof/core";
import { nonFiniteChecksums } from "./headless";
import type { ActionState } from "./model";
import {
  applyStudyEvent,
  createState,
  finishWith,
  moveSelection,
  partialResult,
  resetForRerun,
  selectedVariant,
  setAction,
  setCountersNote,
  setMachine,
  setMessage,
  stopStudy,
  type DashboardState,
} from "./model";
import { computeLayout, type PaneName } from "./layout";
import {
  renderActionPane,
  renderCountersTable,
  renderFooter,
  renderMemoryTable,
  renderProgress,
  renderRuntimeTable,
  renderSpeedupTable,
  renderSystem,
  renderTooSmall,
  tablesWidth,
} from "./render";
import { renderSpeedupChart } from "./chart";
import type { StudyOptions, StudyRunner } from "./study-runner";
import type { VariantInfo } from "@tsprof/core";

/**
 * The blessed terminal UI. All it does: keep one DashboardState, fold StudyEvents and keys into
 * it with the model's functions, and place the render functions' strings in boxes.
 */

export interface DashboardActions {
  /** `p`: line-profile a variant. */
  lineProfile(variant: string, state: DashboardState, signal: AbortSignal): Promise<ActionState>;
  /** `m`: draw a variant's memory plot. */
  memPlot(variant: string, state: DashboardState, signal: AbortSignal): Promise<ActionState>;
  /**
   * Counters of one variant, measured after the study (the study itself reports none). Absent:
   * the pane says why there are none.
   */
  measureCounters?(variant: string, state: DashboardState, signal: AbortSignal): Promise<StudyCounters>;
  /** Why there are no counters, when measureCounters is absent. */
  countersUnavailable?: string;
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
}

const PANE_LABELS: Record<PaneName, string> = {
  progress: " progress ",
  system: " system ",
  runtime: " runtime, seconds (Table 6-1) ",
  speedup: " speedup vs baseline (Table 6-2) ",
  memory: " peak memory per variant ",
  counters: " counters per variant ",
  chart: " speedup vs grid size (Figure 6-4) ",
  action: " line profile / memory plot ",
};

/** Run the dashboard until the user quits. Resolves to the exit code. */
export function runDashboardTui(options: TuiOptions): Promise<number> {
  return new Promise<number>((resolveExit) => {
    // Draw borders and the chart with UTF-8 line characters rather than the terminal's
    // alternate character set: every UTF-8 terminal shows them, and a captured pane (tmux
    // capture-pane) then holds the same characters the user sees. NCURSES_NO_UTF8_ACS is the
    // ncurses convention blessed follows; a user's own setting wins.
    if (process.env.NCURSES_NO_UTF8_ACS === undefined && isUtf8Locale(process.env)) process.env.NCURSES_NO_UTF8_ACS = "1";
    const screen = blessed.screen({
      smartCSR: true,
      fullUnicode: true,
      autoPadding: true,
      warnings: false,
      title: "tsprof dashboard",
    });

    let state: DashboardState = createState(
      { workload: options.study.workload, variants: options.variants, sizes: options.study.sizes, iterations: options.study.iterations },
      Date.now(),
    );

    const panes = {} as Record<PaneName, blessed.Widgets.BoxElement>;
    for (const name of Object.keys(PANE_LABELS) as PaneName[]) {
      panes[name] = blessed.box({
        parent: screen,
        label: PANE_LABELS[name],
        border: { type: "line" },
        tags: false,
        wrap: false,
        style: { border: { fg: "cyan" }, label: { fg: "white", bold: true } },
      });
    }
    const footer = blessed.box({ parent: screen, height: 1, tags: false, wrap: false, style: { fg: "black", bg: "cyan" } });
    const tooSmall = blessed.box({ parent: screen, top: 0, left: 0, width: "100%", height: "100%", tags: false, wrap: false, hidden: true });

    let studyController: AbortController | null = null;
    let studyDone: Promise<void> = Promise.resolve();
    let actionController: AbortController | null = null;
    let quitting = false;

    // Rendering is coalesced: events can arrive faster than a terminal wants to be redrawn.
    let renderTimer: NodeJS.Timeout | null = null;
    const scheduleRender = (): void => {
      if (renderTimer || quitting) return;
      renderTimer = setTimeout(() => {
        renderTimer = null;
        draw();
      }, 50);
    };

    const draw = (): void => {
      if (quitting) return;
      const width = screen.width as number;
      const height = screen.height as number;
      const layout = computeLayout(width, height, state.variants.length, tablesWidth(state));
      if (layout.kind === "too-small") {
        for (const box of Object.values(panes)) box.hide();
        footer.hide();
        tooSmall.show();
        tooSmall.setContent(renderTooSmall(width, height, layout.needWidth, layout.needHeight).join("\n"));
        screen.render();
        return;
      }
      tooSmall.hide();
      footer.show();
      const now = Date.now();
      for (const name of Object.keys(panes) as PaneName[]) {
        const box = panes[name];
        const rect = layout.panes[name];
        box.top = rect.top;
        box.left = rect.left;
        box.width = rect.width;
        box.height = rect.height;
        box.show();
        const innerW = Math.max(1, rect.width - 2);
        const innerH = Math.max(1, rect.height - 2);
        box.setContent(paneContent(name, state, now, innerW, innerH).slice(0, innerH).join("\n"));
      }
      footer.top = layout.footer.top;
      footer.left = 0;
      footer.width = layout.footer.width;
      footer.setContent(renderFooter(state, layout.footer.width));
      screen.render();
    };

    const saveJson = (result: StudyResult): void => {
      if (!options.jsonPath) return;
      try {
        writeResultFile(options.jsonPath, result);
        const warning = nonFiniteChecksums(result);
        state = setMessage(state, warning ? `saved ${options.jsonPath}; ${warning}` : `saved ${options.jsonPath}`);
      } catch (err) {
        state = setMessage(state, `cannot write ${options.jsonPath}: ${(err as Error).message}`);
      }
    };

    const startStudy = (): void => {
      const controller = new AbortController();
      studyController = controller;
      const isCurrent = (): boolean => studyController === controller;
      studyDone = options.runner
        .runStudy({ ...options.study, signal: controller.signal }, (event) => {
          if (!isCurrent()) return;
          state = applyStudyEvent(state, event, Date.now());
          scheduleRender();
        })
        .then(async (result) => {
          if (!isCurrent()) return;
          // The saved result carries the machine it ran on, as the dashboard read it (fuller CPU
          // name, the distribution); the runner's own reading is the fallback.
          const machine = (await options.machine.catch(() => null)) ?? result.machine;
          state = finishWith(state, { ...result, machine }, Date.now());
          if (state.result) saveJson(state.result);
          scheduleRender();
          if (state.counters.length === 0) await measureCounters(controller);
        })
        .catch((err: unknown) => {
          if (!isCurrent()) return;
          const aborted = controller.signal.aborted;
          state = stopStudy(state, aborted ? "aborted" : "failed", aborted ? null : `study failed: ${(err as Error).message.split("\n")[0]}`, Date.now());
          scheduleRender();
        });
    };

    /** After the study: counters per variant, one at a time, shown as they come. */
    const measureCounters = async (controller: AbortController): Promise<void> => {
      const measure = options.actions.measureCounters;
      if (!measure) {
        state = setCountersNote(state, `counters: n/a (${options.actions.countersUnavailable ?? "not measured"})`);
        scheduleRender();
        return;
      }
      const names = state.variants.filter((v) => !v.unavailable).map((v) => v.name);
      for (const [i, name] of names.entries()) {
        if (controller.signal.aborted || studyController !== controller) return;
        state = setCountersNote(state, `measuring counters: ${name} (${i + 1} of ${names.length})…`);
        scheduleRender();
        const counters = await measure(name, state, controller.signal).catch(
          (err: Error): StudyCounters => ({ variant: name, size: 0, simulated: false, ipc: null, cacheMissPct: null, instructions: null, note: `counters: n/a (${err.message})` }),
        );
        if (controller.signal.aborted || studyController !== controller) return;
        state = applyStudyEvent(state, { type: "counters", counters }, Date.now());
      }
      state = setCountersNote(state, null);
      if (state.result) {
        const result = { ...state.result, counters: state.counters };
        state = { ...state, result };
        saveJson(result);
      }
      scheduleRender();
    };

    const runAction = (kind: "line" | "mem"): void => {
      const variant = selectedVariant(state);
      if (!variant) return;
      actionController?.abort();
      const controller = new AbortController();
      actionController = controller;
      state = setAction(state, { kind, variant: variant.name, status: "running", lines: [] });
      scheduleRender();
      const run = kind === "line" ? options.actions.lineProfile : options.actions.memPlot;
      run(variant.name, state, controller.signal)
        .then((action) => {
          if (actionController !== controller) return;
          state = setAction(state, action);
          if (action.path) state = setMessage(state, `memory plot: ${action.path}`);
          scheduleRender();
        })
        .catch((err: unknown) => {
          if (actionController !== controller) return;
          state = setAction(state, { kind, variant: variant.name, status: "failed", lines: [(err as Error).message] });
          scheduleRender();
        });
    };

    const quit = async (code: number): Promise<void> => {
      if (quitting) return;
      studyController?.abort();
      actionController?.abort();
      // Let the runner stop its child and settle, so nothing measured so far is lost.
      await Promise.race([studyDone, new Promise((r) => setTimeout(r, 5000).unref())]);
      if (state.phase !== "done" && state.cells.length > 0 && options.jsonPath) {
        saveJson(partialResult(state, options.study.command ?? ["dashboard"]));
      } else if (state.result && state.counters.length > state.result.counters.length) {
        // Quit while counters were still being measured: keep those measured so far.
        saveJson({ ...state.result, counters: state.counters });
      }
      quitting = true;
      clearInterval(ticker);
      if (renderTimer) clearTimeout(renderTimer);
      process.removeListener("SIGTERM", onSigterm);
      screen.destroy();
      options.actions.dispose?.();
      resolveExit(code);
    };
    const onSigterm = (): void => void quit(143);
    process.on("SIGTERM", onSigterm);

    screen.key(["q"], () => void quit(0));
    // In raw mode Ctrl-C arrives as a key, not as SIGINT.
    screen.key(["C-c"], () => void quit(130));
    screen.key(["up", "k"], () => {
      state = moveSelection(state, -1);
      draw();
    });
    screen.key(["down", "j"], () => {
      state = moveSelection(state, 1);
      draw();
    });
    screen.key(["p"], () => runAction("line"));
    screen.key(["m"], () => runAction("mem"));
    screen.key(["r"], () => {
      studyController?.abort();
      state = resetForRerun(state, Date.now());
      startStudy();
      draw();
    });
    screen.on("resize", () => draw());

    // Elapsed times tick between progress events.
    const ticker = setInterval(() => {
      if (state.phase === "running" || state.phase === "starting") draw();
    }, 500);

    options.machine
      .then((machine) => {
        if (machine) {
          state = setMachine(state, machine);
        }
        scheduleRender();
      })
      .catch((err: Error) => {
        state = setMessage(state, `system information unavailable: ${err.message}`);
        scheduleRender();
      });

    draw();
    startStudy();
  });
}

/** The strings for one pane. */
export function paneContent(name: PaneName, state: DashboardState, now: number, width: number, height: number): string[] {
  switch (name) {
    case "progress":
      return renderProgress(state, now, width);
    case "system":
      return renderSystem(state.machine, width);
    case "runtime":
      return renderRuntimeTable(state, width);
    case "speedup":
      return renderSpeedupTable(state, width);
    case "memory":
      return renderMemoryTable(state, width);
    case "counters":
      return renderCountersTable(state, width);
    case "chart":
      return renderSpeedupChart(state, width, height);
    case "action":
      return renderActionPane(state, width, height);
  }
}

/** The same test blessed uses to decide whether the terminal takes UTF-8. */
export function isUtf8Locale(env: NodeJS.ProcessEnv): boolean {
  return /utf-?8/i.test([env.LANG, env.LANGUAGE, env.LC_ALL, env.LC_CTYPE].join(":"));
}
