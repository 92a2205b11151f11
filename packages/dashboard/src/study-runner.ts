import type { StudyEvent, StudyResult, VariantInfo } from "@tsprof/core";
import { ToolError } from "@tsprof/core";

import type { BuiltinWorkload, StudyOptions } from "@tsprof/diffusion";
export type { BuiltinWorkload, StudyOptions };

/**
 * What the dashboard needs from @tsprof/diffusion (the study runner and its plain renderers), as an
 * interface so that tests can drive the dashboard with a scripted runner.
 */
export interface StudyRunner {
  listVariants(workload: BuiltinWorkload): VariantInfo[];
  runStudy(options: StudyOptions, onEvent?: (event: StudyEvent) => void): Promise<StudyResult>;
  /** Table 6-1/6-2 layout, plain text. */
  renderStudyText(result: StudyResult): string;
  renderStudyMarkdown(result: StudyResult): string;
  // Optional extras the dashboard uses when the diffusion package offers them:
  /** A user module's variants in source order (loads it in a child); UsageError when it has none. */
  listCustomVariants?(customModule: string): Promise<VariantInfo[]>;
  /** Builds the C reference if needed: its binary, or why there is none. */
  ensureCReference?(): { path: string | null; reason?: string };
  /** Figure 6-4 and the runtime bars as PNG bytes (throws where canvas cannot load). */
  renderStudyPng?(result: StudyResult): Promise<Buffer>;
}

const REQUIRED: (keyof StudyRunner)[] = ["listVariants", "runStudy", "renderStudyText", "renderStudyMarkdown"];

/** Load @tsprof/diffusion at run time and check it offers the whole contract. */
export function loadStudyRunner(load: (id: string) => unknown = require): StudyRunner {
  let mod: Record<string, unknown>;
  try {
    mod = load("@tsprof/diffusion") as Record<string, unknown>;
  } catch (err) {
    throw new ToolError(`the diffusion workload package cannot be loaded: ${(err as Error).message.split("\n")[0]}`);
  }
  const missing = REQUIRED.filter((name) => typeof mod[name] !== "function");
  if (missing.length > 0) {
    throw new ToolError(`@tsprof/diffusion does not provide ${missing.join(", ")} (is it built?)`);
  }
  return mod as unknown as StudyRunner;
}

/** Fails to compile when @tsprof/diffusion drifts from the contract above (type-only: no import at run time). */
type AssertRunner<T extends StudyRunner> = T;
export type DiffusionConformsToContract = AssertRunner<typeof import("@tsprof/diffusion")>;
