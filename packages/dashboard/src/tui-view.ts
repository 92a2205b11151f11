import blessed from "blessed";
import { computeLayout, renderTabBar, type DashboardLayout, type PaneName, type Rect } from "./layout";
import type { DashboardState } from "./model";
import {
  renderActionPane,
  renderCountersTable,
  renderFooter,
  renderMemoryTable,
  renderProgress,
  renderRuntimeTable,
  renderSpeedupTable,
  renderStatusLine,
  renderSystem,
  renderWhyPane,
  tablesWidth,
} from "./render";
import { renderSpeedupChart } from "./chart";

/**
 * The dashboard's view: blessed boxes placed where the layout says, filled with the render
 * functions' strings. It holds no state of the study; `draw(state)` is all it does.
 */

const PANE_LABELS: Record<PaneName, string> = {
  progress: " progress ",
  system: " system ",
  runtime: " runtime, seconds (Table 6-1) ",
  speedup: " speedup vs baseline (Table 6-2) ",
  memory: " memory and measured causes ",
  counters: " counters per step and JIT ",
  chart: " speedup vs grid size (Figure 6-4) ",
  why: " why: each variant vs the one before ",
  action: " selected variant / p, m output ",
};

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
    case "why":
      return renderWhyPane(state, width, height);
    case "action":
      return renderActionPane(state, width, height);
  }
}

export class DashboardView {
  private readonly panes = {} as Record<PaneName, blessed.Widgets.BoxElement>;
  private readonly footer: blessed.Widgets.BoxElement;
  private readonly tabs: blessed.Widgets.BoxElement;
  private readonly status: blessed.Widgets.BoxElement;

  constructor(private readonly screen: blessed.Widgets.Screen) {
    for (const name of Object.keys(PANE_LABELS) as PaneName[]) {
      this.panes[name] = blessed.box({
        parent: screen,
        label: PANE_LABELS[name],
        border: { type: "line" },
        tags: false,
        wrap: false,
        style: { border: { fg: "cyan" }, label: { fg: "white", bold: true } },
      });
    }
    this.footer = blessed.box({ parent: screen, height: 1, tags: false, wrap: false, style: { fg: "black", bg: "cyan" } });
    this.tabs = blessed.box({ parent: screen, height: 1, tags: false, wrap: false, style: { fg: "white", bold: true } });
    this.status = blessed.box({ parent: screen, height: 1, tags: false, wrap: false });
  }

  /** The layout for the screen's current size and the state's focus. */
  layout(state: DashboardState): DashboardLayout {
    return computeLayout(this.screen.width as number, this.screen.height as number, state.variants.length, tablesWidth(state), state.focus);
  }

  draw(state: DashboardState, now: number): void {
    const layout = this.layout(state);
    if (layout.kind === "grid") {
      this.tabs.hide();
      this.status.hide();
      for (const name of Object.keys(this.panes) as PaneName[]) this.fill(name, layout.panes[name], state, now);
    } else {
      for (const name of Object.keys(this.panes) as PaneName[]) if (name !== layout.pane) this.panes[name].hide();
      this.place(this.tabs, layout.tabs, renderTabBar(layout.pane, layout.tabs.width));
      this.place(this.status, layout.status, renderStatusLine(state, now, layout.status.width));
      this.fill(layout.pane, layout.rect, state, now);
    }
    this.place(this.footer, layout.footer, renderFooter(state, layout.footer.width));
    this.screen.render();
  }

  private place(box: blessed.Widgets.BoxElement, rect: Rect, content: string): void {
    box.top = rect.top;
    box.left = rect.left;
    box.width = rect.width;
    box.height = rect.height;
    box.setContent(content);
    box.show();
  }

  private fill(name: PaneName, rect: Rect, state: DashboardState, now: number): void {
    const innerW = Math.max(1, rect.width - 2);
    const innerH = Math.max(1, rect.height - 2);
    this.place(this.panes[name], rect, paneContent(name, state, now, innerW, innerH).slice(0, innerH).join("\n"));
  }
}
